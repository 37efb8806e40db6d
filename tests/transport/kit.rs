//! What the transport tests share: raw connections, certificates, clients
//! and servers, and waits.

use super::*;

/// Reads until the server closes the socket; how long that took, if it did
/// within `limit`.
pub(crate) async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
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

/// The answer to a request whose head carries a `Cookie` header of `size` bytes.
pub(crate) async fn answer_with_cookie(addr: SocketAddr, size: usize) -> String {
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

/// A self-signed certificate for `localhost`, written to two PEM files.
pub(crate) struct Certificate {
    pub(crate) der: Vec<u8>,
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

impl Certificate {
    pub(crate) fn new(tag: &str) -> Self {
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

pub(crate) fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

/// A cookie-keeping HTTPS client that trusts only `cert` and offers HTTP/2.
pub(crate) fn https_client(cert: &Certificate, addr: SocketAddr) -> reqwest::Client {
    https_client_speaking(cert, addr, &[b"h2", b"http/1.1"])
}

/// `https_client`, offering only these protocols (ALPN).
pub(crate) fn https_client_speaking(
    cert: &Certificate,
    addr: SocketAddr,
    alpn: &[&[u8]],
) -> reqwest::Client {
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
pub(crate) struct Https<'a>(pub(crate) &'a str);

impl Site for Https<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// A server on HTTPS with this certificate.
pub(crate) async fn https_server(cert: &Certificate) -> common::TestServer {
    spawn_app(&[
        "--tls-cert",
        cert.cert.to_str().expect("utf-8 temp path"),
        "--tls-key",
        cert.key.to_str().expect("utf-8 temp path"),
    ])
    .await
}

/// Runs the binary with these flags; its exit code and standard error.
pub(crate) fn run_binary(flags: &[&str]) -> (Option<i32>, String) {
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

/// Kills the child process when dropped, so a failing test leaves none behind.
pub(crate) struct Child(pub(crate) std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1 connection driven by hand, to see the bytes a browser gets.
pub(crate) struct Raw {
    pub(crate) stream: TcpStream,
    /// Read and not yet taken.
    pub(crate) buf: Vec<u8>,
}

impl Raw {
    pub(crate) async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    pub(crate) async fn send(&mut self, request: &str) {
        self.stream
            .write_all(request.as_bytes())
            .await
            .expect("send");
    }

    /// Reads more; false at the end of the connection.
    pub(crate) async fn fill(&mut self) -> bool {
        let mut chunk = [0_u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut chunk))
            .await
            .expect("the server answers within 5 s")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n > 0
    }

    /// Everything up to and including `needle`.
    pub(crate) async fn until(&mut self, needle: &str) -> String {
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
    pub(crate) async fn rest(&mut self) -> String {
        while self.fill().await {}
        String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned()
    }

    /// A whole answer with a `content-length`: its head and body.
    pub(crate) async fn answer(&mut self) -> (String, String) {
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
pub(crate) fn header_in<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Joins `general` as Ann on `raw`'s connection and loads the room page
/// there too, as a browser does: the cookie and the page's `?after=` id.
pub(crate) async fn join_by_hand(raw: &mut Raw, addr: SocketAddr) -> (String, String) {
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

/// The longest a server with only streams and idle connections open may
/// take to stop.
pub(crate) const STOP: Duration = Duration::from_secs(2);

/// Stops `server`; panics unless it stopped serving within `STOP`.
pub(crate) async fn stops_at_once(server: common::TestServer) {
    if tokio::time::timeout(STOP, server.shut_down())
        .await
        .is_err()
    {
        panic!("still serving {STOP:?} after the stop");
    }
}

/// The request a room page's stream makes, on a connection of its own.
pub(crate) fn events_request(addr: SocketAddr, cookie: &str, after: &str, version: &str) -> String {
    format!(
        "GET /r/general/events?after={after} {version}\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    )
}

/// A room page over HTTPS, as `name`: its client and the stream's `?after=`.
pub(crate) async fn https_room_page(
    cert: &Certificate,
    server: &common::TestServer,
    alpn: &[&[u8]],
    name: &str,
) -> (reqwest::Client, String, String) {
    let origin = format!("https://localhost:{}", server.addr.port());
    let http = https_client_speaking(cert, server.addr, alpn);
    let person = common::people::enter_with(http, &Https(&origin), name, "general").await;
    (person.http, origin, person.after)
}

pub(crate) type H2 = hyper::client::conn::http2::SendRequest<http_body_util::Empty<bytes::Bytes>>;

/// An HTTP/2 connection without TLS (prior knowledge), and the task that
/// runs it: it ends when the server closes the connection.
pub(crate) async fn h2c(
    addr: SocketAddr,
) -> (H2, tokio::task::JoinHandle<Result<(), hyper::Error>>) {
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
pub(crate) fn h2_get(
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
pub(crate) async fn read_until(
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

/// Reads a whole answer on a new connection that asks for `/healthz`.
pub(crate) async fn health_answer(addr: SocketAddr) -> String {
    let mut raw = Raw::connect(addr).await;
    raw.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    ))
    .await;
    raw.rest().await
}

/// Polls until a new connection is served again; panics after `STOP`.
pub(crate) async fn served_again_soon(addr: SocketAddr) {
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
