//! Random chat: the queue, the waiting page and its hold, the pair's room.

use super::*;

impl Visitor {
    async fn htmx_get(&mut self, path: &str) -> Answer {
        let req = self
            .request("GET", path)
            .header("hx-request", "true")
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }
}

#[tokio::test]
async fn home_offers_a_random_stranger() {
    let mut me = site(&[]);
    let home = me.get("/").await;
    assert!(home.body.contains(
        r##"formaction="/pair" hx-post="/pair" hx-target="#start" hx-swap="outerMorph">Chat with a random stranger</button>"##
    ));
}

#[tokio::test]
async fn queuing_for_a_stranger_checks_the_name_like_joining() {
    let mut me = site(&[]);
    let page = me.post("/pair", &[("name", "   ")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_has(r#"role="alert">Enter a name"#);
    assert!(page.body.contains("<h1>livechat</h1>"), "a whole page");
    let long = "x".repeat(40);
    let fragment = me.htmx_post("/pair", &[("name", &long)]).await;
    assert_eq!(fragment.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fragment.body.starts_with("<form"), "a fragment");
    assert!(
        fragment.body.contains(&format!(r#"value="{long}""#)),
        "kept"
    );
    assert!(me.cookie.is_none(), "no session for a refused name");
}

#[tokio::test]
async fn a_queued_person_sees_the_waiting_page_and_can_cancel() {
    let mut ann = site(&[]);
    let queued = ann.post("/pair", &[("name", "Ann")]).await;
    assert_eq!(queued.status, StatusCode::SEE_OTHER);
    assert_eq!(
        queued.location(),
        "/pair",
        "the waiting page at once, JavaScript or not"
    );
    assert!(ann.cookie.is_some(), "signed in");
    let page = ann.get("/pair").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Waiting for a stranger</h1>"));
    assert!(
        page.body
            .contains(r#"<div id="pair-status" role="status">"#)
    );
    // Only true with JavaScript: the no-JS stylesheet hides it.
    assert!(page.body.contains(
        r#"<span class="moves"> This page moves to your chat as soon as a stranger is found.</span>"#
    ));
    assert!(page.body.contains(r#"hx-sse:connect="/pair/events""#));
    assert!(
        page.body
            .contains(r#"<iframe class="pair-frame" src="/pair/wait""#)
    );
    assert!(
        page.body
            .contains(r#"<form action="/pair/cancel" method="post">"#)
    );
    assert!(page.body.contains(">Cancel</button>"));
    assert!(!page.body.contains("http-equiv"), "no meta refresh");
    let metrics = ann.get("/metrics").await.body;
    assert!(
        metrics.lines().any(|l| l == "livechat_queue 1"),
        "{metrics}"
    );

    let cancelled = ann.post("/pair/cancel", &[]).await;
    assert_eq!(
        (cancelled.status, cancelled.location()),
        (StatusCode::SEE_OTHER, "/")
    );
    let page = ann.get("/pair").await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, "/"));
    let metrics = ann.get("/metrics").await.body;
    assert!(
        metrics.lines().any(|l| l == "livechat_queue 0"),
        "{metrics}"
    );
}

#[tokio::test]
async fn two_strangers_are_sent_to_one_new_room() {
    let mut ann = site(&[]);
    let mut bob = ann.stranger();
    ann.post("/pair", &[("name", "Ann")]).await;
    let waiting = ann.htmx_get("/pair").await;
    assert_eq!(waiting.status, StatusCode::NO_CONTENT, "nothing to do yet");
    let sent = bob.htmx_post("/pair", &[("name", "Bob")]).await;
    assert_eq!(
        sent.headers.get("hx-redirect").expect("htmx redirect"),
        "/pair"
    );
    let bob_at = bob.get("/pair").await;
    assert_eq!(bob_at.status, StatusCode::SEE_OTHER);
    let room = bob_at.location().to_owned();
    assert!(room.starts_with("/r/"), "{room}");
    let ann_at = ann.htmx_get("/pair").await;
    assert_eq!(ann_at.status, StatusCode::OK);
    assert_eq!(
        ann_at.headers.get("hx-redirect").expect("htmx redirect"),
        room.as_str()
    );
    let page = ann.get(&room).await;
    assert!(
        page.body
            .contains("<bdi>Ann</bdi> and <bdi>Bob</bdi> are now talking: say hello")
    );
    assert!(page.body.contains("2</span> here now"), "both present");
}

#[tokio::test]
async fn find_a_new_stranger_leaves_the_room_and_queues_again() {
    let mut ann = site(&[]);
    let (mut bob, room) = ann.paired_with_bob().await;
    ann.post(&format!("{room}/leave"), &[]).await;
    let page = bob.get(&room).await;
    page.assert_has("<bdi>Ann</bdi> left the chat");
    assert!(
        page.body
            .contains(r#"<form class="pair-again" action="/pair" method="post" target="_top" hx-post="/pair" hx-target="this" hx-swap="outerHTML">"#)
    );
    let code = room.trim_start_matches("/r/");
    assert!(
        page.body
            .contains(&format!(r#"name="leave" value="{code}""#))
    );
    let again = bob.post("/pair", &[("leave", code)]).await;
    assert_eq!(again.location(), "/pair");
    let waiting = bob.get("/pair").await;
    assert!(waiting.body.contains("<h1>Waiting for a stranger</h1>"));
    let gone = bob.get(&room).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "the pair room closed");
}

/// A random-chat room is its own place: its heading names the stranger, it
/// has no code or link to share (nobody else may enter), and once the
/// stranger has left the send form gives way to **Find a new stranger** and
/// **Home**.
#[tokio::test]
async fn a_stranger_room_names_the_stranger_and_offers_a_new_one_once_they_leave() {
    let mut ann = site(&[]);
    let (mut bob, room) = ann.paired_with_bob().await;
    let page = ann.get(&room).await;
    page.assert_has("<h1>Chatting with <bdi>Bob</bdi></h1>");
    assert!(!page.body.contains("Link to share"), "nothing to share");
    assert!(!page.body.contains(r#"id="share""#));
    assert!(
        page.body.contains(r#"<form class="send" id="send""#)
            || page.body.contains(r#"id="send" class="send""#)
    );
    let bobs = bob.get(&room).await;
    assert!(bobs.body.contains("<h1>Chatting with <bdi>Ann</bdi></h1>"));

    ann.post(&format!("{room}/leave"), &[]).await;
    let page = bob.get(&room).await;
    page.assert_has("<h1>Random chat</h1>");
    assert!(!page.body.contains(r#"name="text""#), "no send form");
    page.assert_has(
        r#"<div class="stranger-left" id="send"><p class="left-words">Your stranger left</p>"#,
    );
    assert!(
        page.body.contains(
            r#"<button class="primary" id="message" type="submit">Find a new stranger</button>"#
        ),
        "the button takes the Message box's place: {}",
        page.body
    );
    assert!(page.body.contains(r#"<a class="button" href="/">Home</a>"#));
}

#[tokio::test]
async fn a_full_queue_says_so_and_keeps_the_name() {
    let mut ann = site(&["--max-queue", "0"]);
    let page = ann.post("/pair", &[("name", "Ann")]).await;
    // A full pool of the whole site, not this person asking too often.
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers[header::RETRY_AFTER], "60");
    assert!(
        page.body
            .contains(r#"role="alert">The queue is full right now: try again in a minute</p>"#)
    );
    assert!(page.body.contains(r#"value="Ann""#));
    let fragment = ann.htmx_post("/pair", &[("name", "Ann")]).await;
    assert_eq!(fragment.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fragment.headers[header::RETRY_AFTER], "60");
    assert!(fragment.body.starts_with("<form"));
}

#[tokio::test]
async fn the_waiting_stream_of_someone_not_queued_explains_and_closes() {
    let mut ann = site(&[]);
    let stream = ann.get("/pair/events").await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(
        stream.headers.get(header::CONTENT_TYPE).expect("type"),
        "text/event-stream"
    );
    assert!(stream.body.contains("Your session has ended."));
    assert!(stream.body.ends_with("event: close\ndata: close\n\n"));
    ann.join("Ann", "general").await;
    let stream = ann.get("/pair/events").await;
    assert!(stream.body.contains("You are not waiting for a stranger."));
    let wait = ann.get("/pair/wait").await;
    assert_eq!((wait.status, wait.location()), (StatusCode::SEE_OTHER, "/"));
}

#[tokio::test]
async fn a_held_waiting_page_is_answered_with_the_room_as_soon_as_a_stranger_comes() {
    let mut ann = site(&[]);
    let mut bob = ann.stranger();
    ann.post("/pair", &[("name", "Ann")]).await;
    let req = ann
        .request("GET", "/pair?hold")
        .body(Body::empty())
        .expect("request");
    let held = tokio::spawn(ann.app.clone().oneshot(req));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(!held.is_finished(), "held while nobody else waits");
    bob.post("/pair", &[("name", "Bob")]).await;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(2), held)
        .await
        .expect("answered at once")
        .expect("no panic")
        .expect("infallible");
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let room = answer.headers()[header::LOCATION].to_str().expect("ascii");
    assert!(room.starts_with("/r/"), "{room}");
    let bobs = bob.get("/pair").await;
    assert_eq!(bobs.location(), room, "the same room");
}

#[tokio::test]
async fn after_the_hold_the_waiting_page_shows() {
    let mut ann = site(&["--pair-hold", "0"]);
    ann.post("/pair", &[("name", "Ann")]).await;
    let page = ann.get("/pair?hold").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Waiting for a stranger</h1>"));
}

#[tokio::test]
async fn find_a_new_stranger_refused_says_why_and_the_person_stays() {
    let mut ann = site(&["--max-queue", "0"]);
    let room = ann
        .post("/rooms", &[("name", "Ann")])
        .await
        .location()
        .to_owned();
    assert_eq!(ann.get(&room).await.status, StatusCode::OK);
    let code = room.trim_start_matches("/r/");
    let again = ann.htmx_post("/pair", &[("leave", code)]).await;
    assert_eq!(again.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(again.headers[header::RETRY_AFTER], "60");
    assert!(
        again.body.starts_with(r#"<form class="pair-again""#),
        "{}",
        again.body
    );
    again.assert_has(
        r#"<p class="error" role="alert">The queue is full right now: try again in a minute</p>"#,
    );
    let still = ann
        .htmx_post(&format!("{room}/messages"), &[("text", "still here")])
        .await;
    assert_eq!(still.status, StatusCode::OK, "Ann is still in the room");
}
