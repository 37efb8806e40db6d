//! Pages without JavaScript never change by themselves: every refusal with a
//! wait says until when (a clock time in UTC) on them, where htmx's fragment
//! (on a live page) says how long.

use axum::http::StatusCode;

use super::{Answer, Visitor, site};

/// The clock time a still page names, if any: "at HH:MM:SS UTC".
fn clock_time(body: &str) -> Option<&str> {
    body.match_indices(" at ").find_map(|(at, _)| {
        let clock = body.get(at + 4..at + 12)?;
        let shaped = clock.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            _ => b.is_ascii_digit(),
        });
        (shaped && body[at + 12..].starts_with(" UTC")).then_some(clock)
    })
}

/// A wait said on a still page: a clock time, no countdown.
fn says_until_when(answer: &Answer, why: &str) {
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    assert!(answer.body.contains(why), "{why}: {}", answer.body);
    assert!(
        clock_time(&answer.body).is_some(),
        "until when: {}",
        answer.body
    );
    assert!(
        !answer.body.contains(" s and "),
        "no countdown: {}",
        answer.body
    );
    assert!(answer.headers.contains_key("retry-after"));
}

/// The same wait said to htmx: how long, as the live page counts.
fn says_how_long(answer: &Answer, why: &str) {
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    assert!(answer.body.contains(why), "{why}: {}", answer.body);
    assert!(answer.body.contains(" s and "), "how long: {}", answer.body);
    assert!(clock_time(&answer.body).is_none(), "{}", answer.body);
}

/// One person on one address, so that the per-address limits count them.
fn from_one_address(flags: &[&str]) -> Visitor {
    let mut ann = site(flags);
    ann.from = Some(([203, 0, 113, 7], 40_000).into());
    ann
}

#[test]
fn a_clock_time_is_found_only_where_one_is() {
    assert_eq!(clock_time("try again at 07:48:30 UTC."), Some("07:48:30"));
    assert_eq!(clock_time("wait 7 s and try again at home"), None);
    assert_eq!(clock_time("at 07:48 UTC"), None);
}

