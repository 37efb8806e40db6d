//! Limits per client address, tried as a hostile person would over a real
//! loopback socket (every client here comes from 127.0.0.1): fresh sessions
//! to dodge the per-member limits, many sessions posting into one room,
//! rooms made and held, and waiting pages held open.

mod common;

use std::time::Duration;

use common::people::{enter, post, queue_for_stranger};
use common::sse::Sse;
use common::{client, get_text, spawn_app};

/// A fresh client (no cookie yet) posts `form` to `path`; the answer.
async fn fresh_post(
    server: &common::TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> (reqwest::Client, reqwest::StatusCode, String) {
    let http = client();
    let res = post(&http, server, path)
        .form(form)
        .send()
        .await
        .expect(path);
    let status = res.status();
    (http, status, res.text().await.expect("body"))
}

const NEW_NAMES: &str = "Too many new names from your network address: wait ";

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
    let res = post(&first, &server, "/rooms")
        .form(&[("name", "P0")])
        .send()
        .await
        .expect("rooms");
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
    let res = post(&people[0].http, &server, "/r/general/messages")
        .form(&[("text", "plain flood")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 429);
    let body = res.text().await.expect("body");
    assert!(body.contains("plain flood") && body.contains("role=\"alert\""));
}

#[tokio::test]
async fn private_rooms_are_limited_per_minute_per_address() {
    let server = spawn_app(&["--address-rooms", "3"]).await;
    for n in 0..3 {
        let name = format!("P{n}");
        let (_, status, body) = fresh_post(&server, "/rooms", &[("name", &name)]).await;
        assert_eq!(status, 303, "{body}");
    }
    let (http, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(status, 429);
    assert!(
        body.contains("Too many private rooms made from your network address: wait "),
        "{body}"
    );
    assert!(body.contains("value=\"Eve\""), "the name is kept");
    // The name was taken on all the same: public rooms are open to Eve.
    let res = post(&http, &server, "/join")
        .form(&[("name", "Eve"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn private_rooms_held_per_address_come_back_when_one_closes() {
    let server = spawn_app(&["--address-rooms-held", "2"]).await;
    let mut made = Vec::new();
    for n in 0..2 {
        let http = client();
        let res = post(&http, &server, "/rooms")
            .form(&[("name", &format!("P{n}"))])
            .send()
            .await
            .expect("rooms");
        assert_eq!(res.status(), 303);
        let room = res.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        made.push((http, room));
    }
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(status, 429);
    assert!(
        body.contains("Too many private rooms are open from your network address"),
        "{body}"
    );
    assert!(body.contains("value=\"Eve\""), "the name is kept");
    // The first room's only member leaves: it closes and its place is free.
    let (http, room) = &made[0];
    let res = post(http, &server, &format!("{room}/leave"))
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 303);
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(
        status, 303,
        "a room that closed gives its place back: {body}"
    );
    let (_, status, _) = fresh_post(&server, "/rooms", &[("name", "Fay")]).await;
    assert_eq!(status, 429, "and only one");
}

#[tokio::test]
async fn strangers_are_paired_while_the_private_rooms_are_full() {
    let server = spawn_app(&["--max-rooms", "1"]).await;
    let (_, status, _) = fresh_post(&server, "/rooms", &[("name", "Ann")]).await;
    assert_eq!(status, 303);
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Bob")]).await;
    assert_eq!(status, 503, "the pool is full, nothing Bob typed is wrong");
    assert!(
        body.contains("No more rooms can be made right now"),
        "{body}"
    );
    let cy = queue_for_stranger(&server, "Cy").await;
    let dee = queue_for_stranger(&server, "Dee").await;
    for http in [&cy, &dee] {
        let res = http.get(server.url("/pair")).send().await.expect("pair");
        assert_eq!(res.status(), 303, "matched");
        let to = res.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(to.starts_with("/r/"), "{to}");
        let res = http.get(server.url(&to)).send().await.expect("room");
        assert_eq!(res.status(), 200, "the pair room is open to both");
    }
}

const FROM_ADDRESS: &str = "Too many chat pages are open from your network address";
const TOO_MANY_PAGES: &str = "You have too many pages of the chat open";

#[tokio::test]
async fn waiting_pages_count_among_the_addresses_streams() {
    let server = spawn_app(&["--max-address-streams", "2", "--pair-hold", "1"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let room = enter(&server, "Bob", "general").await;
    let _waiting = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let _reading = room.stream(&server, "general").await;
    let (_, mut third) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let said = third.until(FROM_ADDRESS).await;
    assert_eq!(
        third.next().await.and_then(|e| e.event).as_deref(),
        Some("close"),
        "{said:?}"
    );
    let res = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait");
    assert_eq!(res.status(), 503, "the no-JS waiting document too");
    assert!(res.text().await.expect("body").contains(FROM_ADDRESS));
    let res = ann
        .get(server.url("/pair?hold"))
        .send()
        .await
        .expect("hold");
    assert_eq!(res.status(), 503, "and a held waiting page");
    assert!(res.text().await.expect("body").contains(FROM_ADDRESS));
    let (_, mut log) = Sse::open(&room.http, &room.stream_url(&server, "general"), None).await;
    log.until(FROM_ADDRESS).await;
}

#[tokio::test]
async fn waiting_pages_count_among_the_members_streams() {
    let server = spawn_app(&["--max-streams", "2", "--pair-hold", "30"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let first = Sse::open(&ann, &server.url("/pair/events"), None).await;
    // A held plain page is the second.
    let held = {
        let ann = ann.clone();
        let url = server.url("/pair?hold");
        tokio::spawn(async move { ann.get(url).send().await.expect("hold").status() })
    };
    let mut third = None;
    for _ in 0..100 {
        let (_, mut sse) = Sse::open(&ann, &server.url("/pair/events"), None).await;
        let event = sse.next().await.expect("an event");
        if event.data.contains(TOO_MANY_PAGES) {
            third = Some(event);
            break;
        }
        drop(sse);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(third.is_some(), "a third waiting page is too many");
    let res = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait");
    assert_eq!(res.status(), 503);
    assert!(res.text().await.expect("body").contains(TOO_MANY_PAGES));
    drop(first);
    held.abort();
    let mut again = false;
    for _ in 0..100 {
        let (_, mut sse) = Sse::open(&ann, &server.url("/pair/events"), None).await;
        let event = sse.next().await.expect("an event");
        if !event.data.contains(TOO_MANY_PAGES) {
            again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again, "closed pages give their places back");
}

/// A fresh visitor at `from` (as the serve loop records it) posts `form`
/// to `path` in-process; the status.
async fn post_from(site: &axum::Router, from: std::net::SocketAddr, path: &str, form: &str) -> u16 {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", "chat.test")
        .header("origin", "http://chat.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .extension(axum::extract::ConnectInfo(from))
        .body(axum::body::Body::from(form.to_owned()))
        .expect("request");
    let res = site.clone().oneshot(req).await.expect("infallible");
    res.status().as_u16()
}

#[tokio::test]
async fn one_ipv6_network_is_one_address_however_many_addresses_it_uses() {
    let (state, _trigger) =
        livechat::AppState::new(common::config(&["--address-sessions", "2"])).expect("config");
    let site = livechat::app(state);
    let join = "name=Eve&code=general";
    for host in ["2001:db8:1:2::1", "2001:db8:1:2::2"] {
        let from = format!("[{host}]:50000").parse().expect("address");
        assert_eq!(post_from(&site, from, "/join", join).await, 303);
    }
    let from = "[2001:db8:1:2:ffff::3]:50000".parse().expect("address");
    assert_eq!(
        post_from(&site, from, "/join", join).await,
        429,
        "the same /64"
    );
    let from = "[2001:db8:1:3::1]:50000".parse().expect("address");
    assert_eq!(
        post_from(&site, from, "/join", join).await,
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

/// A browser like `client()` whose connections come from `ip` (any
/// address of 127.0.0.0/8 reaches a server bound to 127.0.0.1).
fn client_from(ip: &str) -> reqwest::Client {
    let _ = client(); // installs the TLS provider the builder needs
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<std::net::IpAddr>().ok())
        .build()
        .expect("client")
}

/// Two sessions of one address queue again and again for each other
/// ("Find a new stranger" needs no new session, so `--address-sessions`
/// never counts it): every match opens a random-chat room, and one address
/// alone must not be able to fill `--max-pair-rooms`, which would drop
/// every honest stranger from the queue.
#[tokio::test]
async fn one_address_cannot_fill_the_strangers_pool() {
    let server = spawn_app(&["--max-pair-rooms", "20"]).await;
    let (x, y) = (client_from("127.0.0.1"), client_from("127.0.0.1"));
    for (http, name) in [(&x, "X"), (&y, "Y")] {
        post(http, &server, "/pair")
            .form(&[("name", name)])
            .send()
            .await
            .expect("queue");
    }
    let mut rooms = std::collections::HashSet::new();
    for _ in 0..40 {
        for http in [&x, &y] {
            post(http, &server, "/pair")
                .form(&[("leave", "")])
                .send()
                .await
                .expect("queue again");
        }
        let res = x.get(server.url("/pair")).send().await.expect("pair");
        if let Some(to) = res.headers().get("location") {
            let to = to.to_str().expect("ascii");
            if to.starts_with("/r/") {
                rooms.insert(to.to_owned());
            }
        }
    }
    let (ann, ben) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    for (http, name) in [(&ann, "Ann"), (&ben, "Ben")] {
        post(http, &server, "/pair")
            .form(&[("name", name)])
            .send()
            .await
            .expect("queue");
    }
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    let to = res
        .headers()
        .get("location")
        .map(|to| to.to_str().expect("ascii").to_owned());
    assert!(
        to.as_deref().is_some_and(|to| to.starts_with("/r/")),
        "two strangers from elsewhere are paired, but one address made {} \
         random-chat rooms and Ann was sent to {to:?}",
        rooms.len()
    );
}

/// Asking for a stranger is counted per address, on the home page's button
/// and on **Find a new stranger** alike: past `--address-pairs` a minute the
/// answer is `429` saying how long to wait, and nobody is queued.
#[tokio::test]
async fn asking_for_strangers_is_counted_per_address() {
    let server = spawn_app(&["--address-pairs", "2"]).await;
    let ann = client();
    for _ in 0..2 {
        let res = post(&ann, &server, "/pair")
            .form(&[("name", "Ann")])
            .send()
            .await
            .expect("queue");
        assert_eq!(res.status(), 303);
        post(&ann, &server, "/pair/cancel")
            .send()
            .await
            .expect("cancel");
    }
    let words = "Too many new strangers asked for from your network address: wait ";
    let res = post(&ann, &server, "/pair")
        .form(&[("name", "Ann")])
        .send()
        .await
        .expect("one more");
    assert_eq!(res.status(), 429);
    let body = res.text().await.expect("body");
    assert!(body.contains(words), "{body}");
    assert!(body.contains("value=\"Ann\""), "the name is kept: {body}");
    // From a room's **Find a new stranger** (htmx), the same words there.
    let res = post(&ann, &server, "/pair")
        .header("hx-request", "true")
        .form(&[("leave", "ABCD")])
        .send()
        .await
        .expect("find a new stranger");
    assert_eq!(res.status(), 429);
    assert!(res.text().await.expect("body").contains(words));
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(
        res.headers().get("location").and_then(|l| l.to_str().ok()),
        Some("/"),
        "not queued"
    );
    // Another address is not slowed.
    let res = post(&client_from("127.0.0.2"), &server, "/pair")
        .form(&[("name", "Bob")])
        .send()
        .await
        .expect("Bob queues");
    assert_eq!(res.status(), 303);
}
