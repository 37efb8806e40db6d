//! A stream's bytes: ids, keep-alives, the gap after a reconnect, the whole
//! log for one too far behind, refusals, shutdown and the caps on streams.

use super::*;

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
