//! The unread marker: a page load (and the no-JavaScript log document as it
//! opens) puts "New since you were last here" before the first item the
//! person had not seen, with a skip link to it; none on a first visit, none
//! when nothing is new, never before one's own messages.

use axum::http::StatusCode;
use http_body_util::BodyExt;

use super::{Visitor, site};

const DIVIDER: &str =
    r#"<li class="unread" id="unread"><h3>New since you were last here</h3></li>"#;
const SKIP: &str = r##"<a class="skip" href="#unread">Skip to new messages</a>"##;

/// Where `needle` stands in `body`; fails when it is not there.
#[track_caller]
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in:\n{body}"))
}

/// Ann, on the general room's page, and Bob, in it too, who said two things
/// after Ann's page loaded.
async fn ann_away_while_bob_talks() -> (Visitor, Visitor) {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    for text in ["first while away", "second while away"] {
        let sent = bob.post("/r/general/messages", &[("text", text)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    (ann, bob)
}

#[tokio::test]
async fn a_reload_puts_the_divider_before_the_first_item_not_seen_with_a_skip_link() {
    let (mut ann, _bob) = ann_away_while_bob_talks().await;
    let page = ann.get("/r/general").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let divider = at(body, DIVIDER);
    assert_eq!(body.matches(r#"id="unread""#).count(), 1, "{body}");
    assert!(
        divider < at(body, "Bob</bdi> joined"),
        "before Bob's arrival"
    );
    assert!(divider > at(body, "Ann</bdi> joined"), "after what Ann saw");
    assert!(at(body, "first while away") > divider);
    // The skip links: the message box first, then the new messages.
    let skip = at(body, SKIP);
    assert!(at(body, r##"href="#message">Skip to message box"##) < skip);
    assert!(skip < at(body, r#"<header class="top">"#), "{body}");
    // Without JavaScript, the log document opens at the same place.
    assert!(
        body.contains(r#"src="/r/general/log?since="#)
            && body.contains(r##"#unread" title="Messages""##),
        "{body}"
    );

    // Now seen: the next load has nothing new.
    let again = ann.get("/r/general").await.body;
    assert!(!again.contains(r#"id="unread""#), "{again}");
    assert!(!again.contains("Skip to new messages"), "{again}");
}

#[tokio::test]
async fn a_first_visit_has_no_divider() {
    let mut ann = site(&[]);
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    bob.post("/r/general/messages", &[("text", "before Ann came")])
        .await;
    ann.join("Ann", "general").await;
    let body = ann.get("/r/general").await.body;
    assert!(body.contains("before Ann came"), "{body}");
    assert!(!body.contains(r#"id="unread""#), "{body}");
    assert!(!body.contains("Skip to new messages"), "{body}");
    assert!(
        body.contains(r#"<iframe class="log-frame" src="/r/general/log?since="#),
        "the log document is told what this page showed: {body}"
    );
}

#[tokio::test]
async fn ones_own_messages_are_never_new() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let sent = ann
        .post("/r/general/messages", &[("text", "mine, sent plainly")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let body = ann.get("/r/general").await.body;
    assert!(body.contains("mine, sent plainly"), "{body}");
    assert!(!body.contains(r#"id="unread""#), "{body}");
}

/// The first chunk of the no-JavaScript log document at `path`: its opening.
async fn log_opening(visitor: &Visitor, path: &str) -> String {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let mut req = Request::get(path).header(header::HOST, "chat.test");
    if let Some(cookie) = &visitor.cookie {
        req = req.header(header::COOKIE, cookie);
    }
    let res = visitor
        .app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let first = body.frame().await.expect("a frame").expect("bytes");
    String::from_utf8_lossy(first.data_ref().expect("data")).into_owned()
}

#[tokio::test]
async fn the_no_javascript_log_opens_with_the_divider_the_page_says() {
    let (mut ann, _bob) = ann_away_while_bob_talks().await;
    let page = ann.get("/r/general").await.body;
    let src = page
        .split(r#"<iframe class="log-frame" src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the log document's address")
        .replace("&amp;", "&");
    let path = src.split('#').next().expect("a path").to_owned();
    // The page noted its own load: the document still shows what was new
    // before it, as the page's address says.
    let opening = log_opening(&ann, &path).await;
    let divider = at(&opening, DIVIDER);
    assert!(divider < at(&opening, "Bob</bdi> joined"), "{opening}");
    assert!(divider > at(&opening, "Ann</bdi> joined"), "{opening}");

    // Opened by itself (a reload of the frame), it asks the store: seen.
    let plain = log_opening(&ann, "/r/general/log").await;
    assert!(!plain.contains(r#"id="unread""#), "{plain}");
    // Something new, and the document alone is opened: the divider again.
    let mut cy = ann.stranger();
    cy.join("Cy", "general").await;
    let opening = log_opening(&ann, "/r/general/log").await;
    let divider = at(&opening, DIVIDER);
    assert!(divider < at(&opening, "Cy</bdi> joined"), "{opening}");
    assert!(divider > at(&opening, "second while away"), "{opening}");
}

#[tokio::test]
async fn a_forged_since_shows_only_ones_own_divider_and_bad_ones_are_ignored() {
    let (mut ann, _bob) = ann_away_while_bob_talks().await;
    ann.get("/r/general").await;
    for since in ["nonsense", "1-", "-1", "99999999999999999999-1", "%3Cb%3E"] {
        let opening = log_opening(&ann, &format!("/r/general/log?since={since}")).await;
        assert!(!opening.contains(r#"id="unread""#), "{since}: {opening}");
        assert!(!opening.contains("<b>"), "{since}: {opening}");
    }
}

#[tokio::test]
async fn a_send_shows_what_came_before_it_as_read() {
    let (mut ann, _bob) = ann_away_while_bob_talks().await;
    // Ann's page showed Bob's words over its stream, which had not noted
    // them yet; then she answered with a plain form.
    let sent = ann
        .post("/r/general/messages", &[("text", "answering Bob")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let body = ann.get("/r/general").await.body;
    assert!(body.contains("answering Bob"), "{body}");
    assert!(!body.contains(r#"id="unread""#), "{body}");
}
