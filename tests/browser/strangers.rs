//! Random chat and invites: strangers meet and part, with JavaScript and
//! without, and an invite link opens on its room's card.

use super::*;

/// On a desktop screen (1280 × 800) the home page shows every way in
/// without scrolling, **Chat with a random stranger** included; JavaScript
/// on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_shows_random_chat_above_the_fold() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    for js in [Js::On, Js::Off] {
        let ann = driver.person("Ann", js).await;
        ann.open(&server.url("/")).await;
        ann.set_viewport(1280, 800).await;
        let button = ann.button("Chat with a random stranger").await;
        let place = ann
            .c
            .execute(
                "const r = arguments[0].getBoundingClientRect();
                 return [r.top, r.bottom, window.innerHeight];",
                vec![serde_json::to_value(&button).must("the button as an argument")],
            )
            .await
            .must("where the button is");
        let (top, bottom, height) = (
            place[0].as_f64().unwrap_or(-1.0),
            place[1].as_f64().unwrap_or(f64::MAX),
            place[2].as_f64().unwrap_or(0.0),
        );
        assert!(
            top >= 0.0 && bottom <= height,
            "{js:?}: the random-chat button is above the fold at 1280 × 800: {place}"
        );
        assert_no_axe_violations(&ann.c, &format!("home page at 1280 × 800 ({js:?})")).await;
        ann.close().await;
    }
    server.shut_down().await;
}

/// Two strangers meet with JavaScript on: the waiting page moves to the new
/// room by itself, both are told whom they talk to; when one leaves, the other
/// is told and offered **Find a new stranger**. axe checks the waiting page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_strangers_meet_and_one_leaves() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;

    ann.queue_for_stranger(&server, "Ann").await;
    ann.wait_for_path("/pair").await;
    ann.find("//h1[normalize-space()='Waiting for a stranger']")
        .await;
    ann.find("//*[@role='status']//p[contains(., 'Looking for someone')]")
        .await;
    ann.button("Cancel").await;
    assert_no_axe_violations(&ann.c, "waiting page").await;

    bob.queue_for_stranger(&server, "Bob").await;
    let room = bob.wait_for_room().await;
    assert_eq!(
        ann.wait_for_room().await,
        room,
        "Ann's page moved by itself"
    );
    for person in [&ann, &bob] {
        person
            .wait_for_log("Ann and Bob are now talking: say hello")
            .await;
    }
    // The room is a place for two: the stranger named, nothing to share.
    ann.find("//h1[normalize-space()='Chatting with Bob']")
        .await;
    bob.find("//h1[normalize-space()='Chatting with Ann']")
        .await;
    let share = ann
        .c
        .find_all(fantoccini::Locator::XPath(
            "//label[normalize-space()='Link to share'] | //*[@id='share']",
        ))
        .await
        .must("look for a share box");
    assert!(share.is_empty(), "no link to share in a stranger room");
    assert_no_axe_violations(&ann.c, "pair room").await;
    // The tab names the stranger too, for each of the two, and keeps doing
    // so as messages come, after a send and back in the tab.
    ann.wait_for_title("Chatting with Bob · livechat").await;
    bob.wait_for_title("Chatting with Ann · livechat").await;
    bob.send("hello Ann", Submit::Enter).await;
    ann.wait_for_log("hello Ann").await;
    ann.script("document.dispatchEvent(new Event('visibilitychange'))")
        .await;
    ann.send("hi Bob", Submit::Enter).await;
    bob.wait_for_log("hi Bob").await;
    for (person, title) in [
        (&ann, "Chatting with Bob · livechat"),
        (&bob, "Chatting with Ann · livechat"),
    ] {
        // Past the title reset after a send (a second), and still named.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        person.wait_for_title(title).await;
    }

    // Ann is typing when Bob leaves: the send form gives way, and the
    // focus moves to Find a new stranger.
    ann.textbox("Message")
        .await
        .click()
        .await
        .must("click the box");
    ann.wait_for_focus("#message").await;
    bob.press("Leave").await;
    bob.wait_for_path("/").await;
    ann.wait_for_log("Bob left the chat").await;
    ann.find("//div[@id='send']//p[normalize-space()='Bob left']")
        .await;
    ann.find("//div[@id='send']//a[normalize-space()='Home']")
        .await;
    eventually("the focus on Find a new stranger", std::time::Duration::from_secs(5), || async {
        let on = ann
            .script("const e = document.activeElement; return e.tagName + ':' + e.textContent.trim()")
            .await;
        if on == serde_json::json!("BUTTON:Find a new stranger") {
            Ok(())
        } else {
            Err(format!("focus on {on}"))
        }
    })
    .await;
    let boxes = ann
        .c
        .find_all(fantoccini::Locator::Css("input[name='text']"))
        .await
        .must("look for the Message box");
    assert!(boxes.is_empty(), "the send form is gone");
    let visible_buttons = ann
        .script("return [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null && b.textContent.trim() === 'Find a new stranger').length")
        .await;
    assert_eq!(
        visible_buttons,
        serde_json::json!(1),
        "one Find a new stranger shown"
    );
    // The new notice eases in (0.2 s): axe measures contrast once it is in.
    // (Animations on time only: the one on the log's scrolling, which shows
    // Jump to newest, runs for as long as the log can scroll.)
    eventually(
        "the notice has eased in",
        std::time::Duration::from_secs(5),
        || async {
            let running = ann
                .script(
                    "return document.getAnimations().filter(a => a.timeline === document.timeline && a.playState === 'running').length",
                )
                .await;
            if running == serde_json::json!(0) {
                Ok(())
            } else {
                Err(format!("{running} running"))
            }
        },
    )
    .await;
    assert_no_axe_violations(&ann.c, "pair room after the stranger left").await;
    ann.set_viewport(320, 640).await;
    ann.assert_no_sideways_scrolling("pair room after the stranger left, 320 px")
        .await;
    // Enter on the focused button: the one that took the send form's place.
    ann.key(Key::Enter).await;
    ann.wait_for_path("/pair").await;
    ann.press("Cancel").await;
    ann.wait_for_path("/").await;

    ann.close().await;
    bob.close().await;
}

