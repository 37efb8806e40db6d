//! Browser tests: the real app in headless Chromium, driven over WebDriver
//! (`fantoccini` talking to `chromedriver`). Two people are two browser
//! sessions, each with its own profile and cookies. Accessibility is checked
//! with axe-core, vendored in `tests/browser/` (see its README).
//!
//! Elements are found the way a person finds them: textboxes by their label,
//! buttons by their text, the log by its role, the Online list by its heading.
//!
//! Without `chromium` and `chromedriver` the tests are skipped with a loud
//! message, except when `CI=true`, where a missing tool fails them.
//! `CHROMIUM` and `CHROMEDRIVER` point at other binaries if needed.
//!
//! Run: `cargo test --test browser -- --nocapture`

mod common;
#[path = "browser/harness.rs"]
mod harness;

use fantoccini::key::Key;
use harness::*;
use serde_json::json;

/// Two people talk in a private room with JavaScript on: everything arrives
/// live, the message box is emptied and keeps the focus; axe finds nothing;
/// screenshots for the README.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_live_with_javascript() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("two_people_chat_live_with_javascript").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;

    // The home page, as a person first sees it.
    ann.set_viewport(1280, 900).await;
    ann.open(&server.url("/")).await;
    ann.textbox("Name").await;
    ann.button("Create private room").await;
    ann.textbox("Room code").await;
    ann.button("Join").await;
    ann.screenshot("home.png", (1280, 900)).await;
    assert_no_axe_violations(&ann.c, "home page").await;

    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    assert_eq!(
        bob.path().await,
        format!("/r/{code}"),
        "Bob is in Ann's room"
    );
    bob.log_text()
        .await
        .expect("Bob's room page has a role=log element");

    // Bob's arrival shows up on Ann's page without her doing anything.
    ann.wait_for_log("Bob joined").await;

    // Ann sends with the keyboard alone: type, Enter.
    ann.send("hello from Ann", Submit::Enter).await;
    bob.wait_for_log("hello from Ann").await;
    ann.wait_for_log("hello from Ann").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(
        ann.script("return document.activeElement && document.activeElement.id")
            .await,
        json!("message"),
        "after sending, Ann's message box still has the keyboard focus"
    );

    // Bob answers with the Send button.
    bob.send("hi Ann, Bob here", Submit::Button).await;
    ann.wait_for_log("hi Ann, Bob here").await;
    bob.wait_for_value("Message", "").await;

    // The Online list, named by its heading, has both.
    ann.wait_for_online(&["Ann", "Bob"], &[]).await;
    let list_id = ann
        .online_list()
        .await
        .expect("Online list")
        .attr("id")
        .await
        .must("id of the Online list");
    assert_eq!(
        list_id.as_deref(),
        Some("online"),
        "the list labelled 'Online' is #online"
    );

    // A few more lines, so that the screenshots show a conversation.
    ann.send("How is everyone doing today?", Submit::Enter)
        .await;
    bob.wait_for_log("How is everyone doing today?").await;
    bob.send(
        "Great, thanks! This works without any page reloads.",
        Submit::Enter,
    )
    .await;
    ann.wait_for_log("This works without any page reloads.")
        .await;
    ann.send("Nice.", Submit::Enter).await;
    ann.wait_for_log("Nice.").await;
    bob.wait_for_log("Nice.").await;

    assert_no_axe_violations(&ann.c, "room page with messages (JavaScript on)").await;
    ann.screenshot("room.png", (1280, 900)).await;

    // The same room on a phone.
    ann.set_viewport(390, 844).await;
    ann.open(&server.url(&format!("/r/{code}"))).await;
    ann.wait_for_log("Nice.").await;
    ann.screenshot("room-phone.png", (390, 844)).await;
    assert_no_axe_violations(&ann.c, "room page at 390 px wide").await;
    ann.assert_no_sideways_scrolling("room page at 390 px wide")
        .await;

    // The contract's narrowest width.
    ann.set_viewport(320, 700).await;
    ann.open(&server.url(&format!("/r/{code}"))).await;
    ann.wait_for_log("Nice.").await;
    ann.assert_no_sideways_scrolling("room page at 320 px wide")
        .await;
    ann.open(&server.url("/")).await;
    ann.textbox("Name").await;
    ann.assert_no_sideways_scrolling("home page at 320 px wide")
        .await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// The same conversation with JavaScript off: forms post and redirect, and the
