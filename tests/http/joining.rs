//! Joining a room: the signed session cookie, and names and codes refused
//! with the reason while what was typed stays.

use super::*;

#[tokio::test]
async fn joining_sets_a_signed_http_only_cookie_and_redirects_to_the_room() {
    let mut ann = site(&[]);
    let answer = ann.join("Ann", "general").await;
    assert_eq!(answer.location(), "/r/general");
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    let mut secure = site(&["--secure-cookies"]);
    let answer = secure.join("Ann", "general").await;
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("Secure")
    );
}

/// Under HTTPS the cookie is `__Host-` prefixed: `Secure`, `Path=/`, no
/// `Domain`, so no other host can set or shadow it; plain HTTP keeps its name.
#[tokio::test]
async fn under_https_the_session_cookie_is_host_prefixed() {
    let mut plain = site(&[]);
    plain.join("Ann", "general").await;
    let pair = plain.cookie.clone().expect("cookie");
    assert!(pair.starts_with("livechat="), "{pair}");

    let mut secure = site(&["--secure-cookies"]);
    let answer = secure.join("Ann", "general").await;
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("__Host-livechat="), "{cookie}");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    // The prefixed cookie is the session: the room page is served with it.
    let page = secure.get("/r/general").await;
    assert_eq!(page.status, StatusCode::OK, "signed in by __Host-livechat");
    // A cookie under the plain name is not read under HTTPS.
    let value = secure.cookie.clone().expect("cookie");
    let (_, value) = value.split_once('=').expect("pair");
    secure.cookie = Some(format!("livechat={value}"));
    let page = secure.get("/r/general").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "only __Host- counts");
}

#[tokio::test]
async fn a_forged_cookie_is_no_session() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let good = ann.cookie.clone().expect("cookie");
    let (name, value) = good.split_once('=').expect("pair");
    ann.cookie = Some(format!("{name}={}", value.replace(".Ann", ".Eve")));
    let answer = ann.get("/r/general").await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "tampered cookie must not be accepted"
    );
}

