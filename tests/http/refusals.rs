//! Refusals and failures: limits, caps, guessing codes (directly and behind
//! proxies), panics, and the same refusal read the same on every route.

use super::*;

#[tokio::test]
async fn bodies_over_the_limit_get_a_413_page() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let huge = "z".repeat(33 * 1024);
    let answer = ann.post("/r/general/messages", &[("text", &huge)]).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.body.contains("<h1>Too much at once</h1>"));
}

/// A handler with a bug.
fn boom() -> &'static str {
    panic!("a bug")
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_page_and_the_site_goes_on() {
    use axum::routing::get;
    let (state, _trigger) = AppState::new(common::config(&[])).expect("config");
    let routes = livechat::http::routes().route("/boom", get(|| async { boom() }));
    let site = livechat::site(routes, state);
    let boom = Request::get("/boom").body(Body::empty()).expect("request");
    let res = site.clone().oneshot(boom).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.into_body().collect().await.expect("body").to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.contains("<h1>Something went wrong</h1>") && body.contains(r#"href="/""#),
        "{body}"
    );
    assert!(!body.contains("a bug"), "the cause is logged, not shown");
    let home = Request::get("/").body(Body::empty()).expect("request");
    assert_eq!(
        site.oneshot(home).await.expect("infallible").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_full_room_says_so_on_a_real_page() {
    let mut ann = site(&["--max-members", "1"]);
    ann.join("Ann", "general").await;
    let mut bob = ann.stranger();
    let answer = bob
        .post("/join", &[("name", "Bob"), ("code", "general")])
        .await;
    let page = bob.get(answer.location()).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    page.assert_has("This room is full");
    assert!(page.body.contains(r#"href="/""#));
    assert_eq!(
        ann.get("/r/general").await.status,
        StatusCode::OK,
        "members still get in"
    );
}

#[tokio::test]
async fn rooms_stop_being_made_at_the_cap_with_a_clear_message() {
    let mut ann = site(&["--max-rooms", "1"]);
    assert_eq!(
        ann.post("/rooms", &[("name", "Ann")]).await.status,
        StatusCode::SEE_OTHER
    );
    let refused = ann.post("/rooms", &[("name", "Ann")]).await;
    // Nothing Ann typed is wrong: the site is full for now.
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers[header::RETRY_AFTER], "60");
    refused.assert_has("No more rooms can be made right now");
    assert!(refused.body.contains(r#"value="Ann""#));
}

#[tokio::test]
async fn guessing_codes_is_slowed_per_client_address() {
    let mut eve = site(&["--join-failures", "3"]);
    eve.from = Some(([203, 0, 113, 7], 50000).into());
    for guess in ["AAAA", "BBBB", "CCCC"] {
        let answer = eve.post("/join", &[("name", "Eve"), ("code", guess)]).await;
        assert!(answer.body.contains(&format!("No room with code {guess}")));
    }
    let slowed = eve
        .post("/join", &[("name", "Eve"), ("code", "general")])
        .await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    slowed.assert_has(
        r#"role="alert">Too many wrong room codes from your address or session: try again at "#,
    );
    assert!(
        slowed.body.contains(r#"value="Eve""#),
        "what was typed stays"
    );
    let mut ann = eve.stranger();
    ann.from = Some(([198, 51, 100, 1], 50000).into());
    ann.join("Ann", "general").await;
}

/// Three wrong codes from `forwarded_for` through the proxy at 10.0.0.2;
/// answers what a fourth try (with a good code) got.
async fn guess_through_proxy(visitor: &mut Visitor, forwarded_for: &str) -> StatusCode {
    visitor.from = Some(([10, 0, 0, 2], 40000).into());
    let headers = [("origin", ORIGIN), ("x-forwarded-for", forwarded_for)];
    for guess in ["AAAA", "BBBB", "CCCC"] {
        let form = [("name", "Eve"), ("code", guess)];
        let answer = visitor.post_with("/join", &form, &headers).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
    }
    let form = [("name", "Eve"), ("code", "general")];
    visitor.post_with("/join", &form, &headers).await.status
}

/// What another client of the proxy at 10.0.0.2, at 198.51.100.1, gets when
/// it joins with a good code.
async fn another_client_of_the_proxy(eve: &Visitor) -> StatusCode {
    let mut ann = eve.stranger();
    ann.from = Some(([10, 0, 0, 2], 40001).into());
    let headers = [("origin", ORIGIN), ("x-forwarded-for", "198.51.100.1")];
    let form = [("name", "Ann"), ("code", "general")];
    ann.post_with("/join", &form, &headers).await.status
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_counted_on_its_own() {
    let mut eve = site(&["--join-failures", "3", "--trusted-proxy", "10.0.0.0/8"]);
    assert_eq!(
        guess_through_proxy(&mut eve, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        another_client_of_the_proxy(&eve).await,
        StatusCode::SEE_OTHER,
        "another client of the same proxy"
    );
}

#[tokio::test]
async fn an_untrusted_proxy_cannot_name_its_clients() {
    let mut eve = site(&["--join-failures", "3"]);
    assert_eq!(
        guess_through_proxy(&mut eve, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        another_client_of_the_proxy(&eve).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the header is not believed: it is the same address"
    );
}

#[tokio::test]
async fn errors_answering_htmx_go_to_the_alert_region() {
    let mut ann = site(&[]);
    let home = ann.get("/").await;
    assert!(
        home.body
            .contains(r#"<div class="alerts" id="alerts" role="alert"></div>"#)
    );
    let refused = ann
        .htmx_post("/r/No-Room/messages", &[("text", "hi")])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.headers["hx-retarget"], "#alerts");
    assert_eq!(refused.headers["hx-reswap"], "innerHTML");
    refused.assert_has("Nothing here");
}

/// What every route that names `code` answers this visitor, with and
/// without htmx, the code replaced by a placeholder.
async fn every_code_route(visitor: &mut Visitor, code: &str) -> Vec<(String, StatusCode, String)> {
    let mut got = Vec::new();
    for htmx in [false, true] {
        let mut headers = vec![("origin", ORIGIN)];
        if htmx {
            headers.push(("hx-request", "true"));
        }
        let mut answers = Vec::new();
        for route in ["", "/events", "/log", "/title", "/m/1-1"] {
            let path = format!("/r/{code}{route}");
            answers.push((
                format!("GET {route}"),
                visitor.get_with(&path, &headers).await,
            ));
        }
        for (route, form) in [
            ("/messages", vec![("text", "hello there")]),
            ("/leave", vec![]),
            ("/m/1-1/delete", vec![]),
        ] {
            let path = format!("/r/{code}{route}");
            answers.push((
                format!("POST {route}"),
                visitor.post_with(&path, &form, &headers).await,
            ));
        }
        let form = [("name", "Eve"), ("code", code)];
        answers.push((
            "POST /join".to_owned(),
            visitor.post_with("/join", &form, &headers).await,
        ));
        let lower = code.to_lowercase();
        for (what, answer) in answers {
            let body = answer.body.replace(code, "CODE").replace(&lower, "CODE");
            got.push((format!("{what} htmx={htmx}"), answer.status, body));
        }
    }
    got
}

/// Ann and Bob's random-chat room, and a code that leads nowhere.
async fn a_pair_room_and_a_missing_code(ann: &mut Visitor) -> (String, String) {
    let (_bob, room) = ann.paired_with_bob().await;
    let pair = room.trim_start_matches("/r/").to_owned();
    assert_eq!(pair.len(), 4, "{room}");
    let missing = if pair == "ZZZZ" { "YYYY" } else { "ZZZZ" };
    (pair, missing.to_owned())
}

#[tokio::test]
async fn a_random_chat_room_of_others_answers_exactly_as_a_missing_code() {
    let mut ann = site(&["--join-failures", "1000"]);
    let (pair, missing) = a_pair_room_and_a_missing_code(&mut ann).await;
    let mut eve = ann.stranger();
    eve.join("Eve", "general").await;
    let mut nobody = ann.stranger();
    for (visitor, post) in [(&mut eve, 404), (&mut nobody, 403)] {
        let to_pair = every_code_route(visitor, &pair).await;
        let to_missing = every_code_route(visitor, &missing).await;
        assert_eq!(to_pair.len(), 18);
        for (a, b) in to_pair.iter().zip(&to_missing) {
            assert_eq!(a, b, "the pair room shows through");
        }
        let statuses: Vec<u16> = to_pair.iter().map(|(_, s, _)| s.as_u16()).collect();
        assert_eq!(
            statuses,
            [
                404, 200, 404, 404, 404, post, 303, 404, 422, 404, 200, 404, 404, 404, post, 200,
                404, 422
            ],
            "{to_pair:#?}"
        );
        let stream = &to_pair[1].2;
        assert!(
            stream.contains("You are not in this room, or it has closed.")
                && stream.contains(r#"href="/r/CODE""#)
                && stream.ends_with("event: close\ndata: close\n\n"),
            "{stream}"
        );
    }
    let page = ann.get(&format!("/r/{pair}")).await;
    assert_eq!(page.status, StatusCode::OK, "its strangers are let in");
}

/// One refusal, one answer: past the wrong-code limit, every route that
/// takes a code answers it alike, as a form, a fragment or a page: `429`,
/// the wait in `Retry-After` and in words (as a clock time on a page that
/// never changes by itself).
#[tokio::test]
async fn every_route_answers_the_same_refusal_the_same_way() {
    let mut eve = site(&["--join-failures", "1", "--join-window", "60"]);
    let room = eve
        .post("/rooms", &[("name", "Eve")])
        .await
        .location()
        .to_owned();
    let code = room.trim_start_matches("/r/").to_owned();
    let miss = eve
        .post("/join", &[("name", "Eve"), ("code", "ZZZZ")])
        .await;
    assert_eq!(miss.status, StatusCode::UNPROCESSABLE_ENTITY);
    let join = [("name", "Eve"), ("code", code.as_str())];
    let text = [("text", "hello")];
    let messages = format!("{room}/messages");
    let answers = [
        ("join", eve.post("/join", &join).await),
        ("join, htmx", eve.htmx_post("/join", &join).await),
        ("room page", eve.get(&room).await),
        ("log", eve.get(&format!("{room}/log")).await),
        ("title", eve.get(&format!("{room}/title")).await),
        ("post", eve.post(&messages, &text).await),
        ("post, htmx", eve.htmx_post(&messages, &text).await),
        ("leave", eve.post(&format!("{room}/leave"), &[]).await),
        (
            "new stranger",
            eve.htmx_post("/pair", &[("leave", code.as_str())]).await,
        ),
    ];
    for (route, answer) in answers {
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{route}");
        let retry = answer.headers.get(header::RETRY_AFTER);
        let retry = retry.and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        assert!(
            retry.is_some_and(|s| (59..=60).contains(&s)),
            "{route}: {retry:?}"
        );
        // A page without JavaScript never changes by itself: it says until
        // when (a clock time); htmx's fragments say how long.
        let htmx = route.contains("htmx") || route == "new stranger";
        let words = if htmx {
            answer
                .body
                .contains(&format!("wait {} s", retry.unwrap_or(0)))
        } else {
            answer.body.contains("try again at ") && answer.body.contains(" UTC")
        };
        assert!(
            answer.body.contains("Too many wrong room codes") && words,
            "{route}: {}",
            answer.body
        );
    }
}
