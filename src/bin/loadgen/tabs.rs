//! Ten tabs: memory per idle stream over HTTPS, HTTP/2 beside HTTP/1.1.
//! P people, each with ten tabs of one room open: over HTTP/2 one connection
//! per person carries the ten streams (as a browser shares one connection
//! among a site's tabs); over HTTP/1.1 each tab is a connection of its own.
//! Against a livechat server serving HTTPS with a self-signed certificate;
//! the server's RSS from `/proc` before and after.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use hyper::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::capacity::rss_kib;

/// The protocols measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http2,
    Http1,
}

/// What one protocol's half of a run measured.
#[derive(Clone, Debug, Default)]
pub struct TabsResult {
    pub streams: u64,
    pub failed: u64,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    pub first_error: Option<String>,
}

impl TabsResult {
    pub fn kib_per_stream(&self) -> f64 {
        if self.streams == 0 {
            return f64::NAN;
        }
        self.rss_after_kib.saturating_sub(self.rss_before_kib) as f64 / self.streams as f64
    }
}

/// A self-signed certificate for 127.0.0.1 in `dir`: `(cert, key)`.
pub fn certificate(dir: &Path) -> Result<(PathBuf, PathBuf), String> {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem())
        .and_then(|()| std::fs::write(&key, made.signing_key.serialize_pem()))
        .map_err(|e| format!("cannot write the certificate: {e}"))?;
    Ok((cert, key))
}

/// A TLS client trusting `cert` and offering `protocol` by ALPN.
pub fn connector(cert: &Path, protocol: Protocol) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore::empty();
    for der in CertificateDer::pem_file_iter(cert).map_err(|e| format!("certificate: {e}"))? {
        let der = der.map_err(|e| format!("certificate: {e}"))?;
        roots.add(der).map_err(|e| format!("certificate: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![match protocol {
        Protocol::Http2 => b"h2".to_vec(),
        Protocol::Http1 => b"http/1.1".to_vec(),
    }];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// One HTTPS connection, HTTP/2 or HTTP/1.1.
enum Sender {
    H2(hyper::client::conn::http2::SendRequest<Body>),
    H1(hyper::client::conn::http1::SendRequest<Body>),
}

impl Sender {
    async fn open(addr: &str, tls: &TlsConnector, protocol: Protocol) -> Result<Self, String> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting: {e}"))?;
        let name = ServerName::try_from("127.0.0.1").map_err(|e| e.to_string())?;
        let io = TokioIo::new(
            tls.connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?,
        );
        Ok(match protocol {
            Protocol::Http2 => {
                let (send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                    .await
                    .map_err(|e| format!("HTTP/2: {e}"))?;
                tokio::spawn(conn);
                Self::H2(send)
            }
            Protocol::Http1 => {
                let (send, conn) = hyper::client::conn::http1::handshake(io)
                    .await
                    .map_err(|e| format!("HTTP/1.1: {e}"))?;
                tokio::spawn(conn);
                Self::H1(send)
            }
        })
    }

    async fn send(&mut self, req: Request<Body>) -> Result<hyper::Response<Incoming>, String> {
        // A connection takes its next request once the last answer is done.
        match self {
            Self::H2(s) => match s.ready().await {
                Ok(()) => s.send_request(req).await,
                Err(e) => Err(e),
            },
            Self::H1(s) => match s.ready().await {
                Ok(()) => s.send_request(req).await,
                Err(e) => Err(e),
            },
        }
        .map_err(|e| format!("request: {e}"))
    }
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<String>,
) -> Result<Request<Body>, String> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("https://{addr}{path}"))
        .header("host", addr)
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let body = match form {
        Some(form) => {
            req = req.header("content-type", "application/x-www-form-urlencoded");
            Body::from(form)
        }
        None => Body::empty(),
    };
    req.body(body).map_err(|e| e.to_string())
}

/// Reads a whole (short) answer's body.
async fn drain(res: hyper::Response<Incoming>) -> Result<Vec<u8>, String> {
    use http_body::Body as _;
    let mut body = res.into_body();
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Ok(data) = frame.map_err(|e| e.to_string())?.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// One person: joins `room` (its own name), loads the page, opens `tabs`
/// streams; returns what keeps them open.
async fn person(
    addr: &str,
    tls: &TlsConnector,
    protocol: Protocol,
    room: &str,
    name: &str,
    tabs: usize,
) -> Result<Vec<Box<dyn Send>>, String> {
    let mut first = Sender::open(addr, tls, protocol).await?;
    let form = format!("name={name}&code={room}");
    let res = first
        .send(request(addr, "POST", "/join", None, Some(form))?)
        .await?;
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or("POST /join: no session cookie")?;
    drain(res).await?;
    let page = format!("/r/{room}");
    let res = first
        .send(request(addr, "GET", &page, Some(&cookie), None)?)
        .await?;
    let body = drain(res).await?;
    let events = crate::people::events_path(&body, room).ok_or("no stream URL in the page")?;
    let mut held: Vec<Box<dyn Send>> = Vec::new();
    for tab in 0..tabs {
        // HTTP/2: every tab on the person's one connection; HTTP/1.1: one each.
        let res = if protocol == Protocol::Http2 || tab == 0 {
            first
                .send(request(addr, "GET", &events, Some(&cookie), None)?)
                .await?
        } else {
            let mut own = Sender::open(addr, tls, protocol).await?;
            let res = own
                .send(request(addr, "GET", &events, Some(&cookie), None)?)
                .await?;
            held.push(Box::new(own));
            res
        };
        if res.status() != 200 {
            return Err(format!("GET {events} answered {}", res.status()));
        }
        held.push(Box::new(res));
    }
    held.push(Box::new(first));
    Ok(held)
}

/// `people` people with `tabs` tabs each over `protocol`, against the
/// server at `addr` (pid `pid`), in public room `room`.
pub async fn measure(
    addr: &str,
    pid: u32,
    cert: &Path,
    protocol: Protocol,
    people: usize,
    tabs: usize,
    room: &str,
) -> TabsResult {
    let mut result = TabsResult::default();
    let tls = match connector(cert, protocol) {
        Ok(tls) => tls,
        Err(why) => {
            result.first_error = Some(why);
            return result;
        }
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    result.rss_before_kib = rss_kib(pid).unwrap_or(0);
    let mut held = Vec::new();
    let tag = match protocol {
        Protocol::Http2 => "h2",
        Protocol::Http1 => "h1",
    };
    for p in 0..people {
        match person(addr, &tls, protocol, room, &format!("{tag}x{p}"), tabs).await {
            Ok(h) => {
                result.streams += tabs as u64;
                held.push(h);
            }
            Err(why) => {
                result.failed += tabs as u64;
                result.first_error.get_or_insert(why);
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    result.rss_after_kib = rss_kib(pid).unwrap_or(0);
    drop(held);
    result
}
