//! Chatting in a room with JavaScript on and off: live messages and notices,
//! the focus kept in the message box, the tab's title.

use super::*;

/// Two people talk in a private room with JavaScript on: everything arrives
/// live, the message box is emptied and keeps the focus; axe finds nothing;
/// screenshots for the README.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_live_with_javascript() {
    let Some(Stage { server, mut driver }) = stage().await else {
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
    let Some(Stage { server, mut driver }) = stage().await else {
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

    // Without JavaScript the Online list is a streamed document of its own.
    let online = super::nojs::online_frame(&ann).await;
    super::nojs::wait_for_frame_online(&ann, &online, &["Ann", "Bob"], &[]).await;

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
    let Some(Stage { server, mut driver }) = stage().await else {
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
    let Some(Stage { server, mut driver }) = stage().await else {
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

/// The tab's title names the room, says when something new arrived, and goes
/// back to the room's name when the person returns to the tab or sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tab_title_tells_the_room_and_new_activity() {
    let Some(Stage { server, mut driver }) = stage().await else {
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
