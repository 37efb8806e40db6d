//! Inside a room: sending, escaping, leaving and renaming, each refusal
//! keeping the text.

use super::*;

#[tokio::test]
async fn the_room_page_shows_the_log_the_stream_and_every_control() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    ann.post("/r/general/messages", &[("text", "first!")]).await;
    let page = ann.get("/r/general").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("<h1># general</h1>"));
    assert!(body.contains(r#"<h2 class="visually-hidden" id="messages-h">Messages</h2>"#));
    assert!(body.contains(r#"role="log" aria-labelledby="messages-h""#));
    assert!(body.contains(r#"hx-sse:connect="/r/general/events?after="#));
    assert!(body.contains("<bdi>Ann</bdi> joined"));
    assert!(body.contains(r#"<bdi class="author">Ann</bdi>"#));
    assert!(body.contains(r#"<p class="text" dir="auto">first!</p>"#));
    assert!(body.contains(r#"id="message" name="text" type="text" value="" dir="auto""#));
    assert!(!body.contains("autofocus"), "the page opens at its top");
    assert!(body.contains("<time datetime=\"20"));
    assert!(body.contains(r#"<h2 id="online-h">Online</h2>"#));
    assert!(body.contains(r#"aria-labelledby="online-h""#));
    assert!(body.contains(r#"<label class="visually-hidden" for="message">Message</label>"#));
    assert!(body.contains(r#"<span class="send-label">Send</span>"#));
    assert!(body.contains(">Change name</button>"));
    assert!(body.contains(">Leave</button>"));
    assert!(
        body.contains(r#"value="http://chat.test/r/general""#),
        "a link to share"
    );
    assert!(
        body.contains(r#"<iframe class="log-frame" src="/r/general/log?since="#),
        "the log without JavaScript, told what the person had seen"
    );
    // The page's own stylesheet marks this member's messages as theirs.
    let css_path = body
        .split("href=\"/me/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("own css");
    let css = ann.get(&format!("/me/{css_path}")).await;
    assert!(css.body.contains("content:\"You\""));
}

#[tokio::test]
async fn after_sending_the_box_is_empty_and_the_text_is_in_the_log() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let answer = ann
        .htmx_post("/r/general/messages", &[("text", "hello")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.starts_with(r#"<form class="send" id="send""#));
    assert!(
        answer
            .body
            .contains(r#"id="message" name="text" type="text" value="""#)
    );
    assert!(
        answer.body.contains(" autofocus"),
        "the fresh box takes the focus back, also when Send was clicked"
    );
    let plain = ann.post("/r/general/messages", &[("text", "again")]).await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER);
    assert_eq!(
        plain.location(),
        "/r/general#message",
        "back in the room with the focus in the box"
    );
    let page = ann.get("/r/general").await;
    assert!(page.body.contains(">hello</p>") && page.body.contains(">again</p>"));
}

#[tokio::test]
async fn a_message_too_long_is_refused_and_stays_in_the_box() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let long = "y".repeat(2001);
    let answer = ann
        .htmx_post("/r/general/messages", &[("text", &long)])
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains(
        r#"role="alert">A message can be at most 2000 characters long; this one has 2001"#
    ));
    assert!(answer.body.contains(&format!("value=\"{long}\"")));
    let page = ann.post("/r/general/messages", &[("text", &long)]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("<html") && page.body.contains(&format!("value=\"{long}\"")));
    let empty = ann
        .htmx_post("/r/general/messages", &[("text", "  ")])
        .await;
    assert!(
        empty
            .body
            .contains(r#"role="alert">Type a message first</p>"#)
    );
    assert!(
        !empty.body.contains("is empty"),
        "plain words: {}",
        empty.body
    );
}

#[tokio::test]
async fn posting_faster_than_the_limit_is_refused_with_the_text_kept() {
    let mut ann = site(&["--rate-messages", "2"]);
    ann.join("Ann", "general").await;
    for text in ["one", "two"] {
        assert_eq!(
            ann.htmx_post("/r/general/messages", &[("text", text)])
                .await
                .status,
            StatusCode::OK
        );
    }
    let answer = ann
        .htmx_post("/r/general/messages", &[("text", "three")])
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    answer.assert_has("too fast");
    assert!(answer.body.contains(r#"value="three""#));
}

#[tokio::test]
async fn user_text_is_escaped_everywhere() {
    let mut ann = site(&[]);
    ann.join("<img src=x onerror=alert(1)>", "general").await;
    ann.post(
        "/r/general/messages",
        &[("text", "<script>alert(1)</script>")],
    )
    .await;
    let page = ann.get("/r/general").await;
    assert!(!page.body.contains("<script>alert"));
    assert!(!page.body.contains("<img src=x"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let forged = ann
        .post_with(
            "/r/general/messages",
            &[("text", "forged")],
            &[("origin", "https://evil.test")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("<h1>Not allowed</h1>"));
    let no_origin = ann
        .post_with("/r/general/messages", &[("text", "forged")], &[])
        .await;
    assert_eq!(no_origin.status, StatusCode::FORBIDDEN);
    let fetch_meta = ann
        .post_with(
            "/r/general/messages",
            &[("text", "forged")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(fetch_meta.status, StatusCode::FORBIDDEN);
    let same = ann
        .post_with(
            "/r/general/messages",
            &[("text", "mine")],
            &[("sec-fetch-site", "same-origin"), ("origin", "null")],
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    let page = ann.get("/r/general").await;
    assert!(!page.body.contains("forged") && page.body.contains(">mine</p>"));
}

#[tokio::test]
async fn only_members_post_and_read() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut eve = ann.stranger();
    let answer = eve.post("/r/general/messages", &[("text", "hi")]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "no session at all");
    assert!(
        answer.body.contains("Your session ended")
            && answer.body.contains(r#"value="hi""#)
            && answer.body.contains("<h1>Message not sent</h1>")
            && answer.body.contains(r#"<a href="/r/general">Join</a>"#)
            && !answer.body.contains("Open the room again"),
        "{}",
        answer.body
    );
    let log = eve.get("/r/general/log").await;
    assert_eq!(log.status, StatusCode::NOT_FOUND);
    eve.join("Eve", "hobby").await;
    let answer = eve.post("/r/general/messages", &[("text", "hi")]).await;
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "a member of another room"
    );
    assert!(
        answer
            .body
            .contains("You are not in this room, or it has closed.")
            && answer.body.contains(r#"value="hi""#)
            && answer
                .body
                .contains(r#"<a href="/r/general">Open the room again</a>"#),
        "{}",
        answer.body
    );
    assert_eq!(
        eve.get("/r/general/log").await.status,
        StatusCode::NOT_FOUND,
        "a session alone does not enter a room through its log"
    );
    assert_eq!(
        eve.get("/r/general/title").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn leaving_goes_home_and_out_of_the_room() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    ann.get("/r/general").await;
    let answer = ann.post("/r/general/leave", &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/");
    let home = ann.get("/").await;
    assert!(
        home.body
            .contains("># general</span> <span class=\"count\">0 online</span>")
    );
    let refused = ann
        .htmx_post("/r/general/messages", &[("text", "still here?")])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(
        refused.body.contains(r#"value="still here?""#),
        "the text is not lost"
    );
    refused
        .assert_has("You are not in this room, or it has closed. Reload the page to join again.");
}

#[tokio::test]
async fn renaming_updates_the_session_and_is_announced() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let answer = ann
        .htmx_post("/name", &[("name", "Annie"), ("back", "/r/general")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Your name is now <bdi>Annie</bdi>."));
    let page = ann.get("/r/general").await;
    assert!(
        page.body
            .contains("<bdi>Ann</bdi> is now known as <bdi>Annie</bdi>")
    );
    assert!(
        page.body
            .contains(r#"id="rename-name" name="name" type="text" value="Annie""#)
    );
    let plain = ann
        .post("/name", &[("name", "Anna"), ("back", "/r/general")])
        .await;
    assert_eq!(plain.location(), "/r/general");
    let elsewhere = ann
        .post("/name", &[("name", "Ana"), ("back", "https://evil.test/")])
        .await;
    assert_eq!(
        elsewhere.location(),
        "/",
        "only our own pages are gone back to"
    );
    let bad = ann
        .htmx_post("/name", &[("name", ""), ("back", "/r/general")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(r#"role="alert">Enter a name"#));
}

#[tokio::test]
async fn renaming_too_often_is_refused_with_the_name_kept() {
    let mut ann = site(&["--rate-renames", "2"]);
    ann.join("Ann", "general").await;
    for name in ["Annie", "Anna"] {
        let answer = ann
            .htmx_post("/name", &[("name", name), ("back", "/r/general")])
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{name}");
    }
    let refused = ann
        .htmx_post("/name", &[("name", "Ana"), ("back", "/r/general")])
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    refused.assert_has(r#"role="alert">You changed your name too often: wait "#);
    assert!(refused.body.contains(r#"value="Ana""#));
    // The wait in the words is the one in `Retry-After`.
    let retry = &refused.headers[header::RETRY_AFTER];
    let retry = retry.to_str().expect("seconds");
    assert!(
        refused
            .body
            .contains(&format!("wait {retry} s and try again")),
        "{retry}: {}",
        refused.body
    );
    let page = ann.get("/r/general").await;
    assert!(
        page.body
            .contains("<bdi>Annie</bdi> is now known as <bdi>Anna</bdi>")
            && !page.body.contains("known as <bdi>Ana<")
    );
}

#[tokio::test]
async fn enter_in_the_name_box_takes_the_name_and_starts_nothing() {
    let mut ann = site(&[]);
    let home = ann.get("/").await;
    let form = home
        .body
        .split(r#"<form class="start" id="start""#)
        .nth(1)
        .expect("the start form");
    assert!(
        form.trim_start_matches(|c| c != '<')
            .starts_with(r#"<button hidden type="submit" name="enter" value="1""#),
        "the first submit button, which Enter presses, is the hidden one: {form}"
    );
    let named = ann
        .htmx_post("/join", &[("name", "Ann"), ("code", " "), ("enter", "1")])
        .await;
    assert_eq!(named.status, StatusCode::OK);
    named.assert_has("Hello, <bdi>Ann</bdi>.");
    assert!(
        !named.body.contains("role=\"alert\""),
        "no error: {}",
        named.body
    );
    assert!(
        ann.get("/").await.body.contains(r#"value="Ann""#),
        "the name is kept"
    );
    let joined = ann
        .post(
            "/join",
            &[("name", "Ann"), ("code", "general"), ("enter", "1")],
        )
        .await;
    assert_eq!(
        joined.location(),
        "/r/general",
        "with a code typed, Enter joins"
    );
    let empty = ann.post("/join", &[("name", "Ann"), ("code", "")]).await;
    assert!(
        empty.body.contains("role=\"alert\">Enter a room code"),
        "the Join button itself still asks for a code"
    );
}
