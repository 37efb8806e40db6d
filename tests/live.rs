//! Streams over a real loopback socket: a real server, real clients, reading
//! the `text/event-stream` bytes as a browser would.

mod common;

use std::time::Duration;

use common::people::{enter, member, queue_for_stranger, room_in, sent_to};
use common::sse::{Growing, Sse};
use common::{client, get_text, spawn_app};

#[tokio::test]
async fn two_members_chat_live() {
    let server = spawn_app(&[]).await;
    let (ann, mut anns) = member(&server, "Ann", "general").await;
    let (bob, mut bobs) = member(&server, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(&server, "general", "hello Bob").await;
    let got = bobs.until("hello Bob").await;
    let message = got.last().expect("message");
    assert!(message.id.is_some(), "every event has an id");
    assert!(
        message.data.starts_with("<li class=\"msg\""),
        "{}",
        message.data
    );
    bob.say(&server, "general", "hi Ann").await;
    anns.until("hi Ann").await;
    let online = anns.until("hx-target=\"#online\"").await;
    assert!(online.last().expect("online").data.contains("Bob"));
    assert!(
        got.iter()
            .chain(&online)
            .all(|e| !e.data.contains("autofocus")),
        "nothing streamed steals focus"
    );
}

#[tokio::test]
async fn streams_have_ids_keep_alives_and_unbuffered_headers() {
    let server = spawn_app(&["--keepalive", "1"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let (headers, mut sse) = Sse::open(
        &ann.http,
        &server.url(&format!("/r/general/events?after={}", ann.after)),
        None,
    )
    .await;
    assert_eq!(headers["x-accel-buffering"], "no");
    assert_eq!(headers["cache-control"], "no-cache");
    let mut saw_keep_alive = false;
    for _ in 0..6 {
        let event = sse.next().await.expect("an event within 5 s");
        if event.comment {
            saw_keep_alive = true;
            break;
        }
        if !event.data.contains("stream-status") {
            assert!(event.id.is_some(), "{event:?}");
        }
    }
    assert!(saw_keep_alive);
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_gets_exactly_the_gap() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut first = ann.stream(&server, "general").await;
    ann.say(&server, "general", "m1").await;
    let last_seen = first.id_of("m1").await;
    drop(first); // the connection drops...
    for text in ["m2", "m3", "m4"] {
        ann.say(&server, "general", text).await;
    }
    // ...and the browser comes back with the last id it saw, keeping `?after=` from the page.
    let url = server.url(&format!("/r/general/events?after={}", ann.after));
    let (_, mut again) = Sse::open(&ann.http, &url, Some(&last_seen)).await;
    let got = again.until("hx-target=\"#online\"").await;
    let texts: Vec<&str> = got
        .iter()
        .filter(|e| e.data.starts_with("<li class=\"msg\""))
        .map(|e| {
            if e.data.contains(">m2<") {
                "m2"
            } else if e.data.contains(">m3<") {
                "m3"
            } else if e.data.contains(">m4<") {
                "m4"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(
        texts,
        ["m2", "m3", "m4"],
        "exactly the gap, in order: {got:#?}"
    );
    ann.say(&server, "general", "m5").await;
    let after = again.until("m5").await;
    assert_eq!(after.iter().filter(|e| e.data.contains(">m5<")).count(), 1);
}

#[tokio::test]
async fn a_stream_too_far_behind_gets_the_whole_log_at_once() {
    let server = spawn_app(&["--history", "3", "--rate-messages", "100"]).await;
    let ann = enter(&server, "Ann", "general").await;
    for n in 0..6 {
        ann.say(&server, "general", &format!("n{n}")).await;
    }
    let mut sse = ann.stream(&server, "general").await;
    let got = sse.until("innerMorph").await;
    let resync = got.last().expect("resync");
    assert!(
        resync.data.contains(">n5<")
            && resync.data.contains(">n3<")
            && !resync.data.contains(">n2<")
    );
    assert!(resync.data.contains("may have been missed"));
}

#[tokio::test]
async fn a_reload_within_grace_makes_no_notice() {
    let server = spawn_app(&["--grace", "1"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut anns = ann.stream(&server, "general").await;
    let bob = enter(&server, "Bob", "general").await;
    let bobs = bob.stream(&server, "general").await;
    anns.until("Bob joined").await;
    drop(bobs);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bob_again = bob.stream(&server, "general").await; // the reload
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ann.say(&server, "general", "marker").await;
    let got = anns.until("marker").await;
    assert!(
        !got.iter().any(|e| e.data.contains("Bob</bdi> left")),
        "{got:#?}"
    );
    drop(bob_again);
    anns.until("Bob left").await; // and a real departure is told after the grace period
}

#[tokio::test]
async fn a_private_room_disappears_after_its_last_member() {
    let server = spawn_app(&["--grace", "1"]).await;
    let http = client();
    let res = http
        .post(server.url("/rooms"))
        .header("origin", server.origin())
        .form(&[("name", "Ann")])
        .send()
        .await
        .expect("create");
    let room = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        http.get(server.url(&room))
            .send()
            .await
            .expect("page")
            .status(),
        200
    );
    let (_, sse) = Sse::open(&http, &server.url(&format!("{room}/events")), None).await;
    drop(sse);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let gone = http.get(server.url(&room)).send().await.expect("page");
    assert_eq!(gone.status(), 404);
    let metrics = get_text(&http, &server.url("/metrics")).await;
    assert!(
        metrics.lines().any(|l| l == "livechat_rooms 5"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_stream_that_cannot_be_served_explains_and_closes() {
    let server = spawn_app(&[]).await;
    let stranger = client();
    let (_, mut sse) = Sse::open(&stranger, &server.url("/r/general/events"), None).await;
    let words = sse.next().await.expect("words");
    assert!(
        words.data.contains("stream-status")
            && words.data.contains("You are not in this room")
            && words
                .data
                .contains(r#"<a href="/r/general">Join again.</a>"#),
        "{words:?}"
    );
    let close = sse.next().await.expect("close");
    assert_eq!(close.event.as_deref(), Some("close"));
    assert!(sse.next().await.is_none(), "and the stream ends");
    let ann = enter(&server, "Ann", "general").await;
    let (_, mut gone) = Sse::open(&ann.http, &server.url("/r/ZZZZ/events"), None).await;
    assert!(
        gone.until("closed")
            .await
            .iter()
            .all(|e| !e.data.contains("<html"))
    );
}

#[tokio::test]
async fn leaving_ends_the_members_other_streams() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut tab = ann.stream(&server, "general").await;
    tab.until("hx-target=\"#online\"").await;
    let res = ann
        .http
        .post(server.url("/r/general/leave"))
        .header("origin", server.origin())
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 303);
    let got = tab.until("You left this room").await;
    assert!(got.iter().any(|e| e.data.contains("<bdi>Ann</bdi> left")));
    assert_eq!(
        tab.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
}

#[tokio::test]
async fn shutdown_tells_streams_the_server_is_restarting() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut sse = ann.stream(&server, "general").await;
    sse.until("hx-target=\"#online\"").await;
    let stopping = tokio::spawn(server.shut_down());
    let got = sse.until("restarting").await;
    assert_eq!(got.last().and_then(|e| e.retry), Some(3000));
    assert!(sse.next().await.is_none(), "the stream ends");
    tokio::time::timeout(Duration::from_secs(5), stopping)
        .await
        .expect("server stops")
        .expect("task");
}

#[tokio::test]
async fn the_no_javascript_log_streams_new_items_into_an_open_document() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let (headers, mut doc) = Growing::open(&ann.http, &server.url("/r/general/log")).await;
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'self'"),
        "the room page may frame it: {csp}"
    );
    let text = doc.until("Ann joined").await;
    assert!(text.contains("<ol class=\"log-items\">") && !text.contains("</ol>"));
    ann.say(&server, "general", "live without scripts").await;
    let text = doc.until("live without scripts").await;
    assert!(
        !text.contains("data:"),
        "plain HTML, not event-stream framing"
    );
}

#[tokio::test]
async fn each_message_is_rendered_once_for_all_streams() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut streams = Vec::new();
    for _ in 0..5 {
        streams.push(ann.stream(&server, "general").await);
    }
    let metrics = || async {
        let text = get_text(&ann.http, &server.url("/metrics")).await;
        let get = |name: &str| -> u64 {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .and_then(|v| v.parse().ok())
                .expect("metric")
        };
        (
            get("livechat_renders_total"),
            get("livechat_delivered_total"),
            get("livechat_streams"),
        )
    };
    let (renders, delivered, open) = metrics().await;
    assert_eq!(open, 5);
    ann.say(&server, "general", "once").await;
    for sse in &mut streams {
        sse.until(">once<").await;
    }
    let (renders_after, delivered_after, _) = metrics().await;
    assert_eq!(renders_after - renders, 1, "rendered once");
    assert_eq!(delivered_after - delivered, 5, "delivered to every stream");
}

#[tokio::test]
async fn two_waiting_pages_both_hear_the_match_and_go_to_one_room() {
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (headers, mut ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["x-accel-buffering"], "no");
    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;

    let heard = ann_stream.until("A stranger is here").await;
    let found = &heard.last().expect("the match").data;
    assert!(
        found.contains(r#"hx-get="/pair" hx-trigger="load""#),
        "{found}"
    );
    let room = room_in(found);
    assert!(room.starts_with("/r/"), "{room}");
    let bobs = bob_stream.until("A stranger is here").await;
    assert_eq!(room_in(&bobs.last().expect("the match").data), room);
    for stream in [&mut ann_stream, &mut bob_stream] {
        let close = stream.next().await.expect("then the stream closes");
        assert_eq!(close.event.as_deref(), Some("close"));
        assert!(stream.next().await.is_none(), "and ends");
    }

    for http in [&ann, &bob] {
        assert_eq!(sent_to(http, &server).await, room);
    }
    let page = ann
        .get(server.url(&room))
        .send()
        .await
        .expect("room")
        .text()
        .await
        .expect("body");
    assert!(page.contains("<bdi>Ann</bdi> and <bdi>Bob</bdi> are now talking: say hello"));
    server.shut_down().await;
}

#[tokio::test]
async fn someone_who_cancelled_is_never_paired_and_their_page_is_told() {
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (_, mut ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let res = ann
        .post(server.url("/pair/cancel"))
        .header("origin", server.origin())
        .send()
        .await
        .expect("cancel");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    let words = ann_stream.until("You are no longer waiting.").await;
    assert!(!words.iter().any(|e| e.data.contains("A stranger is here")));

    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;
    let first = bob_stream.next().await.expect("connected");
    assert!(!first.data.contains("A stranger is here"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let metrics = get_text(&bob, &server.url("/metrics")).await;
    assert!(
        metrics.lines().any(|l| l == "livechat_queue 1"),
        "{metrics}"
    );
    let res = bob.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 200, "Bob still waits");
    server.shut_down().await;
}

#[tokio::test]
async fn a_closed_waiting_page_is_skipped_and_leaves_after_grace() {
    let server = spawn_app(&["--grace", "1"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (_, ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    drop(ann_stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;
    bob_stream.next().await.expect("connected");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 303, "Ann left the queue");
    assert_eq!(res.headers()["location"], "/");
    let res = bob.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 200, "Bob, whose page is open, still waits");
    server.shut_down().await;
}

#[tokio::test]
async fn without_javascript_the_waiting_document_shows_a_link_to_the_chat_with_the_stranger_named()
{
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (headers, mut doc) = Growing::open(&ann, &server.url("/pair/wait")).await;
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("frame-ancestors 'self'")
    );
    let _bob = queue_for_stranger(&server, "Bob").await;
    let text = doc.until("</a>").await;
    assert!(
        text.contains(r#"target="_top">Go to your chat with <bdi>Bob</bdi></a>"#),
        "{text}"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn a_member_with_too_many_streams_is_told_and_the_cap_frees_up() {
    let server = spawn_app(&["--max-streams", "2"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let first = ann.stream(&server, "general").await;
    let _second = ann.stream(&server, "general").await;
    let mut third = ann.stream(&server, "general").await;
    let got = third.until("too many pages").await;
    assert!(got.iter().all(|e| e.id.is_none()));
    assert_eq!(
        third.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = ann.stream(&server, "general").await;
    again.until("hx-target=\"#online\"").await;
}

#[tokio::test]
async fn one_address_cannot_hold_every_stream() {
    let server = spawn_app(&["--max-address-streams", "2"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let bob = enter(&server, "Bob", "general").await;
    let first = ann.stream(&server, "general").await;
    let _second = bob.stream(&server, "general").await;
    let mut third = bob.stream(&server, "general").await;
    third
        .until("Too many chat pages are open from your network address")
        .await;
    assert_eq!(
        third.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
    let log = ann
        .http
        .get(server.url("/r/general/log"))
        .send()
        .await
        .expect("log");
    assert_eq!(log.status(), 503, "the no-JS log is held to the same cap");
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = ann.stream(&server, "general").await;
    again.until("hx-target=\"#online\"").await;
}