#[tokio::test]
async fn joining_after_too_many_wrong_codes_says_until_when() {
    let mut ann = from_one_address(&["--join-failures", "1"]);
    let form = [("name", "Ann"), ("code", "ZZZZ")];
    let first = ann.post("/join", &form).await;
    assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY);
    let still = ann.post("/join", &form).await;
    says_until_when(&still, "Too many wrong room codes");
    assert!(still.body.contains(r#"value="ZZZZ""#), "the code is kept");
    let live = ann.htmx_post("/join", &form).await;
    says_how_long(&live, "Too many wrong room codes");
}

#[tokio::test]
async fn a_page_a_plain_link_lands_on_after_too_many_wrong_codes_says_until_when() {
    let mut ann = from_one_address(&["--join-failures", "1"]);
    ann.post("/join", &[("name", "Ann"), ("code", "ZZZZ")])
        .await;
    let page = ann.get("/r/YYYY").await;
    says_until_when(&page, "Too many wrong room codes");
    assert!(page.body.contains("<h1>"), "a whole page: {}", page.body);
}

#[tokio::test]
async fn creating_too_many_private_rooms_says_until_when() {
    let mut ann = from_one_address(&["--address-rooms", "1"]);
    let form = [("name", "Ann"), ("code", "")];
    assert_eq!(
        ann.post("/rooms", &form).await.status,
        StatusCode::SEE_OTHER
    );
    let still = ann.post("/rooms", &form).await;
    says_until_when(&still, "Too many private rooms");
    assert!(still.body.contains(r#"value="Ann""#), "the name is kept");
    let live = ann.htmx_post("/rooms", &form).await;
    says_how_long(&live, "Too many private rooms");
}

#[tokio::test]
async fn changing_name_too_often_says_until_when() {
    let mut ann = from_one_address(&["--rate-renames", "1"]);
    ann.join("Ann", "general").await;
    let first = ann
        .post("/name", &[("name", "Anna"), ("back", "/r/general")])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let still = ann
        .post("/name", &[("name", "Annie"), ("back", "/r/general")])
        .await;
    says_until_when(&still, "You changed your name too often");
    assert!(still.body.contains(r#"value="Annie""#), "the name is kept");
    let live = ann
        .htmx_post("/name", &[("name", "Annie"), ("back", "/r/general")])
        .await;
    says_how_long(&live, "You changed your name too often");
}

#[tokio::test]
async fn asking_for_too_many_strangers_says_until_when() {
    let mut ann = from_one_address(&["--address-pairs", "1"]);
    let form = [("name", "Ann")];
    assert_eq!(ann.post("/pair", &form).await.status, StatusCode::SEE_OTHER);
    ann.post("/pair/cancel", &[]).await;
    let still = ann.post("/pair", &form).await;
    says_until_when(&still, "Too many new strangers");
    let live = ann.htmx_post("/pair", &form).await;
    says_how_long(&live, "Too many new strangers");
}

#[tokio::test]
async fn too_many_new_names_from_one_address_says_until_when() {
    let mut ann = from_one_address(&["--address-sessions", "1"]);
    ann.post("/join", &[("name", "Ann"), ("code", "general")])
        .await;
    let mut bob = ann.stranger();
    bob.from = ann.from;
    let still = bob
        .post("/join", &[("name", "Bob"), ("code", "general")])
        .await;
    says_until_when(&still, "Too many new names");
    assert!(still.body.contains(r#"value="Bob""#), "the name is kept");
}

/// `GET /r/general/online` as `visitor`, its answer as it starts (the
/// document never ends by itself: read it frame by frame).
async fn open_online_document(visitor: &Visitor) -> axum::response::Response {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let mut req = Request::get("/r/general/online").header(header::HOST, "chat.test");
    if let Some(cookie) = &visitor.cookie {
        req = req.header(header::COOKIE, cookie);
    }
    visitor
        .app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible")
}

/// Without JavaScript the room page frames the Online document, which only
/// members may open, and which opens with the list as it stands (each
/// change then appends the whole list again, until it renews itself).
#[tokio::test]
async fn the_online_document_is_framed_for_members_only() {
    use axum::http::header;
    use http_body_util::BodyExt;

    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let page = ann.get("/r/general").await;
    assert!(
        page.body.contains(
            r#"<noscript><iframe class="online-frame" src="/r/general/online" title="Online"></iframe></noscript>"#
        ),
        "{}",
        page.body
    );

    let res = open_online_document(&ann).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("frame-ancestors 'self'") && csp.contains("script-src 'none'"));
    let mut body = res.into_body();
    let first = body.frame().await.expect("a frame").expect("bytes");
    let head = String::from_utf8_lossy(first.data_ref().expect("data")).into_owned();
    assert!(head.contains(r#"<body class="online-document">"#), "{head}");
    assert!(
        head.contains(r#"<p class="count">1 here now</p>"#) && head.contains("<bdi>Ann</bdi>"),
        "{head}"
    );

    // Not a member: the same 404 as any page that is not there.
    let mut bob = ann.stranger();
    bob.post("/name", &[("name", "Bob"), ("back", "/")]).await;
    assert_eq!(
        bob.get("/r/general/online").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Each change sends the whole Online list again: the document renews
/// itself after 30 of them, so a page left open in a busy room stays small.
/// (Time is paused: the Online list is sent at most once a second.)
#[tokio::test(start_paused = true)]
async fn the_online_document_renews_itself_instead_of_growing_for_ever() {
    use http_body_util::BodyExt;

    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let res = open_online_document(&ann).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let mut bob = ann.stranger();
    let mut all = String::new();
    let read = async {
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame.expect("bytes").data_ref() {
                all.push_str(&String::from_utf8_lossy(data));
            }
        }
    };
    let churn = async {
        let second = std::time::Duration::from_millis(1500);
        for _ in 0..20 {
            bob.join("Bob", "general").await;
            tokio::time::sleep(second).await;
            bob.post("/r/general/leave", &[]).await;
            tokio::time::sleep(second).await;
        }
    };
    let (ended, ()) = tokio::join!(
        tokio::time::timeout(std::time::Duration::from_secs(600), read),
        churn
    );
    assert!(ended.is_ok(), "the document never ended: {all}");
    assert_eq!(
        all.matches(r#"<p class="count">"#).count(),
        32,
        "the list it opens with, the stream's first, then 30: {all}"
    );
    assert!(
        all.trim_end()
            .ends_with(r#"<meta http-equiv="refresh" content="0"><p class="notice"><a href="">Show who is here now</a></p>"#),
        "{all}"
    );
}
