//! axe-core: the check itself finds violations, and finds none in any state
//! of any page.

use super::*;

/// The accessibility check can fail: an image without a text alternative is
/// reported, with JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_check_reports_violations() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    for js in [Js::On, Js::Off] {
        let ann = driver.person("Ann", js).await;
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        let state = if js == Js::On {
            "JavaScript on"
        } else {
            "JavaScript off"
        };
        assert!(
            axe_violations(&ann.c, state).await.is_empty(),
            "{state}: the home page starts without violations"
        );
        ann.script(
            "document.querySelector('h1').insertAdjacentHTML('afterend', '<img src=\"/avatars/x.svg\" id=\"no-alt\">')",
        )
        .await;
        let violations = axe_violations(&ann.c, state).await;
        let report = axe_report(&violations, state);
        assert!(
            report.contains("- image-alt [critical]") && report.contains("at #no-alt"),
            "{state}: axe-core reports the image without alt text; got:\n{report}"
        );
        ann.close().await;
    }
    server.shut_down().await;
}

/// axe-core finds nothing in any state of any page, with JavaScript on and
/// off, in the light theme and the dark one: home (empty, with errors, after
/// Enter took the name), error pages (no such page, no such room, a full
/// room), a room (no messages yet, refused messages: empty, too long, too
/// fast; messages and notices), the log document, the waiting page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_of_every_page_passes_axe() {
    let Some(Stage { server, mut driver }) = stage_with(&[
        "--max-message",
        "40",
        "--rate-messages",
        "2",
        "--rate-window",
        "600",
        "--max-members",
        "1",
        "--pair-hold",
        "0",
    ])
    .await
    else {
        return;
    };
    let bob = driver.person("Bob", Js::On).await;
    let full = bob.create_room(&server, "Bob").await;
    for (js, switches, theme) in [
        (Js::On, &[][..], "light"),
        (Js::Off, &[][..], "light"),
        (Js::On, DARK, "dark"),
        (Js::Off, DARK, "dark"),
    ] {
        let ann = driver.person_with("Ann", js, switches).await;
        let how = format!(
            "JavaScript {}, {theme} theme",
            if js == Js::On { "on" } else { "off" }
        );
        let scan = |state: &str| format!("{state} ({how})");
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        assert_eq!(
            ann.script("return matchMedia('(prefers-color-scheme: dark)').matches")
                .await,
            json!(theme == "dark"),
            "{how}: the browser asks for the {theme} theme"
        );
        assert_no_axe_violations(&ann.c, &scan("home page")).await;

        ann.fill("Name", " ").await;
        ann.fill("Room code", "ZZZZ").await;
        ann.press("Join").await;
        ann.find("//p[@role='alert'][normalize-space()='Enter a name']")
            .await;
        ann.find("//p[@role='alert'][starts-with(normalize-space(), 'No room with code ZZZZ')]")
            .await;
        assert_no_axe_violations(&ann.c, &scan("home page with errors")).await;

        ann.fill("Name", "Ann").await;
        ann.fill("Room code", "").await;
        ann.textbox("Name")
            .await
            .send_keys(&Key::Enter)
            .await
            .must("Enter");
        ann.find("//*[@id='greeting'][contains(., 'Hello, Ann.')]")
            .await;
        assert_no_axe_violations(&ann.c, &scan("home page after Enter took the name")).await;

        ann.open(&server.url("/nowhere")).await;
        ann.find("//h1[normalize-space()='Nothing here']").await;
        assert_no_axe_violations(&ann.c, &scan("404 page")).await;
        ann.open(&server.url("/r/ZZZZ")).await;
        ann.find("//h1[normalize-space()='Nothing here']").await;
        assert_no_axe_violations(&ann.c, &scan("no such room")).await;
        ann.open(&server.url("/")).await;
        ann.fill("Room code", &full).await;
        ann.press("Join").await;
        ann.find("//h1[normalize-space()='Full right now']").await;
        assert_no_axe_violations(&ann.c, &scan("a full room")).await;

        let code = ann.create_room(&server, "Ann").await;
        let room = format!("/r/{code}");
        assert_no_axe_violations(&ann.c, &scan("room with no messages yet")).await;
        let refused = async |text: &str, why: &str| {
            ann.fill("Message", text).await;
            ann.press("Send").await;
            ann.find(&format!(
                "//p[@role='alert'][contains(., {})]",
                xpath_literal(why)
            ))
            .await;
        };
        refused("", "Type a message first").await;
        assert_no_axe_violations(&ann.c, &scan("room, an empty message refused")).await;
        refused(&"x".repeat(41), "40").await;
        assert_no_axe_violations(&ann.c, &scan("room, a message too long refused")).await;
        for text in ["first message", "second message"] {
            ann.send_and_see(js, &room, text).await;
        }
        refused("third message", "too fast").await;
        assert_no_axe_violations(&ann.c, &scan("room with messages and notices, too fast")).await;

        if js == Js::Off {
            ann.log_frame()
                .await
                .enter_frame()
                .await
                .must("enter the log iframe");
            assert_no_axe_violations(&ann.c, &scan("log document")).await;
            ann.c
                .enter_parent_frame()
                .await
                .must("leave the log iframe");
        }

        // More than --max-body (3 bytes a character, 9 once form-encoded):
        // refused before any handler sees it.
        let heavy = "€".repeat(4000);
        ann.script(&format!(
            "document.getElementById('message').value = '{heavy}'"
        ))
        .await;
        ann.press("Send").await;
        if js == Js::On {
            ann.find(
                "//*[@id='alerts'][@role='alert']//strong[normalize-space()='Too much at once']",
            )
            .await;
            assert_eq!(
                ann.value("Message").await,
                heavy,
                "the form is still there, with the text"
            );
            assert_no_axe_violations(&ann.c, &scan("room with an error in the alert region")).await;
        } else {
            ann.find("//h1[normalize-space()='Too much at once']").await;
            assert_no_axe_violations(&ann.c, &scan("413 page")).await;
        }

        ann.open(&server.url("/")).await;
        ann.press("Chat with a random stranger").await;
        ann.wait_for_path("/pair").await;
        ann.find("//h1[normalize-space()='Waiting for a stranger']")
            .await;
        assert_no_axe_violations(&ann.c, &scan("waiting page")).await;
        if js == Js::Off {
            let frame = ann
                .find(
                    "//iframe[contains(concat(' ', normalize-space(@class), ' '), ' pair-frame ')]",
                )
                .await;
            frame.enter_frame().await.must("enter the waiting iframe");
            assert_no_axe_violations(&ann.c, &scan("waiting document")).await;
            ann.c
                .enter_parent_frame()
                .await
                .must("leave the waiting iframe");
        }
        ann.press("Cancel").await;
        ann.wait_for_path("/").await;
        ann.close().await;
    }
    bob.close().await;
    server.shut_down().await;
}
