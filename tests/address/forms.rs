//! Forms from one address: fresh sessions share its limits on every form and
//! its message budget, a whole IPv6 /64 counts as one, and a burst at once
//! passes only the limits.

use super::*;

#[tokio::test]
async fn fresh_sessions_from_one_address_are_limited_on_every_form() {
    let server = spawn_app(&["--address-sessions", "3"]).await;
    let mut first = None;
    for n in 0..3 {
        let name = format!("P{n}");
        let (http, status, body) =
            fresh_post(&server, "/join", &[("name", &name), ("code", "general")]).await;
        assert_eq!(status, 303, "{body}");
        first.get_or_insert(http);
    }
    let attempts: [(&str, Vec<(&str, &str)>); 5] = [
        ("/join", vec![("name", "Eve"), ("code", "general")]),
        ("/join", vec![("name", "Eve"), ("code", ""), ("enter", "1")]),
        ("/rooms", vec![("name", "Eve")]),
        ("/pair", vec![("name", "Eve")]),
        ("/name", vec![("name", "Eve"), ("back", "")]),
    ];
    for (path, form) in &attempts {
        let (_, status, body) = fresh_post(&server, path, form).await;
        assert_eq!(status, 429, "{path}: {body}");
        assert!(body.contains(NEW_NAMES), "{path}: {body}");
        assert!(body.contains("role=\"alert\""), "{path}: {body}");
        assert!(body.contains("value=\"Eve\""), "{path}: the name is kept");
    }
    // Someone who already has a session is not a new one.
    let first = first.expect("a first person");
    let res = post_form(&first, &server, "/rooms", &[("name", "P0")]).await;
    assert_eq!(res.status(), 303, "a known session makes a room");
}

#[tokio::test]
async fn many_sessions_from_one_address_share_one_message_budget() {
    let server = spawn_app(&[
        "--address-sessions",
        "1000",
        "--address-messages",
        "20",
        "--rate-window",
        "60",
        "--history",
        "50",
    ])
    .await;
    let ann = enter(&server, "Ann", "general").await;
    ann.say(&server, "general", "the first word").await;
    let mut people = Vec::new();
    for n in 0..15 {
        people.push(enter(&server, &format!("P{n}"), "general").await);
    }
    let mut taken = 1;
    let mut refused = None;
    for round in 0..10 {
        let text = format!("flood {round}");
        let sent = futures_util::future::join_all(
            people.iter().map(|p| p.send(&server, "general", &text)),
        )
        .await;
        for res in sent {
            match res.status().as_u16() {
                200 => taken += 1,
                _ => refused = Some((res.status(), res.text().await.expect("body"))),
            }
        }
    }
    assert_eq!(taken, 20, "one budget for the whole address");
    let (status, body) = refused.expect("refused");
    assert_eq!(status, 429);
    assert!(
        body.contains("Too many messages from your network address: wait "),
        "{body}"
    );
    assert!(
        body.contains("flood 9"),
        "the text stays in the box: {body}"
    );
    let page = get_text(&ann.http, &server.url("/r/general")).await;
    assert!(page.contains("the first word"), "the history was not wiped");
    // Without JavaScript too: the room page again, the text in the box.
    let res = post_form(
        &people[0].http,
        &server,
        "/r/general/messages",
        &[("text", "plain flood")],
    )
    .await;
    assert_eq!(res.status(), 429);
    let body = res.text().await.expect("body");
    assert!(body.contains("plain flood") && body.contains("role=\"alert\""));
}

#[tokio::test]
async fn one_ipv6_network_is_one_address_however_many_addresses_it_uses() {
    let (state, _trigger) =
        livechat::AppState::new(common::config(&["--address-sessions", "2"])).expect("config");
    let site = livechat::app(state);
    // Each a name of its own: names are unique in a room.
    for (n, host) in ["2001:db8:1:2::1", "2001:db8:1:2::2"].iter().enumerate() {
        let from = format!("[{host}]:50000").parse().expect("address");
        let join = format!("name=Eve{n}&code=general");
        assert_eq!(post_from(&site, from, "/join", &join).await, 303);
    }
    let from = "[2001:db8:1:2:ffff::3]:50000".parse().expect("address");
    assert_eq!(
        post_from(&site, from, "/join", "name=Eve2&code=general").await,
        429,
        "the same /64"
    );
    let from = "[2001:db8:1:3::1]:50000".parse().expect("address");
    assert_eq!(
        post_from(&site, from, "/join", "name=Eve3&code=general").await,
        303,
        "another /64"
    );
}

#[tokio::test]
async fn a_burst_of_fresh_sessions_and_rooms_at_once_passes_only_the_limits() {
    let server = spawn_app(&["--address-sessions", "5"]).await;
    let joins = futures_util::future::join_all((0..20).map(|n| {
        let name = format!("P{n}");
        let server = &server;
        async move {
            let form = [("name", name.as_str()), ("code", "general")];
            fresh_post(server, "/join", &form).await.1
        }
    }))
    .await;
    assert_eq!(joins.iter().filter(|s| s.as_u16() == 303).count(), 5);
    assert!(joins.iter().all(|s| [303, 429].contains(&s.as_u16())));

    let server = spawn_app(&["--address-rooms-held", "3"]).await;
    let rooms = futures_util::future::join_all((0..20).map(|n| {
        let name = format!("P{n}");
        let server = &server;
        async move {
            fresh_post(server, "/rooms", &[("name", name.as_str())])
                .await
                .1
        }
    }))
    .await;
    assert_eq!(
        rooms.iter().filter(|s| s.as_u16() == 303).count(),
        3,
        "{rooms:?}"
    );
}
