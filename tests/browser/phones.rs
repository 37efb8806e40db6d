//! Phones: 320 px wide with no sideways scrolling and large targets, less
//! motion, light and dark, alerts that leave the message box in view.

use super::*;

/// At 320 px wide, with JavaScript on and off: no sideways scrolling, even
/// with long names and words, and every control at least 44 x 44 px. Less
/// motion when the person asks for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_at_320_px_and_less_motion() {
    let Some(Stage { server, mut driver }) = stage_with(&["--pair-hold", "0"]).await else {
        return;
    };
    for (js, switches) in [(Js::On, &[][..]), (Js::Off, REDUCED_MOTION)] {
        let ann = driver.person_with("Ann", js, switches).await;
        let how = if js == Js::On {
            "JavaScript on"
        } else {
            "JavaScript off, less motion"
        };
        ann.set_viewport(320, 640).await;
        let check = async |state: &str| {
            let state = format!("{state} at 320 px ({how})");
            ann.assert_no_sideways_scrolling(&state).await;
            ann.assert_large_touch_targets(&state).await;
        };
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        check("home page").await;
        let reduced = ann
            .script("return [matchMedia('(prefers-reduced-motion: reduce)').matches, getComputedStyle(document.querySelector('#create')).transitionDuration]")
            .await;
        if js == Js::On {
            assert_ne!(
                reduced[1],
                json!("0s"),
                "buttons ease their colours: {reduced}"
            );
        } else {
            assert_eq!(
                reduced,
                json!([true, "0s"]),
                "no motion when asked: {reduced}"
            );
        }
        ann.fill("Name", "").await;
        ann.fill("Room code", "NOPE-NOT-A-CODE").await;
        ann.press("Join").await;
        ann.find("//p[@role='alert'][normalize-space()='Enter a name']")
            .await;
        check("home page with errors").await;

        let code = ann
            .create_room(&server, "Anastasia Wolkenkratzerhausmeist")
            .await;
        let room = format!("/r/{code}");
        for text in [
            "Supercalifragilisticexpialidocious-and-then-some-more-without-any-spaces-at-all",
            "https://example.com/a/very/long/link/that/does/not/break/on/its/own/at/all",
        ] {
            ann.send_and_see(js, &room, text).await;
        }
        check("room page with long words").await;
        if js == Js::Off {
            let frame = ann.log_frame().await;
            frame.enter_frame().await.must("enter the log iframe");
            ann.assert_no_sideways_scrolling(&format!("log document at 320 px ({how})"))
                .await;
            ann.c
                .enter_parent_frame()
                .await
                .must("leave the log iframe");
        }

        ann.open(&server.url("/")).await;
        ann.press("Chat with a random stranger").await;
        ann.wait_for_path("/pair").await;
        ann.find("//h1[normalize-space()='Waiting for a stranger']")
            .await;
        check("waiting page").await;
        let pulse = ann
            .script("return getComputedStyle(document.querySelector('#pair-status > p'), '::before').animationName")
            .await;
        let expected = if js == Js::On { "pulse" } else { "none" };
        assert_eq!(pulse, json!(expected), "the waiting pulse ({how})");
        ann.press("Cancel").await;
        ann.wait_for_path("/").await;

        ann.open(&server.url("/r/ZZZZ")).await;
        ann.find("//h1[normalize-space()='Nothing here']").await;
        check("404 page").await;
        ann.close().await;
    }
    server.shut_down().await;
}

/// The README's pictures of a phone: the home page and a room, in the light
/// and the dark theme (`tests/screenshots/{home,room}-{light,dark}.png` with
/// `LIVECHAT_SCREENSHOTS=1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_a_phone_in_light_and_dark() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let bob = driver.person("Bob", Js::On).await;
    for (switches, theme) in [(&[][..], "light"), (DARK, "dark")] {
        let ann = driver.person_with("Ann", Js::On, switches).await;
        ann.set_viewport(390, 844).await;
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        ann.screenshot(&format!("home-{theme}.png"), (390, 844))
            .await;

        let code = ann.create_room(&server, "Ann").await;
        bob.join_room(&server, "Bob", &code).await;
        ann.wait_for_log("Bob joined").await;
        bob.send("Hi! Is this the book club?", Submit::Enter).await;
        ann.wait_for_log("book club").await;
        ann.send("It is. We are reading Piranesi this month.", Submit::Enter)
            .await;
        bob.wait_for_log("Piranesi").await;
        bob.send("Lovely, I'm halfway through.", Submit::Enter)
            .await;
        ann.wait_for_log("halfway").await;
        ann.wait_for_online(&["Ann", "Bob"], &[]).await;
        ann.script("document.activeElement.blur()").await;
        ann.screenshot(&format!("room-{theme}.png"), (390, 844))
            .await;
        assert_no_axe_violations(&ann.c, &format!("room at 390 px, {theme} theme")).await;
        bob.open(&server.url("/")).await;
        ann.close().await;
    }
    bob.close().await;
    server.shut_down().await;
}

/// At 320 px an alert by the Message box takes the log's room, not the
/// box's: the box stays where it was, fully on screen, and nothing scrolls
/// sideways: a refusal (too fast), then "Not sent" with the server down, in
/// the dark and with less motion (which must not stop the "Not sent" alert).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_320_px_an_alert_never_pushes_the_message_box_off_screen() {
    let Some(Stage { server, mut driver }) =
        stage_with(&["--rate-messages", "1", "--rate-window", "600"]).await
    else {
        return;
    };
    const BOX: &str = "const r = document.getElementById('message').getBoundingClientRect();
        return [Math.round(r.top), Math.round(r.bottom), window.innerHeight];";
    let switches: Vec<&str> = DARK.iter().chain(REDUCED_MOTION).copied().collect();
    let ann = driver.person_with("Ann", Js::On, &switches).await;
    ann.set_viewport(320, 640).await;
    let code = ann.create_room(&server, "Ann").await;
    ann.send_and_see(Js::On, &format!("/r/{code}"), "the one message")
        .await;
    let before = ann.script(BOX).await;
    let (top, bottom, height) = (
        before[0].as_i64().unwrap_or(-1),
        before[1].as_i64().unwrap_or(-1),
        before[2].as_i64().unwrap_or(0),
    );
    assert!(
        top >= 0 && bottom <= height,
        "the box is on screen: {before}"
    );
    ann.send("one too many, and a long one at that", Submit::Enter)
        .await;
    ann.find("//p[@role='alert'][contains(., 'You are sending messages too fast')]")
        .await;
    let after = ann.script(BOX).await;
    assert_eq!(after, before, "the alert moved the box");
    assert_eq!(
        ann.value("Message").await,
        "one too many, and a long one at that"
    );
    ann.assert_no_sideways_scrolling("an alert at 320 px").await;
    assert_no_axe_violations(&ann.c, "an alert by the box at 320 px").await;

    server.shut_down().await;
    ann.press("Send").await;
    wait_for_unsent_words(&ann, "'Not sent' shows with less motion").await;
    let after = ann.script(BOX).await;
    assert_eq!(after, before, "the 'Not sent' alert moved the box");
    assert_eq!(
        ann.value("Message").await,
        "one too many, and a long one at that"
    );
    ann.assert_no_sideways_scrolling("'Not sent' at 320 px")
        .await;
    assert_no_axe_violations(&ann.c, "'Not sent' by the box at 320 px, dark, less motion").await;

    ann.close().await;
}
