//! One accepted connection: served by hyper until it ends, or until a
//! long-lived answer takes its socket (`long`).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Sleep;
use tower::ServiceExt;

use super::long::{self, Handoff};
use super::per_address::Held;
use super::stalled::Stalled;
use super::{STOP_GRACE, WRITE_STALL, idle};
use crate::shutdown::Shutdown;

/// One accepted connection, about to be served.
pub(super) struct Connection {
    pub(super) hyper: Hyper,
    /// Keeps shutdown waiting for this connection, also once a stream has
    /// left hyper (`long`).
    pub(super) drain: Watcher,
    /// Its place among its address's connections, for as long as it is open.
    pub(super) _place: Option<Held>,
}

/// How serving a connection through hyper ended.
enum Ended<I> {
    Done(Result<(), Box<dyn std::error::Error + Send + Sync>>),
    /// No request came within the header timeout.
    Silent,
    /// A long-lived answer is to be written without hyper, on this socket.
    Handoff((Stalled<I>, long::Parked)),
}

impl Connection {
    pub(super) async fn serve<I>(self, io: I)
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
pub(super) struct Hyper {
    pub(super) builder: auto::Builder<TokioExecutor>,
    pub(super) router: Router,
    pub(super) remote: SocketAddr,
    pub(super) header_timeout: Duration,
    /// On stop, idle connections close and busy ones once their requests end.
    pub(super) stop: Shutdown,
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
        let (handoff, lend) = Handoff::new(Stalled::new(io, WRITE_STALL));
        let streams = idle::Streams::new();
        let service = service(router, remote, handoff.clone(), streams.clone());
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(lend), service)
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
            let polled = conn.as_mut().poll(cx);
            // The service parks a long-lived answer while hyper polls it, and
            // hyper's socket gives itself back at the flush that follows, once
            // hyper has written out the end of any earlier answer (`long`).
            if let Some(taken) = handoff.take() {
                return Poll::Ready(Ended::Handoff(taken));
            }
            if let Poll::Ready(done) = polled {
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
            Ended::Handoff(taken) => Some(taken),
        }
    }
}

/// The service hyper calls for each request on this connection: the app,
/// told the client's address and the host; a long-lived answer parked in
/// `handoff`; HTTP/2 streams counted in `streams` so that idle connections
/// can be closed (hyper closes idle HTTP/1 ones itself).
fn service<I: Send + 'static>(
    router: Router,
    remote: SocketAddr,
    handoff: std::sync::Arc<Handoff<I>>,
    streams: std::sync::Arc<idle::Streams>,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let (method, version) = (request.method().clone(), request.version());
        request.extensions_mut().insert(ConnectInfo(remote));
        add_host(&mut request);
        let response = router.clone().oneshot(request);
        let answer = handoff.clone().answer(&method, version, response);
        let open = (version == hyper::Version::HTTP_2).then(|| streams.open());
        async move {
            let response = answer.await?;
            Ok::<_, Infallible>(match open {
                Some(open) => response.map(|body| idle::Counted::body(body, open)),
                None => response,
            })
        }
    })
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
