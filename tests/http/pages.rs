//! Pages and what they carry: the home page's ways in, security headers,
//! versioned assets and avatars, invite links, health and metrics.

use super::*;

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

/// What is the same for everyone and kept for ever (scripts, stylesheets,
/// avatars, a member's own stylesheet) says it varies by no reader's
/// cookie or language, so a shared cache keeps one copy; pages do vary.
#[tokio::test]
async fn files_kept_for_ever_do_not_vary_by_reader_but_pages_do() {
    let mut me = site(&[]);
    let home = me.get("/").await;
    let varies = |answer: &Answer| {
        answer
            .headers
            .get_all(header::VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page = varies(&home);
    assert!(
        page.contains("Cookie") && page.contains("Accept-Language") && page.contains("HX-Request"),
        "{page}"
    );
    let css = asset_path(&home.body, "style.");
    for path in [
        "/assets/htmx-4.0.1.min.js",
        css.as_str(),
        "/avatars/0123456789abcdef.svg",
        "/me/0123456789abcdef.css",
    ] {
        let answer = me.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        let vary = varies(&answer);
        assert!(
            !vary.contains("Cookie") && !vary.contains("Accept-Language"),
            "{path}: {vary}"
        );
    }
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