/// Without JavaScript, once the hold is over (here at once), the waiting page
/// frames a document that shows a link to the room as soon as a stranger is
/// found; following it leads the whole window there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_is_found_without_javascript() {
    let Some(Stage { server, mut driver }) = stage_with(&["--pair-hold", "0"]).await else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::On).await;

    ann.queue_for_stranger(&server, "Ann").await;
    ann.wait_for_path("/pair").await;
    let frame = ann
        .find("//iframe[contains(concat(' ', normalize-space(@class), ' '), ' pair-frame ')]")
        .await;
    assert!(
        frame
            .is_displayed()
            .await
            .must("is the waiting frame displayed"),
        "with JavaScript off the <noscript> waiting frame is displayed"
    );
    assert_no_axe_violations(&ann.c, "waiting page without JavaScript").await;

    bob.queue_for_stranger(&server, "Bob").await;
    let room = bob.wait_for_room().await;
    frame.enter_frame().await.must("enter the waiting frame");
    let link = ann
        .find("//a[normalize-space()='Go to your chat with Bob']")
        .await;
    let looking = ann
        .find("//p[contains(., 'Still looking')]")
        .await
        .is_displayed()
        .await
        .must("is Still looking shown");
    assert!(!looking, "the link takes the place of Still looking");
    ann.c.enter_parent_frame().await.must("back to the window");
    assert_no_axe_violations(&ann.c, "waiting page without JavaScript, stranger found").await;
    frame.enter_frame().await.must("enter the waiting frame");
    link.click().await.must("follow the link");
    ann.c.enter_parent_frame().await.must("back to the window");
    assert_eq!(ann.wait_for_room().await, room, "the whole window moved");
    ann.find("//h1[normalize-space()='Chatting with Bob']")
        .await;
    let log = ann.log_frame().await;
    ann.wait_for_frame_log(&log, "Ann and Bob are now talking: say hello")
        .await;

    // Bob leaves: the log document offers the way on, for the whole window.
    bob.press("Leave").await;
    bob.wait_for_path("/").await;
    ann.wait_for_frame_log(&log, "Bob left the chat").await;
    log.enter_frame().await.must("enter the log frame");
    let home = ann.find("//a[normalize-space()='Home']").await;
    assert_eq!(
        home.attr("target").await.must("target").as_deref(),
        Some("_top")
    );
    let again = ann.button("Find a new stranger").await;
    assert!(
        again.is_displayed().await.must("shown"),
        "shown in the log document"
    );
    again.click().await.must("press Find a new stranger");
    ann.c.enter_parent_frame().await.must("back to the window");
    ann.wait_for_path("/pair").await;

    ann.close().await;
    bob.close().await;
}