/// log in an `<iframe>` streams by itself, leaving a half-typed message alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_works_without_javascript() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("chat_works_without_javascript").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::Off).await;

    let code = ann.create_room(&server, "Ann").await;
    // JavaScript really is off: the <noscript> log is what shows.
    let ann_frame = ann.log_frame().await;
    assert!(
        ann_frame
            .is_displayed()
            .await
            .must("is the log iframe displayed"),
        "with JavaScript off the <noscript> log iframe is displayed"
    );
    assert_eq!(
        ann_frame
            .attr("title")
            .await
            .must("iframe title")
            .as_deref(),
        Some("Messages"),
        "the log iframe is titled"
    );

    bob.join_room(&server, "Bob", &code).await;
    let bob_frame = bob.log_frame().await;
    ann.wait_for_frame_log(&ann_frame, "Bob joined").await;

    // Ann starts typing, but does not send yet.
    let half = "half-typed by Ann";
    ann.textbox("Message")
        .await
        .send_keys(half)
        .await
        .must("type into Ann's message box");

    // Bob sends (a plain POST, then back to the room).
    bob.send("hello from Bob", Submit::Button).await;
    // The path is the room's before and after the new page loads, so the
    // iframe is looked up anew at each look: the old one goes stale.
    bob.wait_for_page_log(Js::Off, "hello from Bob").await;
    drop(bob_frame);
    let bob_frame = bob.log_frame().await;

    // Ann's iframe shows it by itself; her page was not reloaded (the same
    // iframe element is still there) and her half-typed text is untouched.
    ann.wait_for_frame_log(&ann_frame, "hello from Bob").await;
    assert_eq!(
        ann.path().await,
        format!("/r/{code}"),
        "Ann is still in the room"
    );
    assert_eq!(
        ann.value("Message").await,
        half,
        "the text half-typed in Ann's message box survives Bob's message"
    );

    // Ann finishes her message and sends it with Enter.
    ann.textbox("Message")
        .await
        .send_keys(" and now sent")
        .await
        .must("type more");
    ann.textbox("Message")
        .await
        .send_keys(&Key::Enter)
        .await
        .must("press Enter");
    ann.wait_for_path(&format!("/r/{code}")).await;
    let ann_frame = ann.log_frame().await;
    ann.wait_for_frame_log(&ann_frame, "half-typed by Ann and now sent")
        .await;
    ann.wait_for_value("Message", "").await;
    bob.wait_for_frame_log(&bob_frame, "half-typed by Ann and now sent")
        .await;

    // The Online list is part of the page, rendered on each load.
    ann.wait_for_online(&["Ann", "Bob"], &[]).await;

    assert_no_axe_violations(&ann.c, "room page (JavaScript off)").await;
    ann_frame.enter_frame().await.must("enter Ann's log iframe");
    assert_no_axe_violations(&ann.c, "log iframe document (JavaScript off)").await;
    ann.c
        .enter_parent_frame()
        .await
        .must("leave Ann's log iframe");

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// A name change and a leave are announced live to the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_and_renaming_show_notices() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("leaving_and_renaming_show_notices").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;

    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    ann.wait_for_log("Bob joined").await;
    ann.wait_for_online(&["Ann", "Bob"], &[]).await;

    // Bob renames himself from the room page.
    let rename = bob.textbox("Name").await;
    assert_eq!(
        rename.attr("id").await.must("id").as_deref(),
        Some("rename-name")
    );
    assert_eq!(
        bob.value("Name").await,
        "Bob",
        "the rename box starts with Bob's name"
    );
    bob.fill("Name", "Bobby").await;
    bob.press("Change name").await;
    ann.wait_for_log("Bob is now known as Bobby").await;
    ann.wait_for_online(&["Ann", "Bobby"], &["Bob"]).await;
    assert_eq!(
        bob.path().await,
        format!("/r/{code}"),
        "renaming keeps Bob in the room"
    );
    bob.wait_for_log("Bob is now known as Bobby").await;

    // Bob leaves: at once, not after the grace period.
    bob.press("Leave").await;
    bob.wait_for_path("/").await;
    ann.wait_for_log("Bobby left").await;
    ann.wait_for_online(&["Ann"], &["Bobby"]).await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// Someone who moves to the Send button with Tab and presses it is back in
/// an empty message box, ready to write the next message (the contract: after
/// sending, the box is empty and has the keyboard focus).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_button_leaves_focus_in_the_message_box() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("send_button_leaves_focus_in_the_message_box").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;

    ann.create_room(&server, "Ann").await;
    let input = ann.textbox("Message").await;
    input.send_keys("sent with the button").await.must("type");
    input.send_keys(&Key::Tab).await.must("press Tab");
    let focused = ann.c.active_element().await.must("the focused element");
    assert_eq!(
        focused.text().await.must("its text").trim(),
        "Send",
        "Tab from the message box reaches the Send button"
    );
    focused
        .send_keys(&Key::Enter)
        .await
        .must("press Enter on Send");
    ann.wait_for_log("sent with the button").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(
        ann.script("return document.activeElement && (document.activeElement.id || document.activeElement.tagName)")
            .await,
        json!("message"),
        "after sending with the Send button, the message box has the keyboard focus"
    );

    ann.close().await;
    server.shut_down().await;
}

/// `spoken` is one message as a screen reader reads it: `who`, then `text`,
/// then a short time ("07:46"), and nothing else (no date, no zone, no
/// second name).
fn assert_read_as(spoken: Option<String>, who: &str, text: &str, state: &str) {
    let spoken = spoken.unwrap_or_else(|| panic!("{state}: no log item holds {text:?}"));
    let parts: Vec<&str> = spoken.split(" | ").collect();
    let short_time = |t: &str| {
        t.len() == 5
            && t.as_bytes()[2] == b':'
            && t.chars().filter(char::is_ascii_digit).count() == 4
    };
    assert!(
        parts.len() == 3 && parts[0] == who && parts[1] == text && short_time(parts[2]),
        "{state}: read as {spoken:?}, not {who:?}, {text:?} and a short time"
    );
}

/// What a log item's `<time>` keeps for whoever wants more: the full date
/// and zone in `title`, the machine-readable moment in `datetime`.
const TIME_OF_ITEM: &str = "const li = [...document.querySelectorAll('[role=log] li')]
    .find(l => l.textContent.includes(arguments[0]));
    const t = li && li.querySelector('time');
    return t ? [t.getAttribute('datetime'), t.title] : null;";

