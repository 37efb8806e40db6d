//! The settings page: a plain form whose choices a cookie keeps, each
//! checked, leading back where the person came from (a page of this site
//! only); and pages rendered in the chosen zone, clock, theme and size.

use axum::http::StatusCode;
use livechat::look::{Clock, Look};

use super::{Answer, site};

/// Every field as the form sends it, with `changes` in place.
fn form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("back", "/"),
        ("zone", ""),
        ("clock", "auto"),
        ("notices", "shown"),
        ("size", "normal"),
        ("theme", "system"),
        ("typing", "on"),
        ("lang", ""),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() || *name == "zone" || *name == "lang" {
            fields.push((name, value));
        }
    }
    fields
}

fn set_cookie(answer: &Answer) -> String {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("settings="))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_settings_page_offers_every_zone_with_the_languages_usual_ones_first() {
    let mut ann = site(&[]);
    let page = ann
        .get_with(
            "/settings?back=/r/general",
            &[("accept-language", "fr-CA,fr;q=0.8")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_has(r#"<option value="" selected>UTC (not chosen)</option><optgroup label="Usual for your language"><option value="America/Toronto">America/Toronto</option>"#);
    page.assert_has(r#"<optgroup label="Every time zone">"#);
    page.assert_has(r#"<option value="Europe/Paris">Europe/Paris</option>"#);
    page.assert_has(r#"<option value="Pacific/Chatham">"#);
    page.assert_has(r#"<option value="ar" lang="ar" dir="rtl">العربية</option>"#);
    page.assert_has(r#"<option value="" selected>As my browser asks</option>"#);
    page.assert_has(r#"<input type="hidden" name="back" value="/r/general">"#);
    for legend in ["Clock", "Join and leave notices", "Text size", "Theme"] {
        page.assert_has(&format!("<legend>{legend}</legend>"));
    }
    page.assert_has("Tell the other person when I am typing");
    // Every page links to it, to come back to that page.
    let home = ann.get("/").await;
    home.assert_has(r#"<a class="settings-link" href="/settings?back=/">Settings</a>"#);
    ann.join("Ann", "general").await;
    let room = ann.get("/r/general").await;
    room.assert_has(r#"href="/settings?back=/r/general">Settings</a>"#);
}

#[tokio::test]
async fn saving_keeps_the_choices_in_a_long_lived_lax_cookie_and_goes_back() {
    let mut ann = site(&[]);
    let sent = form(&[
        ("back", "/r/general"),
        ("zone", "Europe/Paris"),
        ("clock", "12"),
        ("notices", "hidden"),
        ("size", "larger"),
        ("theme", "dark"),
        ("typing", ""),
        ("lang", "ar"),
    ]);
    let answer = ann.post("/settings", &sent).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/r/general");
    let cookie = set_cookie(&answer);
    assert!(
        // `look::Settings::to_value`, percent-encoded as cookies are here.
        cookie.starts_with(
            "settings=l%3Dar&z%3DEurope%2FParis&c%3D12&n%3D0&t%3Ddark&s%3Dlarger&y%3D0;"
        ),
        "{cookie}"
    );
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(cookie.contains(part), "{part}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");

    // Read back: the form shows what was chosen, and every page wears it.
    let pair = cookie.split(';').next().unwrap_or_default().to_owned();
    let page = ann.get_with("/settings", &[("cookie", &pair)]).await;
    page.assert_has(r#"<option value="Europe/Paris" selected>"#);
    page.assert_has(r#"<input id="clock-12" type="radio" name="clock" value="12" checked>"#);
    page.assert_has(
        r#"<input id="notices-hidden" type="radio" name="notices" value="hidden" checked>"#,
    );
    page.assert_has(r#"<input id="size-larger" type="radio" name="size" value="larger" checked>"#);
    page.assert_has(r#"<input id="theme-dark" type="radio" name="theme" value="dark" checked>"#);
    page.assert_has(r#"<input id="typing" type="checkbox" name="typing" value="on">"#);
    page.assert_has(r#"class="theme-dark text-larger no-notices""#);
    page.assert_has(r#"<meta name="color-scheme" content="dark">"#);

    // Served over HTTPS, the cookie is `Secure`.
    let mut bob = site(&["--secure-cookies"]);
    let answer = bob.post("/settings", &form(&[])).await;
    assert!(
        set_cookie(&answer).contains("; Secure"),
        "{}",
        set_cookie(&answer)
    );
}

#[tokio::test]
async fn settings_lead_back_only_to_a_page_of_this_site() {
    let mut ann = site(&[]);
    for back in [
        "//evil.example/r/x",
        "https://evil.example/",
        "/\\evil.example",
        "/r/general?x=1",
        "javascript:alert(1)",
        "r/general",
        "",
    ] {
        let answer = ann.post("/settings", &form(&[("back", back)])).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(answer.location(), "/", "{back}");
        let page = ann
            .get(&format!("/settings?back={}", super::enc(back)))
            .await;
        page.assert_has(r#"<input type="hidden" name="back" value="/">"#);
    }
    let answer = ann
        .post("/settings", &form(&[("back", "/r/general/m/1-2")]))
        .await;
    assert_eq!(answer.location(), "/r/general/m/1-2");
}

#[tokio::test]
async fn with_htmx_saving_keeps_the_person_on_the_page_and_says_so() {
    let mut ann = site(&[]);
    let answer = ann
        .htmx_post(
            "/settings",
            &form(&[("theme", "light"), ("back", "/r/general")]),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.location().is_empty());
    assert!(
        answer
            .body
            .starts_with(r#"<form class="card" id="settings-form""#),
        "{}",
        answer.body
    );
    answer.assert_has(r#"<p class="status" role="status">Settings saved</p>"#);
    answer
        .assert_has(r#"<input id="theme-light" type="radio" name="theme" value="light" checked>"#);
    assert!(set_cookie(&answer).starts_with("settings=t%3Dlight;"));
}

#[tokio::test]
async fn a_bad_value_is_refused_saying_what_was_wrong_and_keeps_the_rest() {
    let mut ann = site(&[]);
    let sent = form(&[
        ("zone", "Mars/Olympus"),
        ("clock", "13"),
        ("theme", "dark"),
        ("size", "large"),
    ]);
    for htmx in [false, true] {
        let answer = if htmx {
            ann.htmx_post("/settings", &sent).await
        } else {
            ann.post("/settings", &sent).await
        };
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert!(set_cookie(&answer).is_empty(), "nothing saved");
        answer.assert_has(r#"role="alert""#);
        answer.assert_has("Time zone: choose one from the list");
        answer.assert_has("Clock: choose 24-hour, 12-hour");
        answer.assert_has(r#"value="dark" checked>"#);
        answer.assert_has(r#"value="large" checked>"#);
        assert_eq!(answer.body.starts_with("<!DOCTYPE html>"), !htmx);
    }
    for (field, value) in [
        ("notices", "maybe"),
        ("size", "huge"),
        ("theme", "pink"),
        ("typing", "yes"),
        ("lang", "xx"),
        ("zone", "<b>"),
    ] {
        let answer = ann.post("/settings", &form(&[(field, value)])).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(!answer.body.contains("<b>"), "escaped");
    }
}

#[tokio::test]
async fn a_room_page_shows_times_in_the_chosen_zone_and_clock_and_utc_otherwise() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    ann.post("/r/general/messages", &[("text", "hello there")])
        .await;
    let said_at = time::OffsetDateTime::now_utc();
    let session = ann.cookie.clone().unwrap_or_default();
    let chosen = format!("{session}; settings=z=Europe/Paris&c=12");
    let page = ann.get_with("/r/general", &[("cookie", &chosen)]).await;
    page.assert_has("hello there");
    let paris = Look {
        zone: Some("Europe/Paris".into()),
        clock: Clock::H12,
        ..Look::default()
    };
    let (_, zone) = paris.local(said_at);
    let words = paris.clock_words(said_at);
    assert!(
        page.body.contains(&format!(">{words}</time>"))
            || page.body.contains(&format!(
                ">{}</time>",
                paris.clock_words(said_at + time::Duration::minutes(1))
            )),
        "{words}: {}",
        page.body
    );
    page.assert_has(&format!(" {zone}\">"));
    assert!(page.body.contains(" PM</time>") || page.body.contains(" AM</time>"));

    let plain = ann.get("/r/general").await;
    plain.assert_has(" UTC\">");
    assert!(!plain.body.contains(" PM</time>") && !plain.body.contains(" AM</time>"));
    // The machine-readable time stays UTC for both.
    let utc_stamp = format!("datetime=\"{}", said_at.date());
    page.assert_has(&utc_stamp);
    assert!(page.body.contains("Z\" title="), "{}", page.body);
}

/// Another site cannot set a person's settings: its form post is refused
/// before anything is read or saved.
#[tokio::test]
async fn another_site_cannot_post_settings() {
    let mut ann = site(&[]);
    let answer = ann
        .post_with(
            "/settings",
            &form(&[("theme", "dark")]),
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&answer).is_empty());
}
