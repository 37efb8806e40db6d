//! The cap on connections from one address.

use super::*;

#[tokio::test]
async fn connections_past_the_cap_from_one_address_are_refused_until_one_ends() {
    let server = spawn_app(&["--max-address-connections", "2"]).await;
    let addr = server.addr;
    let mut kept = Vec::new();
    for _ in 0..2 {
        let mut raw = Raw::connect(addr).await;
        raw.send(&format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n"))
            .await;
        let (head, _) = raw.answer().await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        kept.push(raw);
    }
    let refused = health_answer(addr).await;
    assert!(refused.starts_with("HTTP/1.1 429 "), "{refused}");
    assert_eq!(header_in(&refused, "connection"), Some("close"));
    assert!(refused.contains("Too many connections"), "{refused}");
    drop(kept.pop());
    served_again_soon(addr).await;
    server.shut_down().await;
}

/// A stream handed to the server's own writer keeps its connection's place,
/// and gives it back when its client leaves.
#[tokio::test]
async fn a_stream_holds_its_connection_place_until_it_ends() {
    let server = spawn_app(&["--max-address-connections", "1"]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut raw, addr).await;
    raw.send(&events_request(addr, &cookie, &after, "HTTP/1.1"))
        .await;
    raw.until("\n\n\r\n").await;
    let refused = health_answer(addr).await;
    assert!(refused.starts_with("HTTP/1.1 429 "), "{refused}");
    drop(raw);
    served_again_soon(addr).await;
    server.shut_down().await;
}

/// A trusted proxy carries many people: its connections are not capped.
#[tokio::test]
async fn a_trusted_proxy_is_not_capped() {
    let server = spawn_app(&[
        "--max-address-connections",
        "1",
        "--trusted-proxy",
        "127.0.0.1",
    ])
    .await;
    let addr = server.addr;
    let mut kept = Vec::new();
    for _ in 0..3 {
        let mut raw = Raw::connect(addr).await;
        raw.send(&format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n"))
            .await;
        let (head, _) = raw.answer().await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        kept.push(raw);
    }
    server.shut_down().await;
}
