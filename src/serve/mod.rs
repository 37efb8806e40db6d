//! The accept loop: plain HTTP/1.1 and h2c, or HTTPS with HTTP/2 and
//! HTTP/1.1 when a certificate is given. Every connection must send its first
//! request's headers (and finish the TLS handshake) within the header timeout
//! or it is dropped, and a connection idle for as long (HTTP/1.1 between
//! requests, HTTP/2 with no open stream) is closed, so idle sockets cannot
//! pile up; one client address may hold only so many connections at once.
//! Accept errors (such as running out of file descriptors) are logged and
//! waited out, never fatal. On shutdown it stops accepting, closes idle
//! connections, lets in-flight requests finish (the app's streams say goodbye
//! and end on the same signal) and returns within a bound.

mod idle;
mod long;
mod per_address;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::Sleep;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tower::ServiceExt;

use crate::config::Config;
use crate::shutdown::Shutdown;
pub use long::LongLived;
use long::{Handoff, Lend};
use per_address::{Held, PerAddress};

/// How long a stopping server waits for an HTTP/2 client with no stream
/// open to answer its GOAWAY's PING before letting the connection go.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// Longest wait for in-flight requests once the server is stopping.
const DRAIN: Duration = Duration::from_secs(10);

/// Longest a write may wait for the client to read before the connection is
/// dropped: a client that stops reading must not hold a stream for ever.
pub const WRITE_STALL: Duration = Duration::from_secs(60);

/// Largest read buffer of an HTTP/1 connection (hyper's smallest), which
/// also bounds a request's head.
const READ_BUFFER: usize = 8 * 1024;

/// Interval between HTTP/2 pings, and how long an answer may take.
const KEEPALIVE: Duration = Duration::from_secs(30);

/// Pause after a failed accept, so that running out of descriptors is not a
/// busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// How connections are served.
#[derive(Clone)]
pub struct Options {
    /// Time to send a request's headers (and finish a TLS handshake); also
    /// how long a connection may stay idle.
    pub header_timeout: Duration,
    /// HTTPS when present.
    pub tls: Option<TlsAcceptor>,
    /// Most connections open at once from one client address (an IPv6 /64).
    pub max_address_connections: usize,
    /// Peers that are not counted: reverse proxies carry many people.
    pub trusted_proxies: Vec<IpNet>,
}

impl Options {
    /// Options from the flags; reads the certificate and key when given.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
            (Some(_), None) => return Err("--tls-cert needs --tls-key".to_owned()),
            (None, Some(_)) => return Err("--tls-key needs --tls-cert".to_owned()),
            (None, None) => None,
        };
        Ok(Self {
            header_timeout: config.header_timeout(),
            tls,
            max_address_connections: config.max_address_connections,
            trusted_proxies: config.trusted_proxies.clone(),
        })
    }
}

/// A TLS acceptor offering HTTP/2 and HTTP/1.1 (ALPN) with this certificate
/// chain and key, both PEM files.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|why| format!("--tls-cert {}: {why}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "--tls-cert {}: no certificate in it",
            cert.display()
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|why| format!("--tls-key {}: {why}", key.display()))?;
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|why| format!("TLS: {why}"))?
    .with_no_client_auth()
    .with_single_cert(chain, private)
    .map_err(|why| format!("--tls-key {}: {why}", key.display()))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server)))
}

/// Serves `router` on `listener` until `stop` fires, then drains.
///
/// Handlers can read the client's address as
/// `ConnectInfo<SocketAddr>`, as with axum's `into_make_service_with_connect_info`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    options: Options,
    mut stop: Shutdown,
) -> io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        // Also closes a keep-alive connection idle for as long: hyper starts
        // it whenever the connection waits for a request's head.
        .header_read_timeout(options.header_timeout)
        // Keeps each connection's read buffer at its first 8 KiB: past it a
        // keep-alive connection's buffer doubles to 16 KiB and stays so for as
        // long as its stream is open. Request heads larger than this are
        // refused (431), as most servers do.
        .max_buf_size(READ_BUFFER);
    // Pings find HTTP/2 peers that vanished without closing, so their
    // streams do not stay open for ever.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(KEEPALIVE)
        .keep_alive_timeout(KEEPALIVE);
    let per_address = PerAddress::new(
        options.max_address_connections,
        options.trusted_proxies.clone(),
    );
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.wait() => break,
        };
        let (tcp, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(why) => {
                tracing::warn!(%why, "cannot accept a connection; retrying shortly");
                tokio::select! {
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                    () = stop.wait() => break,
                }
            }
        };
        let Ok(place) = per_address.take(remote.ip()) else {
            refuse(&tcp, remote.ip(), options.tls.is_none());
            continue;
        };
        // Streamed events should leave at once, not wait for more to batch.
        let _ = tcp.set_nodelay(true);
        let connection = Connection {
            hyper: Hyper {
                builder: builder.clone(),
                router: router.clone(),
                remote,
                header_timeout: options.header_timeout,
                stop: stop.clone(),
            },
            drain: graceful.watcher(),
            _place: place,
        };
        match options.tls.clone() {
            None => {
                tokio::spawn(connection.serve(tcp));
            }
            Some(acceptor) => {
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let deadline = connection.hyper.header_timeout;
                    let handshake = tokio::time::timeout(deadline, acceptor.accept(tcp));
                    tokio::select! {
                        shaken = handshake => match shaken {
                            Ok(Ok(tls)) => connection.serve(tls).await,
                            Ok(Err(why)) => tracing::debug!(%remote, %why, "TLS handshake failed"),
                            Err(_) => tracing::debug!(%remote, "TLS handshake too slow"),
                        },
                        // Nothing was asked yet: nothing to finish.
                        () = stop.wait() => {}
                    }
                });
            }
        }
    }
    drop(listener);
    tracing::debug!(open = graceful.count(), "no longer accepting; draining");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {
            tracing::warn!("requests still open after {DRAIN:?}: stopping anyway");
        }
    }
    tracing::debug!("drained");
    Ok(())
}

