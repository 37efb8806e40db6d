//! Each frame is rendered once per look among its readers (language,
//! clock, zone), never once per reader, and each reader's stream carries
//! the render of their own look.

use common::people::{Person, enter_with, post_see_other};
use common::sse::{Growing, Sse};

use super::*;

/// A person who chose `settings` (the settings form's fields) before
/// entering `room` as `name`.
async fn entered_with_settings(
    server: &common::TestServer,
    name: &str,
    room: &str,
    settings: &[(&str, &str)],
) -> Person {
    let http = client();
    if !settings.is_empty() {
        let mut form = vec![("back", "/"), ("typing", "on")];
        form.extend_from_slice(settings);
        post_see_other(&http, server, "/settings", &form).await;
    }
    enter_with(http, server, name, room).await
}

async fn metric(server: &common::TestServer, http: &reqwest::Client, name: &str) -> u64 {
    let text = get_text(http, &server.url("/metrics")).await;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .expect("metric")
}

/// The `<time>` text and title of the item holding `text` in `data`.
fn time_of<'a>(data: &'a str, text: &str) -> &'a str {
    let from = data.find(text).expect("the item");
    let rest = &data[from..];
    let start = rest.find("<time").expect("a time");
    let end = rest[start..].find("</time>").expect("its end");
    &rest[start..start + end]
}

#[tokio::test]
async fn a_frame_is_rendered_once_per_look_whatever_the_number_of_readers() {
    let server = spawn_app(&[]).await;
    let paris = [("zone", "Europe/Paris"), ("clock", "12")];
    let tokyo = [("zone", "Asia/Tokyo"), ("clock", "24")];
    let mut people = Vec::new();
    for (name, settings) in [
        ("Ann", &paris[..]),
        ("Bea", &paris[..]),
        ("Cy", &paris[..]),
        ("Dan", &tokyo[..]),
        ("Eve", &tokyo[..]),
        ("Fay", &[][..]),
    ] {
        people.push(entered_with_settings(&server, name, "general", settings).await);
    }
    let mut streams: Vec<Sse> = Vec::new();
    for person in &people {
        streams.push(person.stream(&server, "general").await);
    }
    // Every join told, before counting.
    let fay = &people[5];
    fay.say(&server, "general", "warm").await;
    for sse in &mut streams {
        sse.until(">warm<").await;
    }
    let renders = metric(&server, &fay.http, "livechat_renders_total").await;
    let delivered = metric(&server, &fay.http, "livechat_delivered_total").await;

    let said_at = time::OffsetDateTime::now_utc();
    people[0].say(&server, "general", "bonjour").await;
    let mut got = Vec::new();
    for sse in &mut streams {
        let events = sse.until(">bonjour<").await;
        let data = events.last().map(|e| e.data.clone()).unwrap_or_default();
        got.push(data);
    }
    let rendered = metric(&server, &fay.http, "livechat_renders_total").await - renders;
    let sent = metric(&server, &fay.http, "livechat_delivered_total").await - delivered;
    assert_eq!(sent, 6, "delivered to every stream");
    assert_eq!(
        rendered, 3,
        "once for the default look (as published), once for Paris, once for Tokyo"
    );

    // Each reader is sent the render of their own look; `datetime` stays UTC.
    let utc = format!("datetime=\"{}", said_at.date());
    for data in &got {
        assert!(time_of(data, "bonjour").contains(&utc), "{data}");
    }
    for data in &got[..3] {
        let time = time_of(data, "bonjour");
        assert!(time.ends_with(" AM") || time.ends_with(" PM"), "{time}");
        assert!(
            time.contains(" CET\"") || time.contains(" CEST\""),
            "{time}"
        );
    }
    assert_eq!(got[0], got[1]);
    for data in &got[3..5] {
        let time = time_of(data, "bonjour");
        assert!(time.contains(" JST\""), "{time}");
    }
    let plain = time_of(&got[5], "bonjour");
    assert!(plain.contains(" UTC\""), "{plain}");
    assert!(!plain.ends_with("M"), "{plain}");
}

#[tokio::test]
async fn the_no_javascript_log_opens_and_goes_on_in_the_chosen_zone_and_clock() {
    let server = spawn_app(&[]).await;
    let ann = entered_with_settings(
        &server,
        "Ann",
        "general",
        &[
            ("zone", "Europe/Paris"),
            ("clock", "12"),
            ("notices", "hidden"),
            ("theme", "dark"),
        ],
    )
    .await;
    let bob = entered_with_settings(&server, "Bob", "general", &[]).await;
    bob.say(&server, "general", "before").await;
    let (_, mut doc) = Growing::open(&ann.http, &server.url("/r/general/log")).await;
    let opening = doc.until(">before<").await.to_owned();
    assert!(
        opening.contains(r#"<html lang="en" dir="ltr" class="theme-dark no-notices">"#),
        "{opening}"
    );
    let time = time_of(&opening, ">before<");
    assert!(time.ends_with(" AM") || time.ends_with(" PM"), "{time}");
    assert!(
        time.contains(" CET\"") || time.contains(" CEST\""),
        "{time}"
    );
    assert!(
        opening.contains("title=\"") && opening.contains(">Today</time>"),
        "{opening}"
    );
    // Join notices are there, marked so the stylesheet hides them.
    assert!(
        opening.contains(r#"<li class="notice presence""#),
        "{opening}"
    );

    bob.say(&server, "general", "after").await;
    let text = doc.until(">after<").await.to_owned();
    let time = time_of(&text, ">after<");
    assert!(
        time.contains(" CET\"") || time.contains(" CEST\""),
        "{time}"
    );

    let (_, mut plain) = Growing::open(&bob.http, &server.url("/r/general/log")).await;
    let opening = plain.until(">after<").await;
    assert!(
        opening.contains(r#"<html lang="en" dir="ltr">"#),
        "{opening}"
    );
    assert!(time_of(opening, ">after<").contains(" UTC\""), "{opening}");
}
