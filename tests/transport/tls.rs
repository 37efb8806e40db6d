//! HTTPS: HTTP/2 and HTTP/1.1 over TLS, handshakes, the cap over TLS.

use super::*;

#[tokio::test]
async fn over_https_ten_streams_of_one_person_share_http2_and_all_hear_a_message() {
    let cert = Certificate::new("streams");
    let server = https_server(&cert).await;
    assert!(
        server.state.config.secure_cookies,
        "TLS implies Secure cookies"
    );
    let origin = format!("https://localhost:{}", server.addr.port());
    let url = |path: &str| format!("{origin}{path}");
    let http = https_client(&cert, server.addr);

    let res = http
        .post(url("/join"))
        .header("origin", &origin)
        .form(&[("name", "Ann"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");

    let page = http.get(url("/r/general")).send().await.expect("room page");
    assert_eq!(page.version(), reqwest::Version::HTTP_2);
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page body");
    let after = common::after_id(&page);

    let opened = futures_util::future::join_all((0..10).map(|_| {
        http.get(url(&format!("/r/general/events?after={after}")))
            .send()
    }))
    .await;
    let mut streams = Vec::new();
    for res in opened {
        let res = res.expect("open a stream");
        assert_eq!(res.version(), reqwest::Version::HTTP_2);
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        streams.push(res.bytes_stream());
    }

    let text = "hello to all ten tabs";
    let ann = Person { http, after };
    ann.say(&Https(&origin), "general", text).await;

    for (tab, stream) in streams.iter_mut().enumerate() {
        let heard = tokio::time::timeout(Duration::from_secs(5), async {
            let mut seen = String::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.expect("stream chunk");
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains(text) {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(heard, Ok(true), "tab {tab} did not hear the message");
    }
    drop(streams);
    tokio::time::timeout(Duration::from_secs(12), server.shut_down())
        .await
        .expect("the HTTPS server shuts down");
}

/// Over HTTPS with HTTP/1.1 only, a stream is written by the server itself
/// through the TLS connection, and hears new messages.
#[tokio::test]
async fn over_https_with_http_1_1_a_stream_hears_a_message() {
    let cert = Certificate::new("http1");
    let server = https_server(&cert).await;
    let origin = format!("https://localhost:{}", server.addr.port());
    let url = |path: &str| format!("{origin}{path}");
    let http = https_client_speaking(&cert, server.addr, &[b"http/1.1"]);
    let res = http
        .post(url("/join"))
        .header("origin", &origin)
        .form(&[("name", "Ann"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    assert_eq!(res.status(), 303);
    let page = http.get(url("/r/general")).send().await.expect("room page");
    let after = common::after_id(&page.text().await.expect("page body"));
    let (headers, mut sse) = common::sse::Sse::open(
        &http,
        &url(&format!("/r/general/events?after={after}")),
        None,
    )
    .await;
    assert_eq!(headers["transfer-encoding"], "chunked");
    let text = "hello over TLS, chunk by chunk";
    Person { http, after }
        .say(&Https(&origin), "general", text)
        .await;
    sse.until(text).await;
    tokio::time::timeout(Duration::from_secs(12), server.shut_down())
        .await
        .expect("the HTTPS server shuts down");
}

#[tokio::test]
async fn a_client_that_never_finishes_the_tls_handshake_is_dropped() {
    let cert = Certificate::new("handshake");
    let server = spawn_app(&[
        "--header-timeout",
        "1",
        "--tls-cert",
        cert.cert.to_str().expect("utf-8 temp path"),
        "--tls-key",
        cert.key.to_str().expect("utf-8 temp path"),
    ])
    .await;
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    let waited = closed_within(&mut silent, Duration::from_secs(3)).await;
    assert!(waited.is_some(), "a silent TLS connection stayed open");
    server.shut_down().await;
}

#[tokio::test]
async fn on_stop_streams_over_https_hear_restarting_with_http2_and_http_1_1() {
    let cert = Certificate::new("stop");
    let server = https_server(&cert).await;
    let mut streams = Vec::new();
    // Two people (names are unique in a room), one for each protocol.
    for (alpn, version, name) in [
        (&[&b"h2"[..]][..], reqwest::Version::HTTP_2, "Ann"),
        (&[&b"http/1.1"[..]][..], reqwest::Version::HTTP_11, "Bob"),
    ] {
        let (http, origin, after) = https_room_page(&cert, &server, alpn, name).await;
        let url = format!("{origin}/r/general/events?after={after}");
        let res = http.get(&url).send().await.expect("stream");
        assert_eq!(res.version(), version);
        let (_, mut sse) = common::sse::Sse::open(&http, &url, None).await;
        sse.next().await.expect("the stream is open");
        streams.push((version, sse, res));
    }
    // A connection still in its TLS handshake has nothing to finish.
    let _shaking = TcpStream::connect(server.addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(100)).await;
    stops_at_once(server).await;
    for (version, mut sse, _) in streams {
        let heard = sse.until_within("restarting", STOP).await;
        assert!(!heard.is_empty(), "{version:?}");
    }
}

/// Over TLS a refused connection is closed without a word (it speaks no
/// HTTP yet), and one whose handshake fails gives its place back.
#[tokio::test]
async fn over_tls_the_cap_closes_extra_connections_and_failed_handshakes_give_places_back() {
    let cert = Certificate::new("cap");
    let server = spawn_app(&[
        "--max-address-connections",
        "1",
        "--tls-cert",
        cert.cert.to_str().expect("utf-8 temp path"),
        "--tls-key",
        cert.key.to_str().expect("utf-8 temp path"),
    ])
    .await;
    let addr = server.addr;
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    // The first is accepted before the second is.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = TcpStream::connect(addr).await.expect("connect");
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), extra.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the extra connection stayed open");
    assert!(got.is_empty(), "{got:?}");

    silent
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .await
        .expect("not TLS");
    let waited = closed_within(&mut silent, Duration::from_secs(2)).await;
    assert!(waited.is_some(), "a failed handshake kept its connection");
    let http = https_client(&cert, addr);
    let deadline = tokio::time::Instant::now() + STOP;
    loop {
        let res = http
            .get(format!("https://localhost:{}/healthz", addr.port()))
            .send()
            .await;
        if let Ok(res) = res {
            assert_eq!(res.status(), 200);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the failed handshake's place never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(http);
    server.shut_down().await;
}