/// What a refused connection reads, when it speaks plain HTTP/1.
const TOO_MANY_CONNECTIONS: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\n\
    content-type: text/plain; charset=utf-8\r\n\
    retry-after: 10\r\n\
    connection: close\r\n\
    content-length: 84\r\n\r\n\
    Too many connections are open from your network address: close some, then try again.";

/// Turns away a connection whose address holds too many: over plain HTTP it
/// reads why (if the socket takes it without waiting), then it is closed.
fn refuse(tcp: &tokio::net::TcpStream, ip: IpAddr, plain: bool) {
    tracing::debug!(client = %ip, "too many connections from one address: refused");
    if plain {
        let _ = tcp.try_write(TOO_MANY_CONNECTIONS);
    }
}

/// One accepted connection, about to be served.
struct Connection {
    hyper: Hyper,
    /// Keeps shutdown waiting for this connection, also once a stream has
    /// left hyper (`long`).
    drain: Watcher,
    /// Its place among its address's connections, for as long as it is open.
    _place: Option<Held>,
}

/// How serving a connection through hyper ended.
enum Ended {
    Done(Result<(), Box<dyn std::error::Error + Send + Sync>>),
    /// No request came within the header timeout.
    Silent,
    /// A long-lived answer is to be written without hyper.
    Handoff,
}

impl Connection {
    async fn serve<I>(self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Self {
            hyper,
            drain,
            _place: place,
        } = self;
        // hyper's buffers and state are gone once this returns; a stream
        // handed off gets a task of its own, sized for it alone, which keeps
        // the connection's place and the drain.
        if let Some((io, parked)) = hyper.serve(io).await {
            tokio::spawn(async move {
                long::write(io, parked, drain).await;
                drop(place);
            });
        }
    }
}

/// Serving a connection through hyper.
struct Hyper {
    builder: auto::Builder<TokioExecutor>,
    router: Router,
    remote: SocketAddr,
    header_timeout: Duration,
    /// On stop, idle connections close and busy ones once their requests end.
    stop: Shutdown,
}