/// A screen reader hears each message once and briefly: who, the text, then
/// a short time (the date and zone stay in `datetime` and `title`); the
/// person's own messages as "You", not their name and "You" again. The log
/// has a heading "Messages". A room page opens with the focus at its top
/// (the skip link is the first stop and leads to the box), and after a send
/// the focus is back in the box: JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_read_as_who_what_and_a_short_time() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("a_message_is_read_as_who_what_and_a_short_time").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;

    let code = ann.create_room(&server, "Ann").await;
    assert_eq!(
        ann.focused().await,
        "body",
        "the room page opens with the focus at its top, not in the box"
    );
    let heading = ann
        .find("//h2[normalize-space()='Messages']")
        .await
        .attr("id")
        .await
        .must("the heading's id");
    let labelled = ann
        .find("//*[@role='log']")
        .await
        .attr("aria-labelledby")
        .await
        .must("the log's label");
    assert_eq!(heading, labelled, "the heading Messages names the log");
    ann.key(Key::Tab).await;
    assert_eq!(ann.focused().await, "a:Skip to message box");
    ann.key(Key::Enter).await;
    ann.wait_for_focus("#message").await;
    ann.type_text("Hi Bob").await;
    ann.key(Key::Enter).await;
    ann.wait_for_log("Hi Bob").await;
    ann.wait_for_value("Message", "").await;
    ann.wait_for_focus("#message").await;

    bob.join_room(&server, "Bob", &code).await;
    assert_eq!(
        bob.focused().await,
        "body",
        "without JavaScript too the page opens at its top"
    );
    bob.wait_for_page_log(Js::Off, "Hi Bob").await;
    bob.mark_page().await;
    bob.send("Hi Ann", Submit::Enter).await;
    bob.wait_for_new_page().await;
    bob.wait_for_page_log(Js::Off, "Hi Ann").await;
    bob.wait_for_focus("#message").await;
    assert_eq!(bob.value("Message").await, "", "the box is empty again");

    ann.wait_for_log("Hi Ann").await;
    assert_read_as(
        ann.spoken_item("Hi Bob").await,
        "You",
        "Hi Bob",
        "Ann's own message",
    );
    assert_read_as(
        ann.spoken_item("Hi Ann").await,
        "Bob",
        "Hi Ann",
        "Bob's message to Ann",
    );
    let time = ann
        .c
        .execute(TIME_OF_ITEM, vec![json!("Hi Ann")])
        .await
        .must("the message's time");
    let datetime = time[0].as_str().unwrap_or_default();
    let title = time[1].as_str().unwrap_or_default();
    assert!(datetime.ends_with('Z') && datetime.len() >= 20, "{time}");
    assert!(
        title.ends_with(" UTC") && title.contains(&datetime[..4]),
        "{time}"
    );
    assert_no_axe_violations(&ann.c, "a room read as who, what, when (JavaScript on)").await;

    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    assert_read_as(
        bob.spoken_item("Hi Ann").await,
        "You",
        "Hi Ann",
        "Bob's own message, no JavaScript",
    );
    assert_read_as(
        bob.spoken_item("Hi Bob").await,
        "Ann",
        "Hi Bob",
        "Ann's message to Bob, no JavaScript",
    );
    assert_no_axe_violations(&bob.c, "the log document read as who, what, when").await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");
    assert_no_axe_violations(&bob.c, "a room read as who, what, when (JavaScript off)").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// The log's scrolling, the "Jump to newest" link's visibility, and whether
/// the log item holding `arguments[0]` (if given) is in view in the log.
const LOG_VIEW: &str = "const log = document.querySelector('[role=log]');
    const jump = document.querySelector('a.jump');
    const li = arguments[0] && [...log.querySelectorAll('li')].find(l => l.textContent.includes(arguments[0]));
    const inView = li ? (() => { const a = log.getBoundingClientRect(), b = li.getBoundingClientRect();
        return b.top >= a.top - 1 && b.bottom <= a.bottom + 1; })() : null;
    return { top: log.scrollTop, room: log.scrollHeight - log.clientHeight,
        jump: getComputedStyle(jump).visibility, inView };";

/// Waits until the log's view satisfies `check`, from `LOG_VIEW` with `needle`.
async fn wait_for_log_view(
    who: &Person,
    what: &str,
    needle: &str,
    check: impl Fn(&serde_json::Value) -> bool + Copy,
) {
    eventually(what, LOAD, move || async move {
        let view = who
            .c
            .execute(LOG_VIEW, vec![json!(needle)])
            .await
            .map_err(|e| e.to_string())?;
        if check(&view) {
            Ok(())
        } else {
            Err(view.to_string())
        }
    })
    .await;
}

fn at_newest(view: &serde_json::Value) -> bool {
    view["top"].as_f64().is_some_and(|top| top.abs() < 2.0)
}

