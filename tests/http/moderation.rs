//! The console's actions on the real store, end to end: a report made on a
//! real message, and what each action does to the people in the room.

use super::*;

const TOKEN: &str = "correct horse battery staple";

/// The id of the item that holds `text` on a page (`id="e{epoch}-{seq}"`).
fn item_id(page: &str, text: &str) -> String {
    let before = &page[..page.find(text).expect("the message on the page")];
    let start = before.rfind("id=\"e").expect("its item's id") + 5;
    let len = before[start..].find('"').expect("closed");
    before[start..start + len].to_owned()
}

/// Ann and Bob in the general room of a site with a console; Ann has said
/// `text`; the moderator is signed in.
async fn ann_bob_and_a_moderator(text: &str) -> (Visitor, Visitor, Visitor, String) {
    let mut ann = site(&["--admin-token", TOKEN]);
    ann.join("Ann", "general").await;
    let sent = ann.post("/r/general/messages", &[("text", text)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    let page = bob.get("/r/general").await;
    let id = item_id(&page.body, text);
    let mut moderator = ann.stranger();
    let signed = moderator.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    (ann, bob, moderator, id)
}

/// Bob reports Ann's message `id`, and the console shows it as report 1.
async fn reported(bob: &mut Visitor, moderator: &mut Visitor, id: &str) {
    let report = bob
        .post(&format!("/r/general/m/{id}/report"), &[("reason", "spam")])
        .await;
    assert_eq!(report.status, StatusCode::SEE_OTHER, "{}", report.body);
    moderator.get("/admin").await.assert_has("Open reports (1)");
}

#[tokio::test]
async fn a_real_message_reported_reaches_the_console() {
    let text = "Buy cheap pills at spam.example";
    let (_ann, mut bob, mut moderator, id) = ann_bob_and_a_moderator(text).await;
    let report = bob
        .post(&format!("/r/general/m/{id}/report"), &[("reason", "spam")])
        .await;
    assert_eq!(report.status, StatusCode::SEE_OTHER, "{}", report.body);
    assert_eq!(report.location(), "/r/general?reported");
    bob.get(report.location())
        .await
        .assert_has("Thanks: your report was sent to the moderators");
    let again = bob
        .post(&format!("/r/general/m/{id}/report"), &[("reason", "hate")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "counted once");
    let console = moderator.get("/admin").await;
    console.assert_has("Open reports (1)");
    console.assert_has("Spam or advertising");
    console.assert_has(text);
    console.assert_has("<bdi>Ann</bdi>");
    let closed = moderator.post("/admin/close", &[("report", "1")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    moderator.get("/admin").await.assert_has("Open reports (0)");
}

#[tokio::test]
async fn a_moderator_deletes_a_reported_message_for_everyone() {
    let text = "Visit my scam site";
    let (mut ann, mut bob, mut moderator, id) = ann_bob_and_a_moderator(text).await;
    reported(&mut bob, &mut moderator, &id).await;
    let deleted = moderator.post("/admin/delete", &[("report", "1")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    for person in [&mut ann, &mut bob] {
        let page = person.get("/r/general").await;
        assert!(!page.body.contains(text), "the text is gone");
        page.assert_has("Removed by a moderator");
    }
    // The report keeps what was reported, for the moderators; the log says
    // what was done.
    moderator
        .get("/admin")
        .await
        .assert_has("Deleted a message");
}

#[tokio::test]
async fn a_muted_session_sees_its_own_messages_and_nobody_else_does() {
    let (mut ann, mut bob, mut moderator, id) = ann_bob_and_a_moderator("First").await;
    reported(&mut bob, &mut moderator, &id).await;
    let muted = moderator
        .post("/admin/mute", &[("report", "1"), ("secs", "600")])
        .await;
    assert_eq!(muted.status, StatusCode::SEE_OTHER, "{}", muted.body);
    let sent = ann
        .post("/r/general/messages", &[("text", "Nobody hears this")])
        .await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "not told: {}",
        sent.body
    );
    ann.get("/r/general").await.assert_has("Nobody hears this");
    let bobs = bob.get("/r/general").await;
    assert!(!bobs.body.contains("Nobody hears this"), "muted");
    bobs.assert_has("First");
}

#[tokio::test]
async fn a_banned_session_may_neither_post_nor_join() {
    let (mut ann, mut bob, mut moderator, id) = ann_bob_and_a_moderator("Spam").await;
    reported(&mut bob, &mut moderator, &id).await;
    let banned = moderator
        .post("/admin/ban", &[("report", "1"), ("secs", "3600")])
        .await;
    assert_eq!(banned.status, StatusCode::SEE_OTHER, "{}", banned.body);
    let sent = ann
        .post("/r/general/messages", &[("text", "More spam")])
        .await;
    assert_eq!(sent.status, StatusCode::FORBIDDEN, "{}", sent.body);
    sent.assert_has("More spam"); // what was typed is kept
    let joined = ann
        .post("/join", &[("name", "Ann"), ("code", "hobby")])
        .await;
    assert_eq!(joined.status, StatusCode::FORBIDDEN, "{}", joined.body);
    // Bob goes on.
    let bobs = bob.post("/r/general/messages", &[("text", "Hi")]).await;
    assert_eq!(bobs.status, StatusCode::SEE_OTHER, "{}", bobs.body);
}

#[tokio::test]
async fn slow_mode_and_read_only_set_from_the_console_hold_in_the_room() {
    let (mut ann, _bob, mut moderator, _id) = ann_bob_and_a_moderator("Hello").await;
    let slow = moderator
        .post("/admin/slow-mode", &[("room", "general"), ("secs", "30")])
        .await;
    assert_eq!(slow.status, StatusCode::SEE_OTHER, "{}", slow.body);
    ann.get("/r/general")
        .await
        .assert_has("Slow mode: one message every 30");
    let first = ann.post("/r/general/messages", &[("text", "one")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = ann.post("/r/general/messages", &[("text", "two")]).await;
    assert_eq!(
        second.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        second.body
    );
    let read_only = moderator
        .post("/admin/read-only", &[("room", "general"), ("secs", "300")])
        .await;
    assert_eq!(
        read_only.status,
        StatusCode::SEE_OTHER,
        "{}",
        read_only.body
    );
    let refused = ann.post("/r/general/messages", &[("text", "three")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    refused.assert_has("read-only until");
    let log = moderator.get("/admin").await;
    log.assert_has("Action log");
}

#[tokio::test]
async fn a_muted_message_has_no_page_and_no_report_for_anyone_but_its_author() {
    let (mut ann, mut bob, mut moderator, id) = ann_bob_and_a_moderator("First").await;
    reported(&mut bob, &mut moderator, &id).await;
    let muted = moderator
        .post("/admin/mute", &[("report", "1"), ("secs", "600")])
        .await;
    assert_eq!(muted.status, StatusCode::SEE_OTHER, "{}", muted.body);
    let text = "Only Ann reads this";
    let sent = ann.post("/r/general/messages", &[("text", text)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let hidden = item_id(&ann.get("/r/general").await.body, text);
    let own = ann.get(&format!("/r/general/m/{hidden}")).await;
    assert_eq!(own.status, StatusCode::OK, "its author's");
    own.assert_has(text);
    // Ids are numbered in order: Bob could guess it, and finds nothing.
    let guessed = bob.get(&format!("/r/general/m/{hidden}")).await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);
    assert!(!guessed.body.contains(text));
    let report = bob
        .post(
            &format!("/r/general/m/{hidden}/report"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(report.status, StatusCode::NOT_FOUND);
}
