//! Every flow with the keyboard alone, with JavaScript and without.

use super::*;

/// A wrong code typed into the focused Room code box and sent with Enter:
/// the error, the code kept, the focus on the code box.
async fn a_wrong_code_by_keyboard(person: &Person) {
    person.type_text("ZZZZ").await;
    person.key(Key::Enter).await;
    person
        .find("//p[@role='alert'][starts-with(normalize-space(), 'No room with code ZZZZ')]")
        .await;
    person.wait_for_value("Room code", "ZZZZ").await;
    person.wait_for_focus("#code").await;
}

/// Every flow with the keyboard alone (Tab, Enter and typing, as WebDriver
/// key actions), JavaScript on: the focus lands somewhere sensible after
/// every swap and every new page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_works_with_the_keyboard_alone() {
    let Some(Stage { server, mut driver }) = stage().await else {
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
    a_wrong_code_by_keyboard(&ann).await;

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
    let Some(Stage { server, mut driver }) = stage_with(&["--pair-hold", "0"]).await else {
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

    a_wrong_code_by_keyboard(&ann).await;

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