impl Hyper {
    /// Serves the connection until it ends, or until an answer is to be
    /// written without hyper: then the socket and that answer.
    async fn serve<I>(self, io: I) -> Option<(Stalled<I>, long::Parked)>
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Self {
            builder,
            router,
            remote,
            header_timeout,
            mut stop,
        } = self;
        let handoff = Handoff::new(Stalled::new(io, WRITE_STALL));
        let streams = idle::Streams::new();
        let service = {
            let (handoff, streams) = (handoff.clone(), streams.clone());
            hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                let (method, version) = (request.method().clone(), request.version());
                request.extensions_mut().insert(ConnectInfo(remote));
                add_host(&mut request);
                let response = router.clone().oneshot(request);
                let answer = handoff.clone().answer(&method, version, response);
                // HTTP/1 connections are handed off or closed by hyper when idle.
                let open = (version == hyper::Version::HTTP_2).then(|| streams.open());
                async move {
                    let response = answer.await?;
                    Ok::<_, std::convert::Infallible>(match open {
                        Some(open) => response.map(|body| idle::Counted::body(body, open)),
                        None => response,
                    })
                }
            })
        };
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(Lend(handoff.clone())), service)
            .into_owned();
        tokio::pin!(conn);
        // HTTP/1 bounds each request's headers itself, but only once it knows
        // the protocol: a client that sends nothing at all is bounded here.
        let silent = tokio::time::sleep(header_timeout);
        tokio::pin!(silent);
        let mut idle = idle::Timer::new(header_timeout);
        let stopping = async move { stop.wait().await };
        tokio::pin!(stopping);
        let mut closing = false;
        // Once stopping: when an HTTP/2 connection with no stream open is let go
        // whether or not its client answered the GOAWAY's PING.
        let mut let_go: Option<Pin<Box<Sleep>>> = None;
        let ended = std::future::poll_fn(|cx| {
            if let_go.is_none() && stopping.as_mut().poll(cx).is_ready() {
                let_go = Some(Box::pin(tokio::time::sleep(STOP_GRACE)));
                if !closing {
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
            if let Poll::Ready(done) = conn.as_mut().poll(cx) {
                return Poll::Ready(Ended::Done(done));
            }
            if let Some(sleep) = let_go.as_mut()
                && sleep.as_mut().poll(cx).is_ready()
            {
                if streams.is_idle_http2() {
                    tracing::debug!(%remote, "HTTP/2 client silent at the stop: letting it go");
                    return Poll::Ready(Ended::Done(Ok(())));
                }
                // Streams still open: look again shortly.
                sleep
                    .as_mut()
                    .reset(tokio::time::Instant::now() + STOP_GRACE);
                let _ = sleep.as_mut().poll(cx);
            }
            // The service parks a long-lived answer while hyper polls it.
            if handoff.parked() {
                return Poll::Ready(Ended::Handoff);
            }
            if !handoff.has_seen_a_request() && silent.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ended::Silent);
            }
            if !closing && idle.poll_expired(cx, &streams).is_ready() {
                tracing::debug!(%remote, "HTTP/2 connection idle: closing it");
                closing = true;
                conn.as_mut().graceful_shutdown();
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await;
        match ended {
            Ended::Done(Ok(())) => None,
            Ended::Done(Err(why)) => {
                tracing::debug!(%remote, %why, "connection ended with an error");
                None
            }
            Ended::Silent => {
                tracing::debug!(%remote, "no request in time: dropping the connection");
                None
            }
            // hyper may still hold the end of an earlier answer on this
            // connection: let it write that out first.
            Ended::Handoff => {
                std::future::poll_fn(|cx| {
                    if let Some(taken) = handoff.take() {
                        return Poll::Ready(Some(taken));
                    }
                    match conn.as_mut().poll(cx) {
                        Poll::Ready(_) => Poll::Ready(handoff.take()),
                        Poll::Pending => Poll::Pending,
                    }
                })
                .await
            }
        }
    }
}

/// HTTP/2 carries the host in the `:authority` of the URI, not in a `Host`
/// header: copy it there, so the same-origin check and everything else that
/// reads `Host` sees the same request over either protocol.
fn add_host<B>(request: &mut hyper::Request<B>) {
    if request.headers().contains_key(hyper::header::HOST) {
        return;
    }
    let Some(authority) = request.uri().authority() else {
        return;
    };
    // Without any `user@` part, which a `Host` never has.
    let host = match authority.port_u16() {
        Some(port) => format!("{}:{port}", authority.host()),
        None => authority.host().to_owned(),
    };
    if let Ok(host) = hyper::header::HeaderValue::from_str(&host) {
        request.headers_mut().insert(hyper::header::HOST, host);
    }
}

/// A connection whose writes fail with `TimedOut` once they have waited
/// `limit` for the peer to read: hyper then closes it.
pub struct Stalled<I> {
    io: I,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<I> Stalled<I> {
    pub fn new(io: I, limit: Duration) -> Self {
        Self {
            io,
            limit,
            stalled: None,
        }
    }

    /// Called when a write could not go on: fails once it has waited too long.
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let limit = self.limit;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    fn outcome<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(done) => {
                self.stalled = None;
                Poll::Ready(done)
            }
            Poll::Pending => self.check(cx).map(Err),
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Stalled<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Stalled<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write(cx, buf);
        self.outcome(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.outcome(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_flush(cx);
        self.outcome(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.io).poll_shutdown(cx);
        self.outcome(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn the_refusal_is_a_whole_http_answer() {
        let text = std::str::from_utf8(TOO_MANY_CONNECTIONS).expect("text");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with("HTTP/1.1 429 "), "{head}");
        let length = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .expect("a length");
        assert_eq!(length.parse::<usize>().expect("a number"), body.len());
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_the_peer_never_reads_fails_after_the_limit() {
        let (near, _far) = tokio::io::duplex(16);
        let mut io = Stalled::new(near, Duration::from_secs(60));
        io.write_all(&[0; 16]).await.expect("fits the buffer");
        let start = tokio::time::Instant::now();
        let err = io.write_all(&[0; 1]).await.expect_err("nobody reads");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() >= Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_is_kept() {
        let (near, mut far) = tokio::io::duplex(16);
        let mut io = Stalled::new(near, Duration::from_secs(60));
        let reader = tokio::spawn(async move {
            let mut buf = [0_u8; 16];
            let mut total = 0;
            while total < 64 {
                tokio::time::sleep(Duration::from_secs(50)).await;
                total += far.read(&mut buf).await.expect("read");
            }
            total
        });
        io.write_all(&[0; 64])
            .await
            .expect("each wait is under the limit");
        assert_eq!(reader.await.expect("reader"), 64);
    }
}
