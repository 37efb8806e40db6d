//! HTTP/2 without TLS: idle connections, open streams, silent clients.

use super::*;

#[tokio::test]
async fn an_idle_http2_connection_is_closed_after_the_header_timeout() {
    let server = spawn_app(&["--header-timeout", "1"]).await;
    let (mut h2, conn) = h2c(server.addr).await;
    let res = h2
        .send_request(h2_get(server.addr, "/healthz", None))
        .await
        .expect("answered");
    assert_eq!(res.status(), 200);
    http_body_util::BodyExt::collect(res.into_body())
        .await
        .expect("the whole answer");
    let idle_from = tokio::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(4), conn).await;
    let Ok(closed) = closed else {
        panic!("an idle HTTP/2 connection was still open after 4 s")
    };
    assert!(
        matches!(closed, Ok(Ok(()))),
        "not closed gracefully (GOAWAY): {closed:?}"
    );
    assert!(
        idle_from.elapsed() >= Duration::from_millis(900),
        "closed before the timeout: {:?}",
        idle_from.elapsed()
    );
    server.shut_down().await;
}

/// A connection whose only stream stays open is not idle; and on stop that
/// stream, over HTTP/2 without TLS, hears the server restarting.
#[tokio::test]
async fn an_http2_connection_with_an_open_stream_stays_and_hears_restarting_on_stop() {
    let server = spawn_app(&["--header-timeout", "1"]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    drop(raw);
    let (mut h2, conn) = h2c(addr).await;
    let path = format!("/r/general/events?after={after}");
    let res = h2
        .send_request(h2_get(addr, &path, Some(&cookie)))
        .await
        .expect("stream");
    assert_eq!(res.status(), 200);
    let mut body = res.into_body();
    let mut seen = String::new();
    assert!(read_until(&mut body, &mut seen, "\n\n", Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        !conn.is_finished(),
        "a connection with an open stream was closed"
    );
    let bob = common::people::enter(&server, "Bob", "general").await;
    bob.say(&server, "general", "still here over h2c").await;
    assert!(
        read_until(
            &mut body,
            &mut seen,
            "still here over h2c",
            Duration::from_secs(5)
        )
        .await,
        "{seen}"
    );
    stops_at_once(server).await;
    assert!(
        read_until(&mut body, &mut seen, "restarting", STOP).await,
        "{seen}"
    );
}

/// An HTTP/2 client that went quiet (a laptop asleep, a phone off the
/// network; or a hostile one) answers no PING. A stop sends GOAWAY and a
/// PING and must not wait for the answer that never comes: a connection
/// with no open stream must not hold the stop for the whole drain.
#[tokio::test]
async fn on_stop_an_http2_client_that_answers_no_ping_does_not_hold_the_stop() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = TcpStream::connect(addr).await.expect("connect");
    let frame = |kind: u8, flags: u8, stream: u32, payload: &[u8]| {
        let mut bytes = (payload.len() as u32).to_be_bytes()[1..].to_vec();
        bytes.extend([kind, flags]);
        bytes.extend(stream.to_be_bytes());
        bytes.extend(payload);
        bytes
    };
    let authority = addr.to_string();
    // HPACK: GET, http, then :path and :authority as literals.
    let mut head = vec![0x82, 0x86, 0x04, 8];
    head.extend(b"/healthz");
    head.extend([0x41, authority.len() as u8]);
    head.extend(authority.as_bytes());
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(frame(4, 0, 0, &[])); // our SETTINGS
    hello.extend(frame(4, 1, 0, &[])); // ack of theirs
    hello.extend(frame(1, 5, 1, &head)); // the request, whole
    raw.write_all(&hello).await.expect("send");
    let mut got: Vec<u8> = Vec::new();
    let mut buf = [0_u8; 4096];
    while !got.windows(2).any(|w: &[u8]| w == b"ok") {
        let n = tokio::time::timeout(Duration::from_secs(2), raw.read(&mut buf))
            .await
            .expect("an answer")
            .expect("read");
        assert!(n > 0, "closed before answering");
        got.extend(&buf[..n]);
    }
    // From here on the client reads nothing and answers nothing.
    stops_at_once(server).await;
    drop(raw);
}