/// Reading older messages, a "Jump to newest" link shows (no script: a
/// scroll-driven animation), and leads to the newest; at the newest it is
/// hidden. A person who sends while reading older messages is taken to
/// their own message. JavaScript on, and in the log document without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_older_messages_offers_a_jump_to_the_newest() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("reading_older_messages_offers_a_jump_to_the_newest").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    ann.set_viewport(400, 700).await;
    bob.set_viewport(400, 700).await;
    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    let room = format!("/r/{code}");
    for i in 1..=6 {
        ann.send(
            &format!("line {i} of a conversation long enough to scroll"),
            Submit::Enter,
        )
        .await;
        ann.wait_for_log(&format!("line {i} of")).await;
    }
    bob.send_and_see(Js::Off, &room, "the newest from Bob")
        .await;
    ann.wait_for_log("the newest from Bob").await;

    let hidden = |v: &serde_json::Value| at_newest(v) && v["jump"] == "hidden";
    wait_for_log_view(&ann, "at the newest, no jump link", "", hidden).await;
    assert!(
        ann.c
            .execute(LOG_VIEW, vec![json!("")])
            .await
            .must("the log's view")["room"]
            .as_f64()
            .is_some_and(|room| room > 200.0),
        "the log has older messages to scroll to"
    );
    ann.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&ann, "scrolled up, the jump link shows", "", |v| {
        !at_newest(v) && v["jump"] == "visible"
    })
    .await;
    assert_no_axe_violations(&ann.c, "reading older messages, Jump to newest shown").await;
    ann.find("//a[normalize-space()='Jump to newest']")
        .await
        .click()
        .await
        .must("follow Jump to newest");
    wait_for_log_view(
        &ann,
        "the jump led to the newest",
        "the newest from Bob",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;

    // Sending while reading older messages takes Ann to her own message.
    ann.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&ann, "scrolled up again", "", |v| v["jump"] == "visible").await;
    ann.send("sent while reading old ones", Submit::Enter).await;
    wait_for_log_view(
        &ann,
        "the send led to Ann's message",
        "sent while reading old ones",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;

    // Without JavaScript, the log document does the same by itself.
    bob.wait_for_page_log(Js::Off, "sent while reading old ones")
        .await;
    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    wait_for_log_view(&bob, "the log document at the newest", "", hidden).await;
    bob.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&bob, "the log document scrolled up", "", |v| {
        v["jump"] == "visible"
    })
    .await;
    assert_no_axe_violations(&bob.c, "the log document with Jump to newest shown").await;
    bob.find("//a[normalize-space()='Jump to newest']")
        .await
        .click()
        .await
        .must("follow Jump to newest in the log document");
    wait_for_log_view(
        &bob,
        "the log document back at the newest",
        "sent while reading old ones",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");

    // With less motion too: the link's visibility is not motion.
    let cy = driver.person_with("Cy", Js::On, REDUCED_MOTION).await;
    cy.set_viewport(400, 700).await;
    cy.join_room(&server, "Cy", &code).await;
    cy.wait_for_log("sent while reading old ones").await;
    wait_for_log_view(&cy, "less motion, at the newest", "", hidden).await;
    cy.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&cy, "less motion, scrolled up", "", |v| {
        v["jump"] == "visible"
    })
    .await;

    ann.close().await;
    bob.close().await;
    cy.close().await;
    server.shut_down().await;
}

/// Seconds since midnight UTC of an "HH:MM:SS" clock.
fn clock_seconds(clock: &str) -> Option<u64> {
    let parts: Vec<u64> = clock
        .split(':')
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [h, m, s] if h < 24 && m < 60 && s < 60 => Some(h * 3600 + m * 60 + s),
        _ => None,
    }
}

