//! Request heads and bodies: timeouts, sizes, what handlers see.

use super::*;

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_dropped() {
    let server = spawn_app(&["--header-timeout", "1"]).await;
    let mut loris = TcpStream::connect(server.addr).await.expect("connect");
    loris
        .write_all(b"GET / HTTP/1.1\r\n")
        .await
        .expect("write a first line");
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");

    // Meanwhile a normal request is answered.
    let res = client()
        .get(server.url("/"))
        .send()
        .await
        .expect("home page");
    assert_eq!(res.status(), 200);

    let waited = closed_within(&mut loris, Duration::from_secs(3)).await;
    assert!(waited.is_some(), "half-sent headers kept the socket open");
    let waited = closed_within(&mut silent, Duration::from_secs(3)).await;
    assert!(waited.is_some(), "a silent connection stayed open");
    server.shut_down().await;
}

#[tokio::test]
async fn a_slow_request_within_the_timeout_is_served() {
    let server = spawn_app(&["--header-timeout", "2"]).await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .expect("first line");
    tokio::time::sleep(Duration::from_millis(500)).await;
    slow.write_all(b"Host: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("rest of the headers");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(3), slow.read_to_string(&mut answer))
        .await
        .expect("answered in time")
        .expect("read answer");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(!answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.shut_down().await;
}

/// Connections keep small read buffers: a request head of a few KiB is
/// served, one over 8 KiB is refused with 431 rather than buffered.
#[tokio::test]
async fn request_heads_over_8_kib_are_refused() {
    let server = spawn_app(&[]).await;
    let fits = answer_with_cookie(server.addr, 6 * 1024).await;
    assert!(fits.starts_with("HTTP/1.1 200"), "{fits}");
    let too_big = answer_with_cookie(server.addr, 9 * 1024).await;
    assert!(too_big.starts_with("HTTP/1.1 431"), "{too_big}");
    server.shut_down().await;
}

#[tokio::test]
async fn handlers_can_read_the_client_address() {
    use axum::extract::ConnectInfo;
    let router = axum::Router::new().route(
        "/whoami",
        axum::routing::get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move {
            addr.ip().to_string()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (trigger, stop) = livechat::shutdown::Shutdown::new();
    let options = livechat::serve::Options {
        header_timeout: Duration::from_secs(5),
        tls: None,
        max_address_connections: 10,
        trusted_proxies: Vec::new(),
    };
    let task = tokio::spawn(livechat::serve::run(listener, router, options, stop));
    let res = client()
        .get(format!("http://{addr}/whoami"))
        .send()
        .await
        .expect("whoami");
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.expect("body"), "127.0.0.1");
    trigger.stop();
    tokio::time::timeout(Duration::from_secs(12), task)
        .await
        .expect("stops")
        .expect("task")
        .expect("serves without error");
}

#[tokio::test]
async fn a_body_trickled_in_is_cut_off() {
    let server = spawn_app(&["--header-timeout", "1"]).await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    let origin = server.origin();
    let head = format!(
        "POST /join HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=",
        server.addr
    );
    slow.write_all(head.as_bytes()).await.expect("headers");
    let started = tokio::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(4), slow.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the half-sent body kept the connection for 4 s"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "not before the timeout"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || !answer.starts_with("HTTP/1.1 2"),
        "{answer}"
    );
    server.shut_down().await;
}

/// The bound the HTTP/2 one mirrors: hyper closes an idle keep-alive
/// HTTP/1.1 connection after the header timeout.
#[tokio::test]
async fn an_idle_http_1_1_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = spawn_app(&["--header-timeout", "1"]).await;
    let mut raw = Raw::connect(server.addr).await;
    raw.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    ))
    .await;
    let (head, _) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let waited = closed_within(&mut raw.stream, Duration::from_secs(3)).await;
    assert!(
        waited.is_some(),
        "an idle keep-alive connection stayed open"
    );
    server.shut_down().await;
}
