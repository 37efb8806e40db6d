//! Taking a connection's socket back from hyper, without a lock on its reads
//! and writes.
//!
//! hyper owns a [`Lend`], which owns the socket. Three moments change hands,
//! each said once in an atomic state: the service parks a long-lived answer
//! (`PARKED`); `Lend` sees it, at a flush after which hyper holds no bytes,
//! and gives the socket up (`RETURNED`); the connection's task takes both
//! and drops hyper's connection. The mutexes are touched only at those
//! moments, once per stream, never on a read or a write.
//!
//! This rests on how hyper 1.12's HTTP/1 connection is polled, which hyper
//! does not promise (hence `hyper = "~1.12"` in Cargo.toml, and
//! tests/transport's pipelining tests). Each assumption is named where it is
//! relied on, with the line of hyper's source it rests on.

use std::convert::Infallible;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use axum::http::{Method, Version};
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{Parked, long_lived};

/// hyper has the socket and no answer is parked.
const LENT: u8 = 0;
/// An answer is parked; hyper still has the socket.
const PARKED: u8 = 1;
/// `Lend` has given the socket up: it is in `Handoff::io`.
const RETURNED: u8 = 2;

/// What one connection's task, its service and its [`Lend`] share.
pub(in crate::serve) struct Handoff<I> {
    /// A request has arrived: the first one ends the wait for headers.
    seen: AtomicBool,
    /// `LENT`, `PARKED` or `RETURNED`; only ever moves forward.
    state: AtomicU8,
    /// The answer to write without hyper; set once, before `PARKED`.
    parked: Mutex<Option<Parked>>,
    /// The socket, given back once, before `RETURNED`.
    io: Mutex<Option<I>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<I> Handoff<I> {
    /// The shared state, and the socket as hyper is to see it.
    pub(in crate::serve) fn new(io: I) -> (Arc<Self>, Lend<I>) {
        let handoff = Arc::new(Self {
            seen: AtomicBool::new(false),
            state: AtomicU8::new(LENT),
            parked: Mutex::new(None),
            io: Mutex::new(None),
        });
        let lend = Lend {
            io: Some(io),
            flushed: true,
            handoff: handoff.clone(),
        };
        (handoff, lend)
    }

    pub(in crate::serve) fn has_seen_a_request(&self) -> bool {
        self.seen.load(Ordering::Relaxed)
    }

    /// The service's answer to one request: as given, or parked (and never
    /// given to hyper) when it is long-lived.
    pub(in crate::serve) fn answer<F>(
        self: Arc<Self>,
        method: &Method,
        version: Version,
        response: F,
    ) -> impl Future<Output = Result<Response, Infallible>> + use<I, F>
    where
        F: Future<Output = Result<Response, Infallible>>,
    {
        self.seen.store(true, Ordering::Relaxed);
        let head_only = method == Method::HEAD;
        async move {
            let response = response.await?;
            if head_only || !long_lived(&response, version) {
                return Ok(response);
            }
            *lock(&self.parked) = Some(Parked { response, version });
            self.state.store(PARKED, Ordering::Release);
            // Assumption 1: hyper polls the service's future inside its own
            // connection future's poll (hyper-1.12.0 src/proto/h1/dispatch.rs
            // :174 `poll_write` -> :603 `poll_msg` polls `in_flight`), on the
            // connection's task, and then, in the same turn, flushes (:175).
            // So `Lend` sees `PARKED` at that flush, and the connection's task
            // sees `RETURNED` as soon as that poll returns.
            std::future::pending().await
        }
    }

    /// The parked answer and the socket, once `Lend` has given it up. Call
    /// after polling hyper's connection, which is where that happens.
    pub(in crate::serve) fn take(&self) -> Option<(I, Parked)> {
        if self.state.load(Ordering::Acquire) != RETURNED {
            return None;
        }
        let io = lock(&self.io).take()?;
        let parked = lock(&self.parked).take()?;
        Some((io, parked))
    }
}

/// The socket as hyper sees it until the handoff: it owns the socket, and
/// reads and writes it without a lock.
pub(in crate::serve) struct Lend<I> {
    /// `None` once given back.
    io: Option<I>,
    /// hyper has written nothing since its last successful flush, so it
    /// holds no bytes of an earlier answer.
    flushed: bool,
    handoff: Arc<Handoff<I>>,
}

impl<I: Unpin> Lend<I> {
    /// The socket, or pending for good once it was given back: hyper's
    /// connection is dropped right after its poll returns (see `take`).
    fn io(&mut self) -> Poll<Pin<&mut I>> {
        match self.io.as_mut() {
            Some(io) => Poll::Ready(Pin::new(io)),
            None => Poll::Pending,
        }
    }