/// Without JavaScript, pressing **Chat with a random stranger** shows the
/// waiting page at once, whose words are true without JavaScript (it does
/// not claim to move by itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_waiting_page_shows_at_once() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    ann.open(&server.url("/")).await;
    ann.fill("Name", "Ann").await;
    let pressed = std::time::Instant::now();
    ann.press("Chat with a random stranger").await;
    ann.wait_for_path("/pair").await;
    ann.find("//h1[normalize-space()='Waiting for a stranger']")
        .await;
    assert!(
        pressed.elapsed() < std::time::Duration::from_secs(5),
        "the waiting page at once, not after a hold"
    );
    let moves = ann
        .find("//span[contains(., 'This page moves')]")
        .await
        .is_displayed()
        .await
        .must("is the moving promise shown");
    assert!(!moves, "no promise that the page moves without JavaScript");
    let frame = ann
        .find("//iframe[contains(concat(' ', normalize-space(@class), ' '), ' pair-frame ')]")
        .await;
    frame.enter_frame().await.must("enter the waiting frame");
    ann.find("//p[contains(., 'Still looking: a link to your chat appears here')]")
        .await;
    ann.c.enter_parent_frame().await.must("back to the window");
    assert_no_axe_violations(&ann.c, "waiting page at once without JavaScript").await;
    ann.close().await;
}

/// An invite link (`/r/CODE`) opens, for someone without a name, on a card
/// for that room first, the Name box focused and the button to join it
/// above the fold at 1280×800; the button takes them in. JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_link_opens_on_a_focused_card_for_its_room() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    for (who, js) in [("Eve", Js::On), ("Zed", Js::Off)] {
        let guest = driver.person(who, js).await;
        guest.set_viewport(1280, 800).await;
        guest.open(&server.url(&format!("/r/{code}"))).await;
        guest.wait_for_path("/").await;
        guest
            .find(&format!(
                "//h2[normalize-space()='You are invited to room {code}']"
            ))
            .await;
        guest.wait_for_focus("#name").await;
        let suggested = guest.value("Name").await;
        assert!(!suggested.is_empty(), "a name is suggested");
        let join = format!("Join room {code}");
        guest.button(&join).await;
        let bottom = guest
            .script("const b = document.getElementById('invite-join').getBoundingClientRect(); return b.bottom <= window.innerHeight && b.top >= 0")
            .await;
        assert_eq!(
            bottom,
            serde_json::json!(true),
            "{who}: the Join button above the fold"
        );
        let first = guest
            .script("return document.querySelector('#start section.card').id || document.querySelector('#start section.card').className")
            .await;
        assert_eq!(
            first,
            serde_json::json!("card invite"),
            "{who}: the card comes first"
        );
        assert_no_axe_violations(&guest.c, &format!("invite card, {who}")).await;
        guest.set_viewport(320, 640).await;
        guest
            .assert_no_sideways_scrolling(&format!("invite card at 320 px, {who}"))
            .await;
        guest.type_over(who).await;
        guest.press(&join).await;
        guest.wait_for_path(&format!("/r/{code}")).await;
        ann.wait_for_log(&format!("{who} joined")).await;
        guest.close().await;
    }
    ann.close().await;
}
