//! HTTP/1 streams written by the server itself, after hyper has let go.

use super::*;

/// A stream asked for on a connection that already served a form post and
/// a page (as browsers reuse them) is written by the server itself: chunked,
/// saying the connection closes after it, carrying new messages as they
/// come, and on shutdown the last words, the last chunk and the close.
#[tokio::test]
async fn a_stream_on_a_reused_connection_is_chunked_live_and_ends_cleanly() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    raw.send(&format!(
        "GET /r/general/events?after={after} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    ))
    .await;
    let head = raw.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(header_in(&head, "transfer-encoding"), Some("chunked"));
    assert_eq!(header_in(&head, "connection"), Some("close"));
    assert_eq!(header_in(&head, "content-type"), Some("text/event-stream"));
    assert_eq!(header_in(&head, "x-accel-buffering"), Some("no"));
    assert!(
        header_in(&head, "content-security-policy").is_some(),
        "{head}"
    );
    assert!(header_in(&head, "date").is_some(), "{head}");
    assert!(header_in(&head, "content-length").is_none(), "{head}");
    // The first chunk: its size line, then the event.
    let first = raw.until("\n\n\r\n").await;
    let (size, event) = first.split_once("\r\n").expect("a chunk size line");
    let size = usize::from_str_radix(size, 16).expect("hex size");
    assert_eq!(size + 2, event.len(), "{first:?}");

    let bob = common::people::enter(&server, "Bob", "general").await;
    bob.say(&server, "general", "hello by hand").await;
    raw.until("hello by hand").await;

    stops_at_once(server).await;
    let rest = raw.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    assert!(
        rest.ends_with("\r\n0\r\n\r\n"),
        "the last chunk, then the close: {rest:?}"
    );
}

/// An HTTP/1.0 client cannot read chunks: its stream is the bare bytes up
/// to the close.
#[tokio::test]
async fn an_http_1_0_stream_runs_to_the_close_without_chunks() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    let mut old = Raw::connect(addr).await;
    old.send(&format!(
        "GET /r/general/events?after={after} HTTP/1.0\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    ))
    .await;
    let head = old.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.0 200 OK\r\n"), "{head}");
    assert_eq!(header_in(&head, "transfer-encoding"), None, "{head}");
    let first = old.until("\n\n").await;
    assert!(
        first.starts_with("data: "),
        "no chunk size before it: {first:?}"
    );
    stops_at_once(server).await;
    let rest = old.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    assert!(!rest.contains("\r\n0\r\n"), "no chunks: {rest:?}");
}

/// A stream whose client goes away is let go at once: the member's place
/// among the room's streams comes back without waiting for a write to fail.
#[tokio::test]
async fn a_stream_whose_client_closes_is_let_go_at_once() {
    let server = spawn_app(&["--max-address-streams", "1"]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    let request = format!(
        "GET /r/general/events?after={after} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    );
    raw.send(&request).await;
    raw.until("\n\n\r\n").await;
    drop(raw);
    // The address's only place is free again soon, long before a keep-alive.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let mut again = Raw::connect(addr).await;
        again.send(&request).await;
        let head = again.until("\r\n\r\n").await;
        let first = again.until("\n\n").await;
        if !first.contains("Too many chat pages") {
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed stream still holds its place"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.shut_down().await;
}

/// Pages pipelined ahead of a stream.
const PAGES: usize = 200;

/// Requests pipelined in one write ahead of a stream (a health check, then
/// pages enough to fill the socket's buffers) are answered in full and in order before the stream's
/// head: hyper writes out all it held before the socket leaves it. Nothing
/// is answered behind a never-ending stream, which says it closes the
/// connection, so a client knows to ask again elsewhere.
#[tokio::test]
async fn pipelined_requests_before_a_stream_are_answered_in_order_and_in_full() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    // Enough pages that the socket's buffers fill and hyper still holds
    // the end of one when the stream's answer is ready.
    let page = format!("GET /r/general HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
    let health = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let stream = format!(
        "GET /r/general/events?after={after} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    );
    raw.send(&format!("{health}{}{stream}{health}", page.repeat(PAGES)))
        .await;
    let (head, _) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "the health check: {head}");
    // The client reads only now, once the server has had to wait.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for n in 0..PAGES {
        let (head, page) = raw.answer().await;
        assert!(head.starts_with("HTTP/1.1 200"), "page {n}: {head}");
        assert!(page.trim_end().ends_with("</html>"), "page {n} whole");
    }
    let head = raw.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(header_in(&head, "content-type"), Some("text/event-stream"));
    assert_eq!(header_in(&head, "connection"), Some("close"));

    let bob = common::people::enter(&server, "Bob", "general").await;
    bob.say(&server, "general", "after the pipeline").await;
    let live = raw.until("after the pipeline").await;
    assert!(
        !live.contains("HTTP/1.1"),
        "only the stream's chunks follow its head: {live}"
    );
    stops_at_once(server).await;
    let rest = raw.rest().await;
    assert!(
        rest.ends_with("\r\n0\r\n\r\n") && !rest.contains("HTTP/1.1"),
        "the stream ends, then the close; the request behind it goes unanswered: {rest:?}"
    );
}

/// A stream that cannot open answers in a few bytes through hyper, so the
/// connection stays: requests pipelined behind it are answered, in order.
#[tokio::test]
async fn pipelined_requests_after_a_stream_that_cannot_open_are_answered_in_order() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    raw.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n\
         GET /r/general/events HTTP/1.1\r\nHost: {addr}\r\n\r\n\
         HEAD /r/general/events HTTP/1.1\r\nHost: {addr}\r\n\r\n\
         GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n\
         GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    ))
    .await;
    let (head, _) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let (head, words) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(header_in(&head, "content-length").is_some(), "{head}");
    assert!(words.contains("data:"), "a final event: {words}");
    let head = raw.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200"), "the HEAD: {head}");
    assert_ne!(header_in(&head, "connection"), Some("close"), "{head}");
    let (head, _) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let (head, home) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(home.trim_end().ends_with("</html>"), "the home page, whole");
    drop(raw);
    stops_at_once(server).await;
}