/// A refusal to wait, on a page without JavaScript (which never changes by
/// itself), says until when, as a clock time in UTC: "send again at
/// 07:48:30 UTC", not "wait 600 s" frozen at the moment of the refusal. With
/// JavaScript it says the seconds. The text stays in the box either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_without_javascript_is_said_as_a_clock_time() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "a_wait_without_javascript_is_said_as_a_clock_time",
        &["--rate-messages", "1", "--rate-window", "600"],
    )
    .await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    let room = format!("/r/{code}");
    ann.send_and_see(Js::Off, &room, "the one message").await;
    ann.mark_page().await;
    ann.send("one too many", Submit::Enter).await;
    ann.wait_for_new_page().await;
    let alert = ann
        .find("//p[@role='alert'][contains(., 'You are sending messages too fast')]")
        .await
        .text()
        .await
        .must("the alert's words");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .must("the clock")
        .as_secs()
        % 86_400;
    let clock = alert
        .strip_prefix("You are sending messages too fast: send again at ")
        .and_then(|rest| rest.strip_suffix(" UTC"))
        .unwrap_or_else(|| panic!("a clock time, not a countdown: {alert:?}"));
    let at = clock_seconds(clock).unwrap_or_else(|| panic!("a clock time: {alert:?}"));
    let ahead = (at + 86_400 - now) % 86_400;
    assert!(
        (590..=602).contains(&ahead),
        "the window's end, about 600 s from now: {alert:?} ({ahead} s ahead)"
    );
    assert_eq!(
        ann.value("Message").await,
        "one too many",
        "the text is kept"
    );
    ann.wait_for_focus("#message").await;
    assert_no_axe_violations(&ann.c, "a wait said as a clock time (JavaScript off)").await;

    bob.join_room(&server, "Bob", &code).await;
    bob.send_and_see(Js::On, &room, "Bob's one message").await;
    bob.send("Bob's one too many", Submit::Enter).await;
    let alert = bob
        .find("//p[@role='alert'][contains(., 'You are sending messages too fast')]")
        .await
        .text()
        .await
        .must("the alert's words");
    let seconds = alert
        .strip_prefix("You are sending messages too fast: wait ")
        .and_then(|rest| rest.strip_suffix(" s and send again"))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(
        seconds.is_some_and(|n| (590..=600).contains(&n)),
        "with JavaScript, the seconds: {alert:?}"
    );
    assert_eq!(bob.value("Message").await, "Bob's one too many");

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// On a desktop screen (1280 × 800) the home page shows every way in
/// without scrolling, **Chat with a random stranger** included; JavaScript
/// on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_shows_random_chat_above_the_fold() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("the_home_page_shows_random_chat_above_the_fold").await
    else {
        return;
    };
    for js in [Js::On, Js::Off] {
        let ann = driver.person("Ann", js).await;
        ann.set_viewport(1280, 800).await;
        ann.open(&server.url("/")).await;
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

/// The accessibility check can fail: an image without a text alternative is
/// reported, with JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_check_reports_violations() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("axe_check_reports_violations").await
    else {
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

/// Two strangers meet with JavaScript on: the waiting page moves to the new
/// room by itself, both are told whom they talk to; when one leaves, the other
/// is told and offered **Find a new stranger**. axe checks the waiting page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_strangers_meet_and_one_leaves() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("two_strangers_meet_and_one_leaves").await
    else {
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
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "a_stranger_is_found_without_javascript",
        &["--pair-hold", "0"],
    )
    .await
    else {
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
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("without_javascript_the_waiting_page_shows_at_once").await
    else {
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
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("an_invite_link_opens_on_a_focused_card_for_its_room").await
    else {
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

/// The tab's title names the room, says when something new arrived, and goes
/// back to the room's name when the person returns to the tab or sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tab_title_tells_the_room_and_new_activity() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("the_tab_title_tells_the_room_and_new_activity").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    let plain = format!("Room {code} · livechat");
    let marked = format!("New activity · {plain}");
    ann.wait_for_title(&plain).await;
    bob.join_room(&server, "Bob", &code).await;
    ann.wait_for_log("Bob joined").await;
    ann.wait_for_title(&marked).await;

    // Coming back to the tab (the page becomes visible again) clears it.
    ann.script("document.dispatchEvent(new Event('visibilitychange'))")
        .await;
    ann.wait_for_title(&plain).await;

    bob.send("are you there?", Submit::Enter).await;
    ann.wait_for_log("are you there?").await;
    ann.wait_for_title(&marked).await;
    // The mark comes in the item's own message: htmx takes it out and
    // applies it, so the page keeps one title, in its head.
    let titles = ann
        .script("return [document.querySelectorAll('title').length, document.querySelectorAll('body title').length]")
        .await;
    assert_eq!(titles, serde_json::json!([1, 0]), "titles in the page");

    // So does sending, once Ann's own message has come back.
    ann.send("yes", Submit::Enter).await;
    ann.wait_for_log("yes").await;
    ann.wait_for_title(&plain).await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// Every flow with the keyboard alone (Tab, Enter and typing, as WebDriver
/// key actions), JavaScript on: the focus lands somewhere sensible after
/// every swap and every new page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_works_with_the_keyboard_alone() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("every_flow_works_with_the_keyboard_alone").await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;

    // Home: the skip link leads to the Name box; Enter there takes the name
    // and starts nothing.
    ann.open(&server.url("/")).await;
    ann.textbox("Name").await;
    ann.key(Key::Tab).await;
    ann.wait_for_focus("a:Skip to your name").await;
    ann.key(Key::Enter).await;
    ann.wait_for_focus("#name").await;
    ann.type_over("Ann").await;
    ann.script("document.getElementById('greeting').kept = true")
        .await;
    ann.key(Key::Enter).await;
    ann.find("//*[@id='greeting'][contains(., 'Hello, Ann.')]")
        .await;
    assert_eq!(ann.path().await, "/", "Enter in the Name box goes nowhere");
    assert_eq!(
        ann.script("return document.getElementById('greeting').kept === true")
            .await,
        json!(true),
        "the greeting's live region stays in the page (the form is morphed), so it is announced"
    );
    ann.wait_for_focus("#code").await;

    // A wrong code: the error, the code kept, the focus on the code box.
    ann.tab_to("#code").await;
    ann.type_text("ZZZZ").await;
    ann.key(Key::Enter).await;
    ann.find("//p[@role='alert'][starts-with(normalize-space(), 'No room with code ZZZZ')]")
        .await;
    ann.wait_for_value("Room code", "ZZZZ").await;
    ann.wait_for_focus("#code").await;

    // Create a private room: in the room, the focus is at the top of the
    // page; the skip link, the first stop, leads to the message box.
    ann.activate("#create").await;
    let code = ann
        .wait_for_room()
        .await
        .trim_start_matches("/r/")
        .to_owned();
    ann.wait_for_focus("body").await;
    ann.key(Key::Tab).await;
    ann.wait_for_focus("a:Skip to message box").await;
    ann.key(Key::Enter).await;
    ann.wait_for_focus("#message").await;

    // Join it with a code and Enter.
    bob.open(&server.url("/")).await;
    bob.textbox("Name").await;
    bob.tab_to("#name").await;
    bob.type_over("Bob").await;
    bob.tab_to("#code").await;
    bob.type_text(&code).await;
    bob.key(Key::Enter).await;
    bob.wait_for_path(&format!("/r/{code}")).await;
    bob.wait_for_focus("body").await;

    // The skip link on the room page leads to the message box.
    bob.open(&server.url(&format!("/r/{code}"))).await;
    bob.wait_for_focus("body").await;
    bob.activate("a:Skip to message box").await;
    bob.wait_for_focus("#message").await;

    // Send: the box is empty and keeps the focus.
    ann.type_text("typed, not clicked").await;
    ann.key(Key::Enter).await;
    bob.wait_for_log("typed, not clicked").await;
    ann.wait_for_value("Message", "").await;
    ann.wait_for_focus("#message").await;

    // Rename: the focus stays in the Name box, the change is said.
    ann.tab_to("#rename-name").await;
    ann.type_over("Annie").await;
    ann.script("document.querySelector('#rename [role=status]').kept = true")
        .await;
    ann.key(Key::Enter).await;
    ann.find("//form[@id='rename']//*[@role='status'][contains(., 'Your name is now Annie.')]")
        .await;
    assert_eq!(
        ann.script("return document.querySelector('#rename [role=status]').kept === true")
            .await,
        json!(true),
        "the rename status stays in the page, so it is announced"
    );
    ann.wait_for_focus("#rename-name").await;
    bob.wait_for_log("Ann is now known as Annie").await;
    // ...and with its button, which keeps the focus too.
    ann.type_over("Ann").await;
    ann.activate("#rename-button").await;
    bob.wait_for_log("Annie is now known as Ann").await;
    ann.wait_for_focus("#rename-button").await;

    // Leave: home, with the focus back at the start of the page.
    ann.activate("button:Leave").await;
    ann.wait_for_path("/").await;
    ann.wait_for_focus("body").await;
    bob.wait_for_log("Ann left").await;

    // Pair, then cancel.
    ann.pair_and_cancel_by_keyboard().await;

    // Pair for real: Bob leaves his room and queues too.
    ann.textbox("Name").await;
    ann.activate("#pair").await;
    ann.wait_for_path("/pair").await;
    bob.activate("button:Leave").await;
    bob.wait_for_path("/").await;
    bob.textbox("Name").await;
    bob.activate("#pair").await;
    let room = bob.wait_for_room().await;
    assert_eq!(ann.wait_for_room().await, room, "paired");
    ann.wait_for_focus("body").await;
    bob.wait_for_focus("body").await;
    ann.activate("a:Skip to message box").await;
    ann.wait_for_focus("#message").await;

    // Bob leaves; Ann finds a new stranger from the keyboard.
    bob.activate("button:Leave").await;
    ann.wait_for_log("Bob left the chat").await;
    // Find a new stranger took the send form's place and the Message box's
    // `id` (so the focus, which was in the box, moved to it).
    ann.find("//div[@id='send']//button[@id='message'][normalize-space()='Find a new stranger']")
        .await;
    ann.activate("#message").await;
    ann.wait_for_path("/pair").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// The keyboard alone without JavaScript: every form is a page load, and each
/// new page puts the focus where the person goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_works_with_the_keyboard_alone_without_javascript() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "every_flow_works_with_the_keyboard_alone_without_javascript",
        &["--pair-hold", "0"],
    )
    .await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;

    ann.open(&server.url("/")).await;
    ann.textbox("Name").await;
    ann.tab_to("#name").await;
    ann.type_over("Ann").await;
    ann.key(Key::Enter).await;
    ann.find("//*[@id='greeting'][contains(., 'Hello, Ann.')]")
        .await;
    ann.wait_for_focus("#code").await;

    ann.type_text("ZZZZ").await;
    ann.key(Key::Enter).await;
    ann.find("//p[@role='alert'][starts-with(normalize-space(), 'No room with code ZZZZ')]")
        .await;
    ann.wait_for_value("Room code", "ZZZZ").await;
    ann.wait_for_focus("#code").await;

    ann.activate("#create").await;
    let room = ann.wait_for_room().await;
    ann.wait_for_focus("body").await;
    ann.activate("a:Skip to message box").await;
    ann.wait_for_focus("#message").await;

    ann.type_text("sent without scripts").await;
    ann.mark_page().await;
    ann.key(Key::Enter).await;
    ann.wait_for_new_page().await;
    ann.wait_for_page_log(Js::Off, "sent without scripts").await;
    ann.wait_for_path(&room).await;
    ann.wait_for_focus("#message").await;

    ann.tab_to("#rename-name").await;
    ann.type_over("Annie").await;
    ann.mark_page().await;
    ann.key(Key::Enter).await;
    ann.wait_for_new_page().await;
    ann.wait_for_page_log(Js::Off, "Ann is now known as Annie")
        .await;
    ann.wait_for_path(&room).await;
    ann.wait_for_focus("body").await;

    ann.activate("button:Leave").await;
    ann.wait_for_path("/").await;
    ann.textbox("Name").await;
    ann.wait_for_focus("body").await;
    ann.pair_and_cancel_by_keyboard().await;

    ann.close().await;
    server.shut_down().await;
}

/// axe-core finds nothing in any state of any page, with JavaScript on and
/// off, in the light theme and the dark one: home (empty, with errors, after
/// Enter took the name), error pages (no such page, no such room, a full
/// room), a room (no messages yet, refused messages: empty, too long, too
/// fast; messages and notices), the log document, the waiting page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_of_every_page_passes_axe() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "every_state_of_every_page_passes_axe",
        &[
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
        ],
    )
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

/// At 320 px wide, with JavaScript on and off: no sideways scrolling, even
/// with long names and words, and every control at least 44 x 44 px. Less
/// motion when the person asks for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_at_320_px_and_less_motion() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with("phones_at_320_px_and_less_motion", &["--pair-hold", "0"]).await
    else {
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
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage("screenshots_of_a_phone_in_light_and_dark").await
    else {
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

/// **Find a new stranger** refused (the queue is full of waiters whose pages
/// closed): the reason shows and is announced next to the button, which has
/// the focus, and the person is still in the room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_find_a_new_stranger_says_why_where_the_button_is() {
    use livechat::chat::{Member, MemberId, Name, Seed};
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "a_refused_find_a_new_stranger_says_why_where_the_button_is",
        &["--max-queue", "1", "--grace", "120"],
    )
    .await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    ann.queue_for_stranger(&server, "Ann").await;
    bob.queue_for_stranger(&server, "Bob").await;
    let room = bob.wait_for_room().await;
    assert_eq!(ann.wait_for_room().await, room, "paired");
    bob.press("Leave").await;
    ann.wait_for_log("Bob left the chat").await;

    // Carol queued, opened her waiting page and closed it: she holds the one
    // place in the queue for the grace period, and cannot be paired.
    let carol = Member {
        id: MemberId::random(),
        name: Name::parse("Carol", 32).expect("name"),
        seed: Seed::random(),
    };
    server.state.chat.queue(&carol).await.expect("Carol queues");
    drop(
        server
            .state
            .chat
            .watch_pairing(carol.id)
            .await
            .expect("within the caps")
            .expect("Carol's page"),
    );

    // The one shown: it took the send form's place when Bob left.
    ann.find("//div[@id='send']//button[normalize-space()='Find a new stranger']")
        .await
        .click()
        .await
        .must("press Find a new stranger");
    ann.find(
        "//div[@id='send']//form[contains(@class, 'pair-again')]/p[@role='alert'][normalize-space()='The queue is full right now: try again in a minute']",
    )
    .await;
    ann.wait_for_focus("button:Find a new stranger").await;
    assert_eq!(ann.path().await, room, "Ann is still in the room");
    assert_no_axe_violations(&ann.c, "pair room, Find a new stranger refused").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// htmx 4.0.1 does not retry a stream whose first request failed (a blip at
/// load, a proxy's 502, a restart at that moment). The room page says so by
/// itself after a few seconds, with a link that reloads it, and leaves what
/// is typed alone; the proxy's error page never lands in the log. A page
/// whose stream connects never shows the notice, nor does the page without
/// JavaScript, whose log document is live by itself. Readable and passing
/// axe in the light and the dark theme, at 320 px, with less motion too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_first_stream_request_fails_says_so() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::response::IntoResponse;

    // The first two room streams asked for answer as a failing proxy would.
    let failures = Arc::new(AtomicUsize::new(2));
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let failures = failures.clone();
            async move {
                let stream = req.uri().path().ends_with("/events");
                let fail = stream
                    && failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                if fail {
                    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
                    return (
                        axum::http::StatusCode::BAD_GATEWAY,
                        [(axum::http::header::CONTENT_TYPE, "text/html")],
                        page,
                    )
                        .into_response();
                }
                next.run(req).await
            }
        },
    ));
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with_routes("a_page_whose_first_stream_request_fails_says_so", routes).await
    else {
        return;
    };
    const NOTICE: &str = "//p[@id='stream-status'][@role='status']\
        [contains(normalize-space(), 'Live updates are not connected.')]";
    const RELOAD: &str = "//p[@id='stream-status']//a[normalize-space()='Reload the page']";

    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    ann.textbox("Message")
        .await
        .send_keys("half typed")
        .await
        .must("type");
    ann.wait_for_notice(true).await;
    assert_eq!(ann.value("Message").await, "half typed", "the text stays");
    let log = ann.log_text().await.expect("the log");
    assert!(
        !log.contains("Bad Gateway"),
        "no error page in the log: {log}"
    );
    ann.find(NOTICE).await;
    assert_no_axe_violations(&ann.c, "room page whose stream never connected").await;

    // The same in the dark, at 320 px, with less motion.
    let switches: Vec<&str> = DARK.iter().chain(REDUCED_MOTION).copied().collect();
    let dee = driver.person_with("Dee", Js::On, &switches).await;
    assert_eq!(
        dee.script("return matchMedia('(prefers-color-scheme: dark)').matches && matchMedia('(prefers-reduced-motion: reduce)').matches").await,
        json!(true),
        "the browser asks for dark and less motion"
    );
    dee.set_viewport(320, 700).await;
    dee.join_room(&server, "Dee", &code).await;
    dee.wait_for_notice(true).await;
    dee.assert_no_sideways_scrolling("not-connected notice at 320 px")
        .await;
    assert_no_axe_violations(&dee.c, "not-connected notice, dark, 320 px").await;

    // The link reloads the page, whose stream now connects: no notice, live.
    ann.find(RELOAD).await.click().await.must("reload");
    ann.wait_for_log("Dee joined").await;
    ann.send("back live", Submit::Enter).await;
    ann.wait_for_log("back live").await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    ann.wait_for_notice(false).await;
    assert_no_axe_violations(&ann.c, "room page live again").await;

    // Without JavaScript the log document is live by itself: no notice.
    let bob = driver.person("Bob", Js::Off).await;
    bob.join_room(&server, "Bob", &code).await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    bob.wait_for_notice(false).await;

    ann.close().await;
    dee.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// Many people behind one address share one budget of messages: past it a