#[tokio::test]
async fn an_unknown_code_is_named_and_what_was_typed_stays() {
    let mut me = site(&[]);
    let answer = me.post("/join", &[("name", "Ann"), ("code", "zzzz")]).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    answer.assert_has(r#"role="alert">No room with code zzzz</p>"#);
    assert!(answer.body.contains(r#"value="Ann""#));
    assert!(answer.body.contains(r#"value="zzzz""#));
    assert!(answer.body.contains("<html"), "a whole page without htmx");
    let fragment = me
        .htmx_post("/join", &[("name", "Ann"), ("code", "zzzz")])
        .await;
    assert!(
        fragment.body.starts_with("<form"),
        "a fragment for htmx: {}",
        fragment.body
    );
    assert!(fragment.body.contains("No room with code zzzz"));
}

#[tokio::test]
async fn bad_names_are_refused_with_the_reason() {
    let mut me = site(&[]);
    let long = "x".repeat(33);
    for (name, why) in [
        ("   ", r#"role="alert">Enter a name</p>"#),
        (
            long.as_str(),
            "A name can be at most 32 characters long; this one has 33",
        ),
        ("A\u{7}", "A name cannot hold control characters"),
    ] {
        let answer = me
            .post("/join", &[("name", name), ("code", "general")])
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains(why), "{why}: {}", answer.body);
        let answer = me.post("/rooms", &[("name", name)]).await;
        assert!(answer.body.contains(why), "{why}");
    }
    assert!(me.cookie.is_none(), "nothing was remembered");
}

/// A right-to-left override in a name would reverse the words shown after
/// it ("Ann joined"): every route that takes a name refuses it, as a page and
/// as an htmx fragment, saying why, with the typed name still in the box.
#[tokio::test]
async fn a_name_with_a_right_to_left_override_is_refused_on_every_route() {
    let typed = "Ann\u{202E}nimda";
    let why = "A name cannot hold characters that change the direction of text";
    let mut me = site(&[]);
    let mut ann = me.stranger();
    ann.join("Ann", "general").await;
    for htmx in [false, true] {
        for (signed_in, route, form) in [
            (false, "/rooms", vec![("name", typed)]),
            (false, "/join", vec![("name", typed), ("code", "general")]),
            (
                false,
                "/join",
                vec![("name", typed), ("code", " "), ("enter", "1")],
            ),
            (false, "/pair", vec![("name", typed)]),
            (false, "/name", vec![("name", typed), ("back", "/")]),
            (true, "/name", vec![("name", typed), ("back", "/r/general")]),
        ] {
            let who = if signed_in { &mut ann } else { &mut me };
            let answer = if htmx {
                who.htmx_post(route, &form).await
            } else {
                who.post(route, &form).await
            };
            let what = format!("{route} {form:?} htmx: {htmx}");
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            assert!(
                answer.body.contains("role=\"alert\""),
                "{what}: {}",
                answer.body
            );
            assert!(answer.body.contains(why), "{what}: {}", answer.body);
            assert!(
                answer.body.contains(&format!("value=\"{typed}\"")),
                "{what}: the typed name stays in the box: {}",
                answer.body
            );
            assert_eq!(answer.body.contains("<html"), !htmx, "{what}");
        }
    }
    assert!(me.cookie.is_none(), "nothing was remembered");
    let page = ann.get("/r/general").await;
    assert!(!page.body.contains('\u{202E}'), "Ann's name is unchanged");
}

/// A restart without `--secret` makes every session cookie fail to verify:
/// a send (or a name change) from such a page says the session ended and how
/// to come back, with the text kept, as a fragment and as a page; not the
/// cross-site refusal, which a post from another site still gets.
#[tokio::test]
async fn a_send_after_the_session_ended_says_so_and_keeps_the_text() {
    let mut before = site(&[]);
    before.join("Ann", "general").await;
    let mut after = site(&[]);
    after.cookie = before.cookie.clone();
    let mut gone = after.stranger();
    for who in [&mut after, &mut gone] {
        for htmx in [true, false] {
            let answer = if htmx {
                who.htmx_post("/r/general/messages", &[("text", "still mine")])
                    .await
            } else {
                who.post("/r/general/messages", &[("text", "still mine")])
                    .await
            };
            let what = format!("htmx: {htmx}: {}", answer.body);
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}");
            assert!(
                answer.body.contains(
                    r#"role="alert">Your session ended: press <a href="/r/general">Join</a> to come back in.</p>"#
                ),
                "{what}"
            );
            assert!(answer.body.contains(r#"value="still mine""#), "{what}");
            assert!(!answer.body.contains("another site"), "{what}");
            assert_eq!(answer.body.starts_with("<form"), htmx, "{what}");
        }
    }
    // Renaming from the room page: the same words, the typed name kept, no
    // new session (which would not be in the room).
    for htmx in [true, false] {
        let form = [("name", "Annie"), ("back", "/r/general")];
        let answer = if htmx {
            gone.htmx_post("/name", &form).await
        } else {
            gone.post("/name", &form).await
        };
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert!(
            answer.body.contains(
                r#"role="alert">Your session ended: press <a href="/r/general">Join</a> to come back in.</p>"#
            ) && answer.body.contains(r#"value="Annie""#),
            "{}",
            answer.body
        );
        assert!(!answer.headers.contains_key(header::SET_COOKIE));
    }
    let forged = after
        .post_with(
            "/r/general/messages",
            &[("text", "forged")],
            &[("sec-fetch-site", "cross-site"), ("hx-request", "true")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged.assert_has("another site");
    assert!(!forged.body.contains("session ended"), "{}", forged.body);
}

/// Plain words: a code typed in a shape no code has is told what a code
/// looks like, at the configured length; a well-formed one that leads
/// nowhere is named.
#[tokio::test]
async fn a_malformed_code_is_told_what_a_code_looks_like() {
    for (flags, typed, why) in [
        (vec![], "K1", "A code is 4 letters or digits, like K7QX"),
        (
            vec![],
            "hello world",
            "A code is 4 letters or digits, like K7QX",
        ),
        (
            vec!["--code-length", "6"],
            "K0QX",
            "A code is 6 letters or digits, like K7QXM3",
        ),
        (vec![], "ZZZZ", "No room with code ZZZZ"),
    ] {
        let mut me = site(&flags);
        for htmx in [false, true] {
            let form = [("name", "Ann"), ("code", typed)];
            let answer = if htmx {
                me.htmx_post("/join", &form).await
            } else {
                me.post("/join", &form).await
            };
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                answer.body.contains(&format!(r#"role="alert">{why}</p>"#)),
                "{typed}: {}",
                answer.body
            );
            assert!(answer.body.contains(&format!(r#"value="{typed}""#)));
        }
    }
}