    /// Gives the socket back if an answer is parked and hyper holds nothing.
    ///
    /// Assumption 2: hyper writes out everything it buffered before it
    /// flushes the socket, so a successful flush with no write after it
    /// means hyper holds no byte of an earlier answer (hyper-1.12.0
    /// src/proto/h1/io.rs:281-282 and :289-334: `Buffered::poll_flush`
    /// flushes the socket only once `write_buf` is empty). Not so with
    /// `pipeline_flush`, which returns early while requests are buffered
    /// (io.rs:279): `serve` never turns it on. hyper also starts on the
    /// next request only once the last answer was flushed (conn.rs:855-857,
    /// `try_keep_alive` after the flush), so today both guards agree;
    /// `flushed` keeps this one from resting on that.
    fn give_back_if_parked(&mut self) -> bool {
        if !self.flushed || self.handoff.state.load(Ordering::Acquire) != PARKED {
            return false;
        }
        let Some(io) = self.io.take() else {
            return false;
        };
        *lock(&self.handoff.io) = Some(io);
        self.handoff.state.store(RETURNED, Ordering::Release);
        true
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Lend<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        std::task::ready!(self.get_mut().io()).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Lend<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.flushed = false;
        std::task::ready!(this.io()).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.flushed = false;
        std::task::ready!(this.io()).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.as_ref().is_some_and(AsyncWrite::is_write_vectored)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = std::task::ready!(this.io()).poll_flush(cx);
        if let Poll::Ready(Ok(())) = poll {
            this.flushed = true;
            // hyper's poll then ends pending, and the connection's task
            // takes the socket (`Handoff::take`) before polling it again.
            if this.give_back_if_parked() {
                return Poll::Pending;
            }
        }
        poll
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.get_mut().io()).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use bytes::Bytes;
    use tokio::io::AsyncWriteExt;

    fn endless() -> Response {
        let body = Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        let mut response = Response::new(body);
        response.extensions_mut().insert(super::super::LongLived);
        response
    }

    fn park(handoff: &Arc<Handoff<tokio::io::DuplexStream>>) {
        let answer = handoff.clone().answer(
            &Method::GET,
            Version::HTTP_11,
            std::future::ready(Ok(endless())),
        );
        let mut answer = Box::pin(answer);
        let waker = std::task::Waker::noop();
        assert!(
            answer
                .as_mut()
                .poll(&mut Context::from_waker(waker))
                .is_pending()
        );
    }

    /// The socket changes hands at a flush, and only at one that follows
    /// every write: never while hyper may still hold bytes.
    #[tokio::test]
    async fn the_socket_is_given_back_only_after_a_flush() {
        let (near, _far) = tokio::io::duplex(64);
        let (handoff, mut lend) = Handoff::new(near);
        assert!(handoff.take().is_none(), "nothing parked yet");
        lend.write_all(b"HTTP/1.1 200 OK\r\n").await.expect("write");
        park(&handoff);
        assert!(handoff.take().is_none(), "written but not flushed");
        let waker = std::task::Waker::noop();
        let flushed = Pin::new(&mut lend).poll_flush(&mut Context::from_waker(waker));
        assert!(flushed.is_pending(), "the flush gives the socket up");
        assert!(handoff.take().is_some(), "the socket and the answer");
        let read = Pin::new(&mut lend).poll_read(
            &mut Context::from_waker(waker),
            &mut ReadBuf::new(&mut [0; 8]),
        );
        assert!(read.is_pending(), "hyper no longer reaches the socket");
    }

    #[tokio::test]
    async fn without_a_parked_answer_a_flush_keeps_the_socket() {
        let (near, _far) = tokio::io::duplex(64);
        let (handoff, mut lend) = Handoff::new(near);
        lend.write_all(b"x").await.expect("write");
        lend.flush().await.expect("flush");
        assert!(handoff.take().is_none());
        lend.write_all(b"y").await.expect("still hyper's");
    }
}
