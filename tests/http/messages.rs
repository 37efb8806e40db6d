//! A message's own page and **Delete**: for the room's members only, the
//! actions each viewer may take, deleting one's own message (with and
//! without htmx) back to the room at its place, and each refusal said.

use std::sync::Arc;
use std::time::Duration;

use livechat::chat::memory::MemoryStore;
use livechat::chat::rate::MemoryLimits;
use livechat::chat::{Chat, Clock, rules};

use super::*;

/// The page of the newest message in `body` (a room page), from its time.
fn newest_message(body: &str) -> String {
    let link = body
        .rsplit(r#"<a class="when" href=""#)
        .next()
        .and_then(|rest| rest.split('"').next())
        .expect("a message's time links to its page");
    assert!(link.starts_with("/r/"), "{link}");
    link.to_owned()
}

/// Ann's "hello" in the general room of a fresh site, and its page.
async fn ann_said_hello(flags: &[&str]) -> (Visitor, String) {
    let mut ann = site(flags);
    ann.join("Ann", "general").await;
    ann.post("/r/general/messages", &[("text", "hello")]).await;
    let room = ann.get("/r/general").await;
    let page = newest_message(&room.body);
    (ann, page)
}

#[tokio::test]
async fn a_messages_time_leads_to_its_page_with_the_viewers_actions() {
    let (mut ann, page) = ann_said_hello(&[]).await;
    let room = ann.get("/r/general").await;
    room.assert_has(&format!(
        r#"<a class="when" href="{page}" target="_top"><time datetime="20"#
    ));
    let own = ann.get(&page).await;
    assert_eq!(own.status, StatusCode::OK);
    own.assert_has("<title>Message from Ann · livechat</title>");
    own.assert_has("<h1>Message from <bdi>Ann</bdi></h1>");
    own.assert_has(r#"<p class="text" dir="auto">hello</p>"#);
    own.assert_has(" UTC</time>");
    own.assert_has(&format!(r#"action="{page}/delete""#));
    own.assert_has(">Delete</button>");
    assert!(!own.body.contains("Report") && !own.body.contains("Ignore"));
    let id = page.rsplit('/').next().expect("id");
    own.assert_has(&format!(
        r#"<a href="/r/general#e{id}">Back to the room</a>"#
    ));

    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    let theirs = bob.get(&page).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains(">Delete</button>"));
    theirs.assert_has(&format!(r#"action="{page}/report""#));
    theirs.assert_has(r#"name="reason" value="spam" required"#);
    theirs.assert_has(">Report</button>");
    theirs.assert_has("/ignore\" method=\"post\"");
    theirs.assert_has("<span>Ignore <bdi>Ann</bdi></span></button>");
}

#[tokio::test]
async fn a_message_page_is_for_the_rooms_members_and_its_messages_only() {
    let (mut ann, page) = ann_said_hello(&[]).await;
    let mut nobody = ann.stranger();
    assert_eq!(nobody.get(&page).await.status, StatusCode::NOT_FOUND);
    let mut eve = ann.stranger();
    eve.post("/rooms", &[("name", "Eve")]).await;
    assert_eq!(eve.get(&page).await.status, StatusCode::NOT_FOUND);
    let id = page.rsplit('/').next().expect("id");
    let (epoch, seq) = id.split_once('-').expect("epoch-seq");
    let seq: u64 = seq.parse().expect("seq");
    for other in [
        format!("/r/general/m/{epoch}-{}", seq + 5),
        format!("/r/general/m/{epoch}-{}", seq - 1),
        "/r/general/m/1-1".to_owned(),
        "/r/general/m/nonsense".to_owned(),
        "/r/general/m/-1".to_owned(),
        format!("/r/ZZZZ/m/{id}"),
    ] {
        let answer = ann.get(&other).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{other}");
        answer.assert_has("Nothing here");
    }
}

#[tokio::test]
async fn deleting_ones_message_leads_back_to_its_place_without_and_with_htmx() {
    let (mut ann, page) = ann_said_hello(&[]).await;
    let id = page.rsplit('/').next().expect("id").to_owned();
    let plain = ann.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(plain.location(), format!("/r/general#e{id}"));
    let room = ann.get("/r/general").await;
    room.assert_has(&format!(r#"<li class="msg deleted" id="e{id}""#));
    room.assert_has(r#"<p class="text gone">Message deleted</p>"#);
    assert!(!room.body.contains(">hello<"), "its text is gone");
    let gone = ann.get(&page).await;
    gone.assert_has("This message was deleted.");
    assert!(!gone.body.contains("<form action"), "nothing left to do");
    // Again: nothing changes, and the person is back in the room.
    let again = ann.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);

    ann.post("/r/general/messages", &[("text", "second")]).await;
    let second = newest_message(&ann.get("/r/general").await.body);
    let htmx = ann.htmx_post(&format!("{second}/delete"), &[]).await;
    assert_eq!(htmx.status, StatusCode::OK);
    let id = second.rsplit('/').next().expect("id");
    assert_eq!(htmx.headers["hx-redirect"], format!("/r/general#e{id}"));
}

#[tokio::test]
async fn deleting_someone_elses_message_is_refused_with_the_reason() {
    let (ann, page) = ann_said_hello(&[]).await;
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    let plain = bob.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(plain.status, StatusCode::FORBIDDEN);
    plain.assert_has(
        r#"<p class="error" role="alert">Only the person who sent a message can delete it</p>"#,
    );
    plain.assert_has(r#"<p class="text" dir="auto">hello</p>"#);
    let htmx = bob.htmx_post(&format!("{page}/delete"), &[]).await;
    assert_eq!(htmx.status, StatusCode::FORBIDDEN);
    assert!(
        htmx.body.starts_with(
            r#"<div class="delete" id="delete"><p class="error" role="alert">Only the person"#
        ),
        "{}",
        htmx.body
    );
    let room = bob.get("/r/general").await;
    room.assert_has(r#"<p class="text" dir="auto">hello</p>"#);
}

#[tokio::test]
async fn a_cross_site_delete_is_refused_and_changes_nothing() {
    let (mut ann, page) = ann_said_hello(&[]).await;
    for headers in [
        [("origin", "https://evil.test")],
        [("sec-fetch-site", "cross-site")],
    ] {
        let answer = ann
            .post_with(&format!("{page}/delete"), &[], &headers)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    let room = ann.get("/r/general").await;
    room.assert_has(r#"<p class="text" dir="auto">hello</p>"#);
}

#[tokio::test]
async fn a_message_older_than_five_minutes_is_no_longer_its_authors_to_delete() {
    let config = common::config(&[]);
    let clock = Clock::movable();
    let settings = livechat::store_settings(&config).expect("settings");
    let render = Arc::new(livechat::views::stream::Renderer);
    let chat: Chat = Arc::new(MemoryStore::with_clock(settings, render, clock.clone()));
    let (state, trigger) = AppState::with_chat(config, chat, &MemoryLimits).expect("state");
    let mut ann = Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: Arc::new(trigger),
    };
    ann.join("Ann", "general").await;
    ann.post("/r/general/messages", &[("text", "hello")]).await;
    let page = newest_message(&ann.get("/r/general").await.body);
    clock.advance(rules::DELETE_WITHIN + Duration::from_secs(1));
    let late = ann.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    late.assert_has(
        r#"role="alert">A message can be deleted only in the first 5 minutes after it was sent</p>"#,
    );
    late.assert_has(r#"<p class="text" dir="auto">hello</p>"#);
}
