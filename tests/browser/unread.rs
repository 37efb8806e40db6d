//! The unread marker as a person meets it: after being away, a reload shows
//! "New since you were last here" before the first message they had not
//! seen, the second skip link leads there, and the log opens there when it
//! is further up than the log's height; with JavaScript and without.

use super::harness::*;
use serde_json::{Value, json};

/// Where the divider stands in the log's view: whether the log shows it
/// (inside its box), and whether the newest item is in view too.
const OPENED_AT: &str = "const log = document.querySelector('[role=log]');
    const d = document.getElementById('unread');
    if (!log || !d) return null;
    const l = log.getBoundingClientRect(), r = d.getBoundingClientRect();
    const items = log.querySelectorAll('li.msg, li.notice');
    const newest = items[items.length - 1].getBoundingClientRect();
    return [r.top >= l.top - 1 && r.bottom <= l.bottom + 1, newest.top < l.bottom && newest.bottom > l.top,
        d.textContent.trim(), d.firstElementChild.tagName];";

/// Bob may say more than a screenful at once.
const FAST: &[&str] = &["--rate-messages", "100", "--address-messages", "300"];

async fn opened_at(person: &Person) -> Value {
    person
        .c
        .execute(OPENED_AT, vec![])
        .await
        .must("where the log opened")
}

/// Ann leaves the room's page; Bob says `n` things; Ann comes back.
async fn away_while_bob_talks(
    ann: &Person,
    bob: &Person,
    server: &crate::common::TestServer,
    room: &str,
    n: usize,
) {
    ann.open(&server.url("/")).await;
    for i in 0..n {
        bob.send(&format!("news number {i}"), Submit::Enter).await;
        bob.wait_for_log(&format!("news number {i}")).await;
    }
    ann.open(&server.url(&format!("/r/{room}"))).await;
}

/// Ann with JavaScript: nothing new on her first visit; after Bob said a
/// screenful while she was away, her reload shows the divider (a small
/// heading), opens the log at it rather than at the newest, and offers
/// **Skip to new messages** as the second Tab stop; then it is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_reload_the_log_opens_at_new_since_you_were_last_here() {
    let Some(Stage { server, mut driver }) = stage_with(FAST).await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    let room = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &room).await;
    ann.wait_for_log("Bob joined").await;
    ann.find("//a[normalize-space()='Skip to message box']")
        .await;
    assert!(
        ann.c.find(fantoccini::Locator::Id("unread")).await.is_err(),
        "nothing new on a first visit"
    );

    away_while_bob_talks(&ann, &bob, &server, &room, 30).await;
    ann.wait_for_log("news number 29").await;
    let link = ann
        .find("//a[normalize-space()='Skip to new messages']")
        .await;
    assert_eq!(
        link.attr("href").await.must("href").as_deref(),
        Some("#unread")
    );
    let at = opened_at(&ann).await;
    assert_eq!(at[2], json!("New since you were last here"), "{at}");
    assert_eq!(at[3], json!("H3"), "a small heading: {at}");
    assert_eq!(at[0], json!(true), "the log opened at the divider: {at}");
    assert_eq!(
        at[1],
        json!(false),
        "not at the newest, a screen below: {at}"
    );
    assert_no_axe_violations(&ann.c, "the unread divider").await;

    // The skip link is the second stop of the keyboard.
    ann.key(fantoccini::key::Key::Tab).await;
    ann.key(fantoccini::key::Key::Tab).await;
    assert_eq!(ann.focused().await, "a:Skip to new messages");

    // Seen now: the next load has no divider.
    ann.open(&server.url(&format!("/r/{room}"))).await;
    ann.wait_for_log("news number 29").await;
    assert!(
        ann.c.find(fantoccini::Locator::Id("unread")).await.is_err(),
        "nothing new since"
    );
}

/// Ann without JavaScript, in the dark theme: the framed log document opens
/// at the divider by its fragment; the page's skip link is there too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_log_document_opens_at_the_divider() {
    let Some(Stage { server, mut driver }) = stage_with(FAST).await else {
        return;
    };
    // In the dark theme: axe judges the divider's colours there too.
    let ann = driver.person_with("Ann", Js::Off, DARK).await;
    let bob = driver.person("Bob", Js::On).await;
    let room = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &room).await;
    ann.wait_for_page_log(Js::Off, "Bob joined").await;

    away_while_bob_talks(&ann, &bob, &server, &room, 30).await;
    ann.wait_for_page_log(Js::Off, "news number 29").await;
    ann.find("//a[normalize-space()='Skip to new messages']")
        .await;
    let frame = ann.log_frame().await;
    frame.enter_frame().await.must("enter Ann's log iframe");
    let at = opened_at(&ann).await;
    assert_eq!(at[2], json!("New since you were last here"), "{at}");
    assert_eq!(
        at[0],
        json!(true),
        "the document opened at the divider: {at}"
    );
    assert_eq!(at[1], json!(false), "not at the newest: {at}");
    ann.c.enter_parent_frame().await.must("back to the page");
    assert_no_axe_violations(&ann.c, "the unread divider without JavaScript, dark").await;
}
