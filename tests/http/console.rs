//! The moderator console: absent without `--admin-token`, a sign-in with
//! the token (a wrong one refused and counted), its own cookie, the
//! same-site checks, signing out, and each action reaching the store and
//! the action log.

use std::sync::Arc;

use super::moderated::{Moderated, TEXT};
use super::*;
use livechat::chat::rate::MemoryLimits;
use livechat::chat::{Member, MemberId, Name, Seed};

const TOKEN: &str = "correct horse battery staple";

/// A form's fields, as a test posts them.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// A site with a console, on a store that writes down what moderators ask.
fn moderated_site(flags: &[&str]) -> (Visitor, Arc<Moderated>) {
    let mut flags = flags.to_vec();
    flags.extend(["--admin-token", TOKEN]);
    let config = common::config(&flags);
    let store = Moderated::new(&config);
    let (state, trigger) =
        AppState::with_chat(config, store.clone(), &MemoryLimits).expect("config");
    let visitor = Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    };
    (visitor, store)
}

/// A moderator, signed in.
async fn signed_in(site: &Visitor) -> Visitor {
    let mut moderator = site.stranger();
    let answer = moderator.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/admin");
    moderator
}

fn ann() -> Member {
    Member {
        id: MemberId::random(),
        name: Name::parse("Ann", 32).expect("name"),
        seed: Seed::random(),
    }
}

