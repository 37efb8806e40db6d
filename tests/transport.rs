//! The transport: slow and idle clients are dropped, one address holds only
//! so many connections, HTTPS speaks HTTP/2 and carries many streams of one
//! person at once, a stop tells every kind of stream and ends the server at
//! once, and bad TLS flags stop the binary at start.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::people::{Person, Site};
use common::{client, spawn_app};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the socket; how long that took, if it did
/// within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = tokio::time::Instant::now();
    let mut buf = [0_u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

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

/// The answer to a request whose head carries a `Cookie` header of `size` bytes.
async fn answer_with_cookie(addr: SocketAddr, size: usize) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nCookie: x={}\r\nConnection: close\r\n\r\n",
        "a".repeat(size)
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
        .await
        .expect("answered")
        .expect("read answer");
    answer
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

/// A self-signed certificate for `localhost`, written to two PEM files.
struct Certificate {
    der: Vec<u8>,
    cert: PathBuf,
    key: PathBuf,
}

impl Certificate {
    fn new(tag: &str) -> Self {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("self-signed certificate");
        let dir = std::env::temp_dir().join(format!(
            "livechat-tls-{tag}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, made.cert.pem()).expect("write cert");
        std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
        Self {
            der: made.cert.der().to_vec(),
            cert,
            key,
        }
    }
}

impl Drop for Certificate {
    fn drop(&mut self) {
        if let Some(dir) = self.cert.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// A cookie-keeping HTTPS client that trusts only `cert` and offers HTTP/2.
fn https_client(cert: &Certificate, addr: SocketAddr) -> reqwest::Client {
    https_client_speaking(cert, addr, &[b"h2", b"http/1.1"])
}

/// `https_client`, offering only these protocols (ALPN).
fn https_client_speaking(cert: &Certificate, addr: SocketAddr, alpn: &[&[u8]]) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(cert.der.clone()))
        .expect("trust the test certificate");
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .resolve("localhost", addr)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("https client")
}

/// A site served over HTTPS, by its origin.
struct Https<'a>(&'a str);

impl Site for Https<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// A server on HTTPS with this certificate.
async fn https_server(cert: &Certificate) -> common::TestServer {
    spawn_app(&[
        "--tls-cert",
        cert.cert.to_str().expect("utf-8 temp path"),
        "--tls-key",
        cert.key.to_str().expect("utf-8 temp path"),
    ])
    .await
}

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
async fn shutdown_ends_the_server_with_a_stream_open() {
    let server = spawn_app(&[]).await;
    let http = client();
    let res = http
        .post(server.url("/join"))
        .header("origin", server.origin())
        .form(&[("name", "Ann"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(res.status(), 303);
    let stream = http
        .get(server.url("/r/general/events"))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let addr = server.addr;
    tokio::time::timeout(Duration::from_secs(12), server.shut_down())
        .await
        .expect("the server ends while a stream is open");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
    drop(stream);
}

/// Runs the binary with these flags; its exit code and standard error.
fn run_binary(flags: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livechat"))
        .args(flags)
        .env_remove("LIVECHAT_TLS_CERT")
        .env_remove("LIVECHAT_TLS_KEY")
        .env("LIVECHAT_BIND", "127.0.0.1:0")
        .output()
        .expect("run livechat");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_certificate_without_a_key_or_a_key_without_a_certificate_stops_the_start() {
    let (code, err) = run_binary(&["--tls-cert", "cert.pem"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-key"), "{err}");
    let (code, err) = run_binary(&["--tls-key", "key.pem"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-cert"), "{err}");
}

#[test]
fn an_unreadable_certificate_stops_the_start() {
    let (code, err) = run_binary(&[
        "--tls-cert",
        "/nonexistent/cert.pem",
        "--tls-key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-cert"), "{err}");
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

/// Kills the child process when dropped, so a failing test leaves none behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn running_out_of_file_descriptors_is_waited_out() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Child(
        std::process::Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -n 32 && exec "$0" "$@""#)
            .arg(env!("CARGO_BIN_EXE_livechat"))
            .args(["--bind", &addr.to_string(), "--header-timeout", "1"])
            .env("RUST_LOG", "livechat=warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start livechat"),
    );
    let started = tokio::time::timeout(Duration::from_secs(10), async {
        while TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(started.is_ok(), "livechat did not start");

    // More connections than the process may hold descriptors for.
    let mut hogs = Vec::new();
    for _ in 0..60 {
        hogs.push(
            TcpStream::connect(addr)
                .await
                .expect("the backlog takes it"),
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        matches!(child.0.try_wait(), Ok(None)),
        "livechat exited when it ran out of descriptors"
    );
    drop(hogs);

    let http = client();
    let served = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(res) = http.get(format!("http://{addr}/healthz")).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(served.is_ok(), "livechat did not serve again");

    let _ = child.0.kill();
    // The log goes to standard error.
    let mut log = String::new();
    if let Some(mut stderr) = child.0.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut log);
    }
    assert!(
        log.contains("cannot accept"),
        "no accept error logged: {log}"
    );
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

/// One HTTP/1 connection driven by hand, to see the bytes a browser gets.
struct Raw {
    stream: TcpStream,
    /// Read and not yet taken.
    buf: Vec<u8>,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, request: &str) {
        self.stream
            .write_all(request.as_bytes())
            .await
            .expect("send");
    }

    /// Reads more; false at the end of the connection.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0_u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut chunk))
            .await
            .expect("the server answers within 5 s")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// Everything up to and including `needle`.
    async fn until(&mut self, needle: &str) -> String {
        loop {
            if let Some(at) = self
                .buf
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
            {
                let taken: Vec<u8> = self.buf.drain(..at + needle.len()).collect();
                return String::from_utf8_lossy(&taken).into_owned();
            }
            assert!(
                self.fill().await,
                "closed before {needle:?}: {}",
                String::from_utf8_lossy(&self.buf)
            );
        }
    }

    /// The rest, up to the close.
    async fn rest(&mut self) -> String {
        while self.fill().await {}
        String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned()
    }

    /// A whole answer with a `content-length`: its head and body.
    async fn answer(&mut self) -> (String, String) {
        let head = self.until("\r\n\r\n").await;
        let len: usize =
            header_in(&head, "content-length").map_or(0, |v| v.parse().expect("a length"));
        while self.buf.len() < len {
            assert!(self.fill().await, "closed in a body");
        }
        let body: Vec<u8> = self.buf.drain(..len).collect();
        (head, String::from_utf8_lossy(&body).into_owned())
    }
}

/// The first value of header `name` in a response head.
fn header_in<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Joins `general` as Ann on `raw`'s connection and loads the room page
/// there too, as a browser does: the cookie and the page's `?after=` id.
async fn join_by_hand(raw: &mut Raw, addr: SocketAddr) -> (String, String) {
    let form = "name=Ann&code=general";
    raw.send(&format!(
        "POST /join HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    ))
    .await;
    let (head, _) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 303"), "{head}");
    let cookie = header_in(&head, "set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    raw.send(&format!(
        "GET /r/general HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    ))
    .await;
    let (head, page) = raw.answer().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    (cookie, common::after_id(&page))
}

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

/// The longest a server with only streams and idle connections open may
/// take to stop.
const STOP: Duration = Duration::from_secs(2);

/// Stops `server`; panics unless it stopped serving within `STOP`.
async fn stops_at_once(server: common::TestServer) {
    if tokio::time::timeout(STOP, server.shut_down())
        .await
        .is_err()
    {
        panic!("still serving {STOP:?} after the stop");
    }
}

/// The request a room page's stream makes, on a connection of its own.
fn events_request(addr: SocketAddr, cookie: &str, after: &str, version: &str) -> String {
    format!(
        "GET /r/general/events?after={after} {version}\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    )
}

/// The issue's case: a stream opened as the room page opens it, on a fresh
/// connection, beside a keep-alive connection left idle.
#[tokio::test]
async fn on_stop_a_room_stream_hears_restarting_and_idle_connections_do_not_hold_it() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut idle = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut idle, addr).await;
    let mut stream = Raw::connect(addr).await;
    stream
        .send(&events_request(addr, &cookie, &after, "HTTP/1.1"))
        .await;
    stream.until("\n\n\r\n").await;
    stops_at_once(server).await;
    let rest = stream.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    assert!(rest.ends_with("\r\n0\r\n\r\n"), "{rest:?}");
    assert_eq!(idle.rest().await, "", "the idle connection is closed");
}

/// A room page over HTTPS, as `name`: its client and the stream's `?after=`.
async fn https_room_page(
    cert: &Certificate,
    server: &common::TestServer,
    alpn: &[&[u8]],
) -> (reqwest::Client, String, String) {
    let origin = format!("https://localhost:{}", server.addr.port());
    let http = https_client_speaking(cert, server.addr, alpn);
    let person = common::people::enter_with(http, &Https(&origin), "Ann", "general").await;
    (person.http, origin, person.after)
}

#[tokio::test]
async fn on_stop_streams_over_https_hear_restarting_with_http2_and_http_1_1() {
    let cert = Certificate::new("stop");
    let server = https_server(&cert).await;
    let mut streams = Vec::new();
    for (alpn, version) in [
        (&[&b"h2"[..]][..], reqwest::Version::HTTP_2),
        (&[&b"http/1.1"[..]][..], reqwest::Version::HTTP_11),
    ] {
        let (http, origin, after) = https_room_page(&cert, &server, alpn).await;
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

type H2 = hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>>;

/// An HTTP/2 connection without TLS (prior knowledge), and the task that
/// runs it: it ends when the server closes the connection.
async fn h2c(addr: SocketAddr) -> (H2, tokio::task::JoinHandle<Result<(), hyper::Error>>) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let (send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .expect("HTTP/2 handshake");
    (send, tokio::spawn(conn))
}

/// `GET path` over HTTP/2, with a cookie if given.
fn h2_get(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> hyper::Request<http_body_util::Empty<bytes::Bytes>> {
    let mut request = hyper::Request::get(format!("http://{addr}{path}"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
        .body(http_body_util::Empty::new())
        .expect("a request")
}

/// Reads `body` into `seen` until it holds `needle`; false if the body
/// ended or `limit` passed first.
async fn read_until(
    body: &mut hyper::body::Incoming,
    seen: &mut String,
    needle: &str,
    limit: Duration,
) -> bool {
    use http_body_util::BodyExt;
    tokio::time::timeout(limit, async {
        while !seen.contains(needle) {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        seen.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return false,
            }
        }
        true
    })
    .await
    .unwrap_or(false)
}

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

/// Without JavaScript the log is a document that never ends: on stop it
/// says so in its own words.
#[tokio::test]
async fn on_stop_the_log_document_says_the_server_is_restarting() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, _) = join_by_hand(&mut raw, addr).await;
    let mut log = Raw::connect(addr).await;
    log.send(&format!(
        "GET /r/general/log HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    ))
    .await;
    let head = log.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(
        header_in(&head, "content-type"),
        Some("text/html; charset=utf-8")
    );
    log.until("\r\n").await;
    stops_at_once(server).await;
    let rest = log.rest().await;
    assert!(rest.contains("The server is restarting"), "{rest}");
}

/// Someone waiting for a stranger: the waiting page's stream, the document
/// it frames without JavaScript, and a held `GET /pair?hold` all hear the stop.
#[tokio::test]
async fn on_stop_every_wait_for_a_stranger_hears_restarting() {
    let server = spawn_app(&[]).await;
    let ann = common::people::queue_for_stranger(&server, "Ann").await;
    let (_, mut events) = common::sse::Sse::open(&ann, &server.url("/pair/events"), None).await;
    events.next().await.expect("the waiting stream is open");
    let wait = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait document");
    assert_eq!(wait.status(), 200);
    let mut wait = wait.bytes_stream();
    wait.next().await.expect("its head").expect("bytes");
    let held = {
        let ann = ann.clone();
        let url = server.url("/pair?hold");
        tokio::spawn(async move { ann.get(url).send().await })
    };
    // The hold is under way before the stop.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!held.is_finished(), "the hold ended by itself");

    stops_at_once(server).await;
    events.until_within("restarting", STOP).await;
    let mut rest = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(STOP, wait.next()).await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(rest.contains("The server is restarting"), "{rest}");
    let held = tokio::time::timeout(STOP, held)
        .await
        .expect("the held page is answered at once")
        .expect("task")
        .expect("an answer");
    assert_eq!(held.status(), 503);
    let page = held.text().await.expect("page");
    assert!(page.contains("The server is restarting"), "{page}");
}

/// Reads a whole answer on a new connection that asks for `/healthz`.
async fn health_answer(addr: SocketAddr) -> String {
    let mut raw = Raw::connect(addr).await;
    raw.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    ))
    .await;
    raw.rest().await
}

/// Polls until a new connection is served again; panics after `STOP`.
async fn served_again_soon(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + STOP;
    loop {
        let answer = health_answer(addr).await;
        if answer.starts_with("HTTP/1.1 200") {
            return;
        }
        assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "the address's place never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

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

/// The binary itself, as an operator stops it: a room stream opened as the
/// page opens it hears that the server is restarting, and the process
/// exits 0 within 2 s without giving up on anything.
#[tokio::test]
async fn sigterm_tells_a_room_stream_and_the_binary_exits_0_within_2_s() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_livechat"))
            .args(["--bind", &addr.to_string()])
            .env("RUST_LOG", "livechat=debug")
            .env("NO_COLOR", "1")
            .env_remove("LIVECHAT_TLS_CERT")
            .env_remove("LIVECHAT_TLS_KEY")
            .env_remove("LIVECHAT_REDIS")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start livechat"),
    );
    let started = tokio::time::timeout(Duration::from_secs(10), async {
        while TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(started.is_ok(), "livechat did not start");
    let mut idle = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut idle, addr).await;
    let mut stream = Raw::connect(addr).await;
    stream
        .send(&events_request(addr, &cookie, &after, "HTTP/1.1"))
        .await;
    stream.until("\n\n\r\n").await;

    let stopped_at = std::time::Instant::now();
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child.0),
        rustix::process::Signal::TERM,
    )
    .expect("SIGTERM");
    let rest = stream.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("the child's status") {
            break status;
        }
        assert!(
            stopped_at.elapsed() < STOP,
            "still running {STOP:?} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(stopped_at.elapsed() < STOP, "{:?}", stopped_at.elapsed());
    assert_eq!(status.code(), Some(0));
    let mut log = String::new();
    if let Some(mut stderr) = child.0.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut log);
    }
    assert!(log.contains("stopping"), "{log}");
    assert!(!log.contains("stopping anyway"), "{log}");
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
