//! `POST /r/{code}/typing`: random chat only, same-site, limited per member,
//! `204`; the room page offers it (with htmx's throttle) only in random chat
//! and only when the person's setting allows.

use axum::http::StatusCode;

use super::site;

/// The page's typing request, as htmx sends it.
const HTMX: [(&str, &str); 2] = [("origin", "http://chat.test"), ("hx-request", "true")];

#[tokio::test]
async fn typing_in_random_chat_is_answered_204_and_the_page_asks_with_a_throttle() {
    let mut ann = site(&[]);
    let (_bob, room) = ann.paired_with_bob().await;
    let page = ann.get(&room).await.body;
    assert!(
        page.contains(&format!(
            r#"hx-post="{room}/typing" hx-trigger="input changed from:document target:#message throttle:3s" hx-swap="none""#
        )),
        "{page}"
    );
    assert!(
        page.contains(r#"<p class="status typing-line" id="typing" role="status"></p>"#),
        "{page}"
    );
    let told = ann.post_with(&format!("{room}/typing"), &[], &HTMX).await;
    assert_eq!(told.status, StatusCode::NO_CONTENT, "{}", told.body);
    assert!(told.body.is_empty());
}

#[tokio::test]
async fn a_public_or_private_room_refuses_typing_and_offers_none() {
    let mut ann = site(&[]);
    let page = ann.join("Ann", "general").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let body = ann.get("/r/general").await.body;
    assert!(!body.contains("/typing"), "{body}");
    assert!(!body.contains(r#"id="typing""#), "{body}");
    let refused = ann.post_with("/r/general/typing", &[], &HTMX).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    refused.assert_has("Only a random chat tells the other person that you are typing");

    let made = ann.post("/rooms", &[("name", "Ann")]).await;
    let private = made.location().to_owned();
    let refused = ann
        .post_with(&format!("{private}/typing"), &[], &HTMX)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
}

#[tokio::test]
async fn typing_from_another_site_or_outside_the_room_is_refused() {
    let mut ann = site(&[]);
    let (_bob, room) = ann.paired_with_bob().await;
    let cross = ann
        .post_with(
            &format!("{room}/typing"),
            &[],
            &[("origin", "https://evil.test"), ("hx-request", "true")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);

    let mut cy = ann.stranger();
    cy.join("Cy", "general").await;
    let outsider = cy.post_with(&format!("{room}/typing"), &[], &HTMX).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let nobody = ann
        .stranger()
        .post_with(&format!("{room}/typing"), &[], &HTMX)
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn typing_faster_than_a_page_would_is_refused_429() {
    let mut ann = site(&[]);
    let (_bob, room) = ann.paired_with_bob().await;
    let path = format!("{room}/typing");
    for n in 0..livechat::chat::rules::TYPING_PER_MINUTE {
        let told = ann.post_with(&path, &[], &HTMX).await;
        assert_eq!(told.status, StatusCode::NO_CONTENT, "signal {n}");
    }
    let refused = ann.post_with(&path, &[], &HTMX).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    refused.assert_has("You are sending typing signals too often");
}

#[tokio::test]
async fn with_the_setting_off_the_page_sends_nothing_and_the_server_tells_nobody() {
    let mut ann = site(&[]);
    let (_bob, room) = ann.paired_with_bob().await;
    let session = ann.cookie.clone().expect("a session");
    ann.cookie = Some(format!("{session}; settings=y=0"));
    let page = ann.get(&room).await.body;
    assert!(!page.contains("/typing"), "{page}");
    assert!(
        page.contains(r#"id="typing""#),
        "the other's line still shows: {page}"
    );
    let told = ann.post_with(&format!("{room}/typing"), &[], &HTMX).await;
    assert_eq!(told.status, StatusCode::NO_CONTENT);
}