/// Bob, in the general room, reports a message of Ann's: its report's number.
pub(super) async fn reported(site: &Visitor, store: &Moderated, author: &Member) -> String {
    *store.author.lock().expect("not poisoned") = Some(author.clone());
    let mut bob = site.stranger();
    bob.join("Bob", "general").await;
    let answer = bob
        .post("/r/general/m/1-1/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let reports = store.inner_reports().await;
    reports.first().expect("kept").id.to_string()
}

impl Moderated {
    async fn inner_reports(&self) -> Vec<livechat::chat::Report> {
        use livechat::chat::Reports;
        self.reports().await.expect("read")
    }
}

#[tokio::test]
async fn the_console_is_absent_without_its_token() {
    let mut visitor = site(&[]);
    assert_eq!(visitor.get("/admin").await.status, StatusCode::NOT_FOUND);
    let answer = visitor.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
    let answer = visitor
        .post("/admin/mute", &[("report", "1"), ("secs", "600")])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_console_asks_for_the_token_first() {
    let (site, _) = moderated_site(&[]);
    let mut visitor = site.stranger();
    let answer = visitor.get("/admin").await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.assert_has("<label for=\"token\">Token</label>");
    answer.assert_has(">Sign in</button>");
    assert!(!answer.body.contains("Open reports"));
    let csp = answer.headers.get(header::CONTENT_SECURITY_POLICY);
    assert_eq!(
        csp.and_then(|v| v.to_str().ok()),
        Some(livechat::http::guard::CSP)
    );
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn a_wrong_token_is_refused_sets_nothing_and_counts() {
    let (site, _) = moderated_site(&[]);
    let mut visitor = site.stranger();
    visitor.from = Some(([203, 0, 113, 7], 4000).into());
    for typed in ["", "wrong", &TOKEN[..TOKEN.len() - 1], &format!("{TOKEN}x")] {
        let answer = visitor.post("/admin/sign-in", &[("token", typed)]).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{typed:?}");
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
        answer.assert_has("role=\"alert\"");
        answer.assert_has("That token is not right: nothing was signed in");
        assert!(
            !answer.body.contains(typed) || typed.is_empty(),
            "what was typed is not shown"
        );
    }
    assert_eq!(visitor.get("/admin").await.status, StatusCode::OK);
    let answer = visitor.post("/admin/sign-in", &[("token", "wrong")]).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "the fifth try is counted too"
    );
    let answer = visitor.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    answer.assert_has("Too many sign-ins from your network address");
    assert!(answer.headers.get(header::RETRY_AFTER).is_some());
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
    let mut other = site.stranger();
    other.from = Some(([198, 51, 100, 9], 4000).into());
    let answer = other.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "another address has its own tries"
    );
}

#[tokio::test]
async fn the_right_token_signs_in_with_a_cookie_of_its_own() {
    let (site, _) = moderated_site(&[]);
    let mut moderator = site.stranger();
    let answer = moderator.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("livechat-admin="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=14400"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains(TOKEN), "{cookie}");
    let answer = moderator.get("/admin").await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.assert_has("<h1>Moderator console</h1>");
    answer.assert_has("Open reports (0)");
    answer.assert_has(">Sign out</button>");
    answer.assert_has("Live rooms");
    answer.assert_has("Action log");
    let forged = format!("{}x", moderator.cookie.clone().expect("cookie"));
    moderator.cookie = Some(forged);
    let answer = moderator.get("/admin").await;
    assert!(
        !answer.body.contains("Open reports"),
        "a forged cookie is no sign-in"
    );
}

#[tokio::test]
async fn under_https_the_console_cookie_is_host_only_and_secure() {
    let (site, _) = moderated_site(&["--secure-cookies"]);
    let mut moderator = site.stranger();
    let answer = moderator.post("/admin/sign-in", &[("token", TOKEN)]).await;
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("__Host-livechat-admin="), "{cookie}");
    assert!(
        cookie.contains("Secure") && !cookie.contains("Domain"),
        "{cookie}"
    );
}

#[tokio::test]
async fn posts_from_another_site_are_refused() {
    let (site, store) = moderated_site(&[]);
    let mut visitor = site.stranger();
    let evil = [("origin", "https://evil.example")];
    let answer = visitor
        .post_with("/admin/sign-in", &[("token", TOKEN)], &evil)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
    let id = reported(&site, &store, &ann()).await;
    let mut moderator = signed_in(&site).await;
    let answer = moderator
        .post_with("/admin/mute", &[("report", &id), ("secs", "600")], &evil)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let site_only = [("sec-fetch-site", "same-site")];
    let answer = moderator
        .post_with(
            "/admin/ban",
            &[("report", &id), ("secs", "3600")],
            &site_only,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        store.asked(),
        Vec::<String>::new(),
        "nothing reached the store"
    );
}

#[tokio::test]
async fn signing_out_ends_the_sign_in() {
    let (site, store) = moderated_site(&[]);
    let id = reported(&site, &store, &ann()).await;
    let mut moderator = signed_in(&site).await;
    let answer = moderator.post("/admin/sign-out", &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/admin");
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("livechat-admin=;"), "{cookie}");
    let answer = moderator.get("/admin").await;
    answer.assert_has(">Sign in</button>");
    let answer = moderator.post("/admin/close", &[("report", &id)]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    answer.assert_has("Your sign-in has ended: nothing was done");
    assert_eq!(store.inner_reports().await.len(), 1, "still open");
}

#[tokio::test]
async fn a_report_shows_the_author_by_name_and_label_never_by_session() {
    let (site, store) = moderated_site(&[]);
    let author = ann();
    reported(&site, &store, &author).await;
    let mut moderator = signed_in(&site).await;
    let answer = moderator.get("/admin").await;
    answer.assert_has("Open reports (1)");
    answer.assert_has("Spam or advertising");
    answer.assert_has(TEXT);
    answer.assert_has("<bdi>Ann</bdi>");
    answer.assert_has(&format!("/avatars/{}.svg", author.seed.as_str()));
    let session = author.id.0;
    for form in [
        session.simple().to_string(),
        session.hyphenated().to_string(),
    ] {
        assert!(!answer.body.contains(&form), "the session is never shown");
    }
    let label = answer.body.split("session <code>").nth(1).expect("a label");
    let label = &label[..label.find('<').expect("closed")];
    assert_eq!(label.len(), 10, "{label}");
}

#[tokio::test]
async fn each_action_reaches_the_store_and_the_action_log() {
    let (site, store) = moderated_site(&[]);
    let author = ann();
    let id = reported(&site, &store, &author).await;
    let mut moderator = signed_in(&site).await;
    let session = author.id.0.to_string();
    let acts: [(&str, Fields, String); 6] = [
        (
            "/admin/mute",
            &[("report", &id), ("secs", "3600")],
            format!("mute {session} 3600"),
        ),
        (
            "/admin/ban",
            &[("report", &id), ("secs", "86400")],
            format!("ban {session} 86400"),
        ),
        (
            "/admin/delete",
            &[("report", &id)],
            "delete general 1-1 Moderator".into(),
        ),
        (
            "/admin/delete",
            &[("message", "http://chat.test/r/general/m/9-4")],
            "delete general 9-4 Moderator".into(),
        ),
        (
            "/admin/slow-mode",
            &[("room", "general"), ("secs", "30")],
            "slow general Some(30s)".into(),
        ),
        (
            "/admin/read-only",
            &[("room", "general"), ("secs", "900")],
            "read-only general 900".into(),
        ),
    ];
    for (path, form, asked) in acts {
        let answer = moderator.post(path, form).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            answer.body
        );
        assert_eq!(answer.location(), "/admin");
        assert_eq!(store.asked().last(), Some(&asked), "{path}");
    }
    let answer = moderator
        .post("/admin/slow-mode", &[("room", "general"), ("secs", "0")])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store.asked().last().map(String::as_str),
        Some("slow general None")
    );
    let answer = moderator.post("/admin/close", &[("report", &id)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(store.inner_reports().await.len(), 0);
    let answer = moderator.get("/admin").await;
    answer.assert_has("Open reports (0)");
    for what in [
        "Muted for 1 hour",
        "Banned session and address for 1 day",
        "Deleted a message",
        "Slow mode: one message per 30 seconds",
        "Slow mode off",
        "Read-only for 15 minutes",
        &format!("Closed report {id}"),
    ] {
        answer.assert_has(&format!("<td>{what}</td>"));
    }
    answer.assert_has("<td>sign-in ");
    assert!(!answer.body.contains(TEXT), "the log keeps no message text");
    assert!(!answer.body.contains(&session), "nor any session");
}

#[tokio::test]
async fn a_refused_action_says_why_on_the_console_and_does_nothing() {
    let (site, store) = moderated_site(&[]);
    let id = reported(&site, &store, &ann()).await;
    let mut moderator = signed_in(&site).await;
    let cases: [(&str, Fields, StatusCode, &str); 6] = [
        (
            "/admin/mute",
            &[("report", &id), ("secs", "7")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Pick one of the times offered",
        ),
        (
            "/admin/mute",
            &[("report", "999"), ("secs", "600")],
            StatusCode::NOT_FOUND,
            "That report is closed already",
        ),
        (
            "/admin/ban",
            &[("report", "x"), ("secs", "3600")],
            StatusCode::NOT_FOUND,
            "That report is closed already",
        ),
        (
            "/admin/read-only",
            &[("room", "K7QX"), ("secs", "300")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Only a public room can be made read-only",
        ),
        (
            "/admin/slow-mode",
            &[("room", "no such!"), ("secs", "5")],
            StatusCode::NOT_FOUND,
            "No room has that code",
        ),
        (
            "/admin/delete",
            &[("message", "/r/general")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "Paste the address of a message",
        ),
    ];
    for (path, form, status, words) in cases {
        let answer = moderator.post(path, form).await;
        assert_eq!(answer.status, status, "{path} {form:?}");
        answer.assert_has("role=\"alert\"");
        answer.assert_has(words);
        answer.assert_has("<h1>Moderator console</h1>");
    }
    assert_eq!(store.asked(), Vec::<String>::new());
    let answer = moderator.get("/admin").await;
    answer.assert_has("Nothing done yet.");
}