/// post is refused on the Message field, with the text still in the box,
/// with JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_over_the_addresss_budget_keeps_the_text() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "a_post_over_the_addresss_budget_keeps_the_text",
        &["--address-messages", "1", "--rate-window", "600"],
    )
    .await
    else {
        return;
    };
    let why = "Too many messages from your network address";
    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    ann.send_and_see(Js::On, &format!("/r/{code}"), "the one message")
        .await;
    let bob = driver.person("Bob", Js::Off).await;
    bob.create_room(&server, "Bob").await;
    for (person, text) in [(&ann, "over the budget"), (&bob, "over it without script")] {
        person.fill("Message", text).await;
        person.press("Send").await;
        person
            .find(&format!(
                "//p[@role='alert'][contains(., {})]",
                xpath_literal(why)
            ))
            .await;
        person.wait_for_value("Message", text).await;
    }
    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// What `.unsent` ("Not sent: no connection") shows: whether its words are
/// visible, and the Message box's value.
const UNSENT_SHOWN: &str = "const words = document.querySelector('#send .unsent > span');
    return !!words && getComputedStyle(words).visibility === 'visible'
        && words.getBoundingClientRect().height > 0;";

/// A send that cannot reach the server says so by the Message box, and the
/// text stays: a proxy's 502 (not swapped into the page), then the server
/// stopped. While a post is in flight the button shows "Sending…". After a
/// restart without `--secret` (a new key on the same port) the session is
/// gone: a send says so and leads back in through **Join**, not as a
/// cross-site refusal, with JavaScript on and off. axe in every state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_fails_says_so_and_keeps_the_text() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};

    use axum::response::IntoResponse;

    const PASS: u8 = 0;
    const SLOW: u8 = 1;
    const PROXY_DOWN: u8 = 2;
    let mode = Arc::new(AtomicU8::new(PASS));
    let layer_mode = mode.clone();
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let mode = layer_mode.load(Ordering::SeqCst);
            async move {
                let post = req.method() == axum::http::Method::POST
                    && req.uri().path().ends_with("/messages");
                if post && mode == PROXY_DOWN {
                    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
                    return (
                        axum::http::StatusCode::BAD_GATEWAY,
                        [(axum::http::header::CONTENT_TYPE, "text/html")],
                        page,
                    )
                        .into_response();
                }
                if post && mode == SLOW {
                    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                }
                next.run(req).await
            }
        },
    ));
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with_routes(
        "a_send_that_fails_says_so_and_keeps_the_text",
        routes.clone(),
    )
    .await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    // A public room: it is still there after the restart.
    let code = "general";
    ann.join_room(&server, "Ann", code).await;
    bob.join_room(&server, "Bob", code).await;
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "a fresh page shows no failure"
    );

    // In flight: the button says so, and is still named Send.
    mode.store(SLOW, Ordering::SeqCst);
    ann.send("a slow one", Submit::Enter).await;
    let sending = ann
        .script(
            "const b = document.querySelector('#send button');
             return [document.querySelector('#send').classList.contains('htmx-request'),
                     getComputedStyle(b, '::after').content];",
        )
        .await;
    assert_eq!(sending, json!([true, "\"Sending…\" / \"\""]), "{sending}");
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "not while in flight"
    );
    ann.wait_for_log("a slow one").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(ann.script(UNSENT_SHOWN).await, json!(false), "it was sent");

    // A proxy's 502: not swapped in; the words show, the text stays.
    mode.store(PROXY_DOWN, Ordering::SeqCst);
    ann.send("through a broken proxy", Submit::Enter).await;
    ann.find("//p[@role='alert'][normalize-space()='Not sent: no connection. Your message is still here.']")
        .await;
    eventually("the words show after a 502", LIVE, || async {
        match ann.script(UNSENT_SHOWN).await {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
    assert_eq!(ann.value("Message").await, "through a broken proxy");
    assert_eq!(
        ann.focused().await,
        "#message",
        "the focus stays in the box"
    );
    let page = ann.script("return document.body.innerText").await;
    assert!(!page.to_string().contains("Bad Gateway"), "{page}");
    assert_no_axe_violations(&ann.c, "a send answered 502 by a proxy").await;

    // The proxy is back: the same text goes, and the words go away.
    mode.store(PASS, Ordering::SeqCst);
    ann.press("Send").await;
    ann.wait_for_log("through a broken proxy").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(ann.script(UNSENT_SHOWN).await, json!(false));

    // The server stops: the same words, the text kept.
    let addr = server.addr;
    server.shut_down().await;
    ann.send("while the server is down", Submit::Button).await;
    eventually("the words show with the server down", LIVE, || async {
        match ann.script(UNSENT_SHOWN).await {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
    assert_eq!(ann.value("Message").await, "while the server is down");
    assert_no_axe_violations(&ann.c, "a send with the server down").await;

    // Started again with a new key (no --secret): the session ended.
    let server = common::spawn_site_at(addr, &[], routes).await;
    const ENDED: &str =
        "//p[@role='alert'][normalize-space()='Your session ended: press Join to come back in.']";
    ann.press("Send").await;
    ann.find(ENDED).await;
    ann.wait_for_value("Message", "while the server is down")
        .await;
    let shown = ann
        .script("return document.body.innerText")
        .await
        .to_string();
    assert!(!shown.contains("another site"), "{shown}");
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "an answer came: no 'no connection'"
    );
    assert_no_axe_violations(&ann.c, "a send after the session ended").await;
    ann.fill("Name", "Annie").await;
    ann.press("Change name").await;
    ann.find(&format!("//form[@id='rename']{}", &ENDED[1..]))
        .await;
    ann.wait_for_value("Name", "Annie").await;
    assert_no_axe_violations(&ann.c, "a rename after the session ended").await;

    bob.fill("Message", "Bob after the restart").await;
    bob.press("Send").await;
    bob.find(ENDED).await;
    bob.wait_for_value("Message", "Bob after the restart").await;
    assert_no_axe_violations(&bob.c, "a send after the session ended (no JavaScript)").await;

    // Join leads back in: the room page sends a person with no name home
    // with the code filled in.
    ann.find(&format!("{ENDED}/a[normalize-space()='Join']"))
        .await
        .click()
        .await
        .must("follow Join");
    ann.wait_for_path("/").await;
    ann.wait_for_value("Room code", code).await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// At 320 px an alert by the Message box takes the log's room, not the
/// box's: the box stays where it was, fully on screen, and nothing scrolls
/// sideways: a refusal (too fast), then "Not sent" with the server down, in
/// the dark and with less motion (which must not stop the "Not sent" alert).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_320_px_an_alert_never_pushes_the_message_box_off_screen() {
    let Some(Stage {
        server,
        mut driver,
        _one_at_a_time,
    }) = stage_with(
        "at_320_px_an_alert_never_pushes_the_message_box_off_screen",
        &["--rate-messages", "1", "--rate-window", "600"],
    )
    .await
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
    eventually("'Not sent' shows with less motion", LIVE, || async {
        match ann.script(UNSENT_SHOWN).await {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
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
#[path = "browser/lost.rs"]
mod lost;
#[path = "browser/nojs.rs"]
mod nojs;
