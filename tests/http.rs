//! In-process HTTP tests: every route of the contract, through the very same
//! `Router` the binary serves, without a socket.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use livechat::shutdown::Trigger;
use livechat::{AppState, app};
use tower::ServiceExt;

const ORIGIN: &str = "http://chat.test";

/// One person's browser: the app, and the session cookie it was given.
struct Visitor {
    app: Router,
    cookie: Option<String>,
    /// The address the serve loop would have recorded, if any.
    from: Option<std::net::SocketAddr>,
    _trigger: std::sync::Arc<Trigger>,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn site(flags: &[&str]) -> Visitor {
    let (state, trigger) = AppState::new(common::config(flags)).expect("config");
    Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    }
}

impl Visitor {
    /// Another person on the same site, with no cookie yet.
    fn stranger(&self) -> Visitor {
        Visitor {
            app: self.app.clone(),
            cookie: None,
            from: None,
            _trigger: self._trigger.clone(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE) {
            let pair = set
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .expect("pair");
            self.cookie = Some(pair.to_owned());
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "chat.test");
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie);
        }
        if let Some(from) = self.from {
            req = req.extension(axum::extract::ConnectInfo(from));
        }
        req
    }

    async fn get(&mut self, path: &str) -> Answer {
        let req = self
            .request("GET", path)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.request("GET", path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_with(path, form, &[("origin", ORIGIN)]).await
    }

    async fn htmx_post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_with(path, form, &[("origin", ORIGIN), ("hx-request", "true")])
            .await
    }

    async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let body = serde_urlencoded(form);
        let mut req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    /// Picks a name, joins `room` (a code or a public slug) and opens its page.
    async fn join(&mut self, name: &str, room: &str) -> Answer {
        let answer = self.post("/join", &[("name", name), ("code", room)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(self.get(answer.location()).await.status, StatusCode::OK);
        answer
    }
}

fn serde_urlencoded(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn home_offers_a_name_and_every_way_in() {
    let mut me = site(&[]);
    let home = me.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("<h1>livechat</h1>"));
    assert!(home.body.contains(r#"<label for="name">Name</label>"#));
    assert!(
        !home
            .body
            .contains(r#"id="name" name="name" type="text" value="""#),
        "the name is prefilled"
    );
    assert!(home.body.contains(r#"<label for="code">Room code</label>"#));
    assert!(home.body.contains(">Join</button>"));
    assert!(home.body.contains(">Create private room</button>"));
    for room in ["general", "hobby", "games", "tech", "music"] {
        assert!(
            home.body.contains(&format!(
                "<span class=\"room-name\"># {room}</span> <span class=\"count\">0 online</span>"
            )),
            "{room}"
        );
    }
}

#[tokio::test]
async fn public_rooms_come_from_the_flag_and_show_live_counts() {
    let mut ann = site(&["--public-rooms", "lobby,rust"]);
    ann.join("Ann", "rust").await;
    ann.get("/r/rust").await;
    let home = ann.get("/").await;
    assert!(
        home.body
            .contains("># rust</span> <span class=\"count\">1 online</span>")
    );
    assert!(home.body.contains("># lobby</span>"));
    assert!(!home.body.contains("# general"));
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let mut me = site(&[]);
    for path in ["/", "/nowhere", "/r/ZZZZ", "/healthz"] {
        let answer = me.get(path).await;
        let csp = answer.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}"
        );
        assert_eq!(
            answer.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{path}"
        );
        assert_eq!(
            answer.headers[header::REFERRER_POLICY],
            "no-referrer",
            "{path}"
        );
        let cache = answer.headers[header::CACHE_CONTROL]
            .to_str()
            .expect("ascii");
        assert!(
            cache.contains("private"),
            "kept out of shared caches: {path} {cache}"
        );
    }
}

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
    assert!(
        answer
            .body
            .contains(r#"role="alert">No room with code zzzz</p>"#),
        "{}",
        answer.body
    );
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

/// htmx 4.0.1 does not retry a first stream request that failed: the room
/// and waiting pages start out saying that live updates are not connected
/// (shown by the stylesheet only after a delay, cleared by the stream's
/// first event), error pages answering the stream are not swapped in, and a
/// lost stream is tried again at least every 7 s.
#[tokio::test]
async fn pages_say_when_live_updates_are_not_connected() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let page = ann.get("/r/general").await.body;
    assert!(
        page.contains(
            r#"<p class="status" id="stream-status" role="status"><span class="not-live">Live updates are not connected. <a href="/r/general">Reload the page</a></span></p>"#
        ),
        "{page}"
    );
    assert!(page.contains(r#"hx-status:4xx="swap:none" hx-status:5xx="swap:none""#));
    assert!(
        page.contains("&quot;reconnectMaxDelay&quot;:7000"),
        "{page}"
    );
    ann.post("/pair", &[("name", "Ann")]).await;
    let waiting = ann.get("/pair").await.body;
    assert!(
        waiting.contains(r#"<span class="not-live">Live updates are not connected. <a href="/pair">Reload the page</a></span>"#),
        "{waiting}"
    );
    let style = ann.get(&asset_path(&page, "style.")).await.body;
    assert!(
        style.contains("animation: not-live 0s 5s forwards"),
        "shown only after a delay"
    );
    let no_js = ann.get(&asset_path(&page, "nojs.")).await.body;
    assert!(
        no_js.contains(".not-live { display: none !important; }"),
        "never without JavaScript"
    );
}

/// The path of the stylesheet whose name starts with `prefix`, as `page` links it.
fn asset_path(page: &str, prefix: &str) -> String {
    let at = page
        .find(&format!("/assets/{prefix}"))
        .unwrap_or_else(|| panic!("{prefix} in {page}"));
    page[at..].split('"').next().expect("path").to_owned()
}

#[tokio::test]
async fn creating_a_room_makes_a_fresh_code_and_htmx_is_sent_there() {
    let mut ann = site(&[]);
    let answer = ann.post("/rooms", &[("name", "Ann")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let code = answer
        .location()
        .strip_prefix("/r/")
        .expect("room path")
        .to_owned();
    assert_eq!(code.len(), 4);
    assert!(
        code.bytes()
            .all(|b| b"ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(&b)),
        "{code}"
    );
    let other = ann.htmx_post("/rooms", &[("name", "Ann")]).await;
    assert_eq!(other.status, StatusCode::OK);
    let to = other.headers["hx-redirect"].to_str().expect("ascii");
    assert!(to.starts_with("/r/") && to != answer.location(), "{to}");
    let mut bob = ann.stranger();
    let joined = bob.join("Bob", &code.to_lowercase()).await;
    assert_eq!(joined.location(), format!("/r/{code}"));
}

#[tokio::test]
async fn a_shared_link_without_a_name_leads_home_with_the_code_filled_in() {
    let mut ann = site(&[]);
    let code = ann
        .post("/rooms", &[("name", "Ann")])
        .await
        .location()
        .to_owned();
    let mut bob = ann.stranger();
    let answer = bob.get(&code).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let home = answer.location().to_owned();
    assert_eq!(home, format!("/?code={}", &code[3..]));
    let page = bob.get(&home).await;
    assert!(page.body.contains(&format!(
        r#"id="code" name="code" type="text" value="{}""#,
        &code[3..]
    )));
}

#[tokio::test]
async fn unknown_rooms_are_a_real_404_page_that_leads_home() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    for path in ["/r/ZZZZ", "/r/..%2F", "/nowhere"] {
        let answer = ann.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("<h1>Nothing here</h1>"), "{path}");
        assert!(answer.body.contains(r#"href="/""#), "{path}");
    }
}

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
        body.contains(r#"<iframe class="log-frame" src="/r/general/log" title="Messages">"#),
        "the log without JavaScript"
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
    assert!(answer.body.contains("too fast"), "{}", answer.body);
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
    assert!(forged.body.contains("another site"), "{}", forged.body);
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
    assert!(
        refused
            .body
            .contains("You are not in this room, or it has closed. Reload the page to join again."),
        "{}",
        refused.body
    );
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
async fn avatars_are_svg_and_cacheable_for_ever() {
    let mut me = site(&[]);
    let answer = me.get("/avatars/0123456789abcdef.svg").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(
        answer.headers[header::CACHE_CONTROL]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    assert!(answer.body.contains("<svg"));
    assert_eq!(
        me.get("/avatars/nope.svg").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn assets_are_served_under_versioned_names() {
    let mut me = site(&[]);
    let home = me.get("/").await;
    for src in ["/assets/htmx-4.0.1.min.js", "/assets/hx-sse-4.0.1.min.js"] {
        assert!(home.body.contains(src), "{src}");
        let answer = me.get(src).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            answer.headers[header::CACHE_CONTROL]
                .to_str()
                .expect("ascii")
                .contains("max-age=31536000")
        );
    }
    let css = home
        .body
        .split("href=\"/assets/style.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet");
    assert_eq!(
        me.get(&format!("/assets/style.{css}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        me.get("/assets/style.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let mut ann = site(&[]);
    let health = ann.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    ann.join("Ann", "general").await;
    ann.get("/r/general").await;
    ann.post("/r/general/messages", &[("text", "hi")]).await;
    let metrics = ann.get("/metrics").await.body;
    for line in [
        "livechat_rooms 5",
        "livechat_members 1",
        "livechat_messages_total 1",
        "livechat_streams 0",
        "livechat_renders_total 2",
        "livechat_resyncs_rendered_total 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_get_a_413_page() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let huge = "z".repeat(33 * 1024);
    let answer = ann.post("/r/general/messages", &[("text", &huge)]).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.body.contains("<h1>Too much at once</h1>"));
}

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
    assert!(
        page.body.contains(r#"role="alert">Enter a name"#),
        "{}",
        page.body
    );
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
    let mut bob = ann.stranger();
    ann.post("/pair", &[("name", "Ann")]).await;
    bob.post("/pair", &[("name", "Bob")]).await;
    let room = bob.get("/pair").await.location().to_owned();
    ann.post(&format!("{room}/leave"), &[]).await;
    let page = bob.get(&room).await;
    assert!(
        page.body.contains("<bdi>Ann</bdi> left the chat"),
        "{}",
        page.body
    );
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
    let mut bob = ann.stranger();
    ann.post("/pair", &[("name", "Ann")]).await;
    bob.post("/pair", &[("name", "Bob")]).await;
    let room = bob.get("/pair").await.location().to_owned();
    let page = ann.get(&room).await;
    assert!(
        page.body.contains("<h1>Chatting with <bdi>Bob</bdi></h1>"),
        "{}",
        page.body
    );
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
    assert!(page.body.contains("<h1>Random chat</h1>"), "{}", page.body);
    assert!(!page.body.contains(r#"name="text""#), "no send form");
    assert!(
        page.body.contains(
            r#"<div class="stranger-left" id="send"><p class="left-words">Your stranger left</p>"#
        ),
        "{}",
        page.body
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

/// An invite link leads someone without a name to the home page with the
/// room's card first: its heading, the Name box (focused, a name
/// suggested) and one button that joins that room. A refusal keeps the card.
#[tokio::test]
async fn an_invite_link_opens_the_home_page_with_its_card_first_and_focused() {
    let mut ann = site(&[]);
    let mut eve = ann.stranger();
    let made = ann.post("/rooms", &[("name", "Ann")]).await;
    let room = made.location().to_owned();
    let code = room.trim_start_matches("/r/").to_owned();
    let sent = eve.get(&room).await;
    assert_eq!(sent.location(), format!("/?code={code}"));
    let home = eve.get(sent.location()).await;
    let body = &home.body;
    let card = body
        .find(&format!(
            r#"<h2 id="invite-h">You are invited to room <span class="code">{code}</span></h2>"#
        ))
        .expect("the invite card");
    let name = body
        .find(r#"<input id="name" name="name""#)
        .expect("Name box");
    let other = body.find("Join with a code").expect("the other cards");
    assert!(
        card < name && name < other,
        "the card first, the Name box in it"
    );
    assert!(
        body[name..]
            .split('>')
            .next()
            .expect("tag")
            .contains("autofocus"),
        "the Name box has the focus"
    );
    let button = body
        .split("<button")
        .find(|tag| tag.contains(r#"id="invite-join""#))
        .expect("the invite's button");
    assert!(
        button.contains(&format!(r#"formaction="/join" name="room" value="{code}""#)),
        "{button}"
    );
    assert!(body.contains(&format!(">Join room {code}</button>")));
    assert_eq!(body.matches(r#"id="name""#).count(), 1, "one Name box");

    let refused = eve
        .post(
            "/join",
            &[
                ("name", ""),
                ("room", &code),
                ("invite", &code),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"id="invite-h""#), "the card stays");
    let joined = eve
        .post(
            "/join",
            &[
                ("name", "Eve"),
                ("room", &code),
                ("invite", &code),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(joined.location(), room);

    // A code that leads nowhere answers as before: 404.
    let nowhere = eve.stranger().get("/r/ZZZZ").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    // Anything else in `?code=` is only text in the Room code box.
    let odd = eve.stranger().get("/?code=%3Cb%3E").await;
    assert!(!odd.body.contains("invite-h"));
    assert!(odd.body.contains(r#"value="&lt;b&gt;""#));
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
    assert!(page.body.contains("This room is full"), "{}", page.body);
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
    assert!(
        refused.body.contains("No more rooms can be made right now"),
        "{}",
        refused.body
    );
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
    assert!(
        slowed.body.contains(
            r#"role="alert">Too many wrong room codes from your address or session: wait "#
        ),
        "{}",
        slowed.body
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

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_counted_on_its_own() {
    let mut eve = site(&["--join-failures", "3", "--trusted-proxy", "10.0.0.0/8"]);
    assert_eq!(
        guess_through_proxy(&mut eve, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut ann = eve.stranger();
    ann.from = Some(([10, 0, 0, 2], 40001).into());
    let headers = [("origin", ORIGIN), ("x-forwarded-for", "198.51.100.1")];
    let form = [("name", "Ann"), ("code", "general")];
    let answer = ann.post_with("/join", &form, &headers).await;
    assert_eq!(
        answer.status,
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
    let mut other = eve.stranger();
    other.from = Some(([10, 0, 0, 2], 40001).into());
    let headers = [("origin", ORIGIN), ("x-forwarded-for", "198.51.100.1")];
    let form = [("name", "Ann"), ("code", "general")];
    let answer = other.post_with("/join", &form, &headers).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the header is not believed: it is the same address"
    );
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
    assert!(
        refused
            .body
            .contains(r#"role="alert">You changed your name too often: wait "#),
        "{}",
        refused.body
    );
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
    assert!(
        named.body.contains("Hello, <bdi>Ann</bdi>."),
        "{}",
        named.body
    );
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
    assert!(
        again.body.contains(
            r#"<p class="error" role="alert">The queue is full right now: try again in a minute</p>"#
        ),
        "{}",
        again.body
    );
    let still = ann
        .htmx_post(&format!("{room}/messages"), &[("text", "still here")])
        .await;
    assert_eq!(still.status, StatusCode::OK, "Ann is still in the room");
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
    assert!(refused.body.contains("Nothing here"), "{}", refused.body);
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
        for route in ["", "/events", "/log", "/title"] {
            let path = format!("/r/{code}{route}");
            answers.push((
                format!("GET {route}"),
                visitor.get_with(&path, &headers).await,
            ));
        }
        for (route, form) in [
            ("/messages", vec![("text", "hello there")]),
            ("/leave", vec![]),
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
    let mut bob = ann.stranger();
    ann.post("/pair", &[("name", "Ann")]).await;
    bob.post("/pair", &[("name", "Bob")]).await;
    let room = bob.get("/pair").await.location().to_owned();
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
        assert_eq!(to_pair.len(), 14);
        for (a, b) in to_pair.iter().zip(&to_missing) {
            assert_eq!(a, b, "the pair room shows through");
        }
        let statuses: Vec<u16> = to_pair.iter().map(|(_, s, _)| s.as_u16()).collect();
        assert_eq!(
            statuses,
            [
                404, 200, 404, 404, post, 303, 422, 404, 200, 404, 404, post, 200, 422
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
        // A page without JavaScript that never changes by itself says until
        // when (a clock time), where the others say how long.
        let words = if route == "post" {
            answer.body.contains("try again at ") && answer.body.contains(" UTC")
        } else {
            answer
                .body
                .contains(&format!("wait {} s", retry.unwrap_or(0)))
        };
        assert!(
            answer.body.contains("Too many wrong room codes") && words,
            "{route}: {}",
            answer.body
        );
    }
}
#[path = "http/nojs.rs"]
mod nojs;
