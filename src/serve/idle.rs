//! When an HTTP/2 connection is idle. hyper closes an idle HTTP/1.1
//! keep-alive connection itself (its header timeout runs from the moment it
//! waits for the next request), but keeps an HTTP/2 connection with no open
//! stream for ever. So each HTTP/2 request counts as open from its arrival
//! until hyper drops its answer's body (written out, or the stream reset),
//! and a connection with none open for the header timeout is closed
//! gracefully (GOAWAY): an open room stream keeps its connection.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// The open streams of one connection, shared by its requests' answers.
pub(super) struct Streams {
    /// The connection speaks HTTP/2 (known at its first request).
    h2: AtomicBool,
    open: AtomicUsize,
    /// When `open` last went to zero (or the connection began).
    idle_since: Mutex<Instant>,
}

/// One open stream; counted until dropped.
pub(super) struct Open(Arc<Streams>);

impl Streams {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            h2: AtomicBool::new(false),
            open: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        })
    }

    /// A stream opens: counted until the returned guard is dropped.
    pub(super) fn open(self: &Arc<Self>) -> Open {
        self.h2.store(true, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::AcqRel);
        Open(Arc::clone(self))
    }

    /// How long the connection has had no open stream; `None` while it has
    /// one, or before it is known to speak HTTP/2.
    /// An HTTP/2 connection with no stream open.
    pub(super) fn is_idle_http2(&self) -> bool {
        self.h2.load(Ordering::Relaxed) && self.open.load(Ordering::Acquire) == 0
    }

    fn idle_for(&self, now: Instant) -> Option<Duration> {
        if !self.h2.load(Ordering::Relaxed) || self.open.load(Ordering::Acquire) > 0 {
            return None;
        }
        let since = *self
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(now.saturating_duration_since(since))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        // The time first, so that a check that sees no stream open also sees
        // when the last one ended.
        *self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An answer's body that keeps its stream counted as open.
pub(super) struct Counted {
    body: Body,
    _open: Open,
}

impl Counted {
    pub(super) fn body(body: Body, open: Open) -> Body {
        Body::new(Self { body, _open: open })
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Wakes the connection's task when its idle time may be up.
pub(super) struct Timer {
    limit: Duration,
    sleep: Pin<Box<Sleep>>,
}

impl Timer {
    pub(super) fn new(limit: Duration) -> Self {
        Self {
            limit,
            sleep: Box::pin(tokio::time::sleep(limit)),
        }
    }

    /// Ready once `streams` has been idle for the limit. Otherwise set to
    /// look again when it could be (a limit from now while streams are open).
    pub(super) fn poll_expired(&mut self, cx: &mut Context<'_>, streams: &Streams) -> Poll<()> {
        while self.sleep.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let wait = match streams.idle_for(now) {
                Some(idle) if idle >= self.limit => return Poll::Ready(()),
                Some(idle) => self.limit.saturating_sub(idle),
                None => self.limit,
            };
            self.sleep.as_mut().reset(now + wait);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn expired(timer: &mut Timer, streams: &Streams) -> bool {
        std::future::poll_fn(|cx| Poll::Ready(timer.poll_expired(cx, streams).is_ready())).await
    }

    #[tokio::test(start_paused = true)]
    async fn an_http2_connection_is_idle_a_limit_after_its_last_stream_ended() {
        let limit = Duration::from_secs(10);
        let streams = Streams::new();
        let mut timer = Timer::new(limit);
        let open = streams.open();
        tokio::time::advance(Duration::from_secs(25)).await;
        assert!(!expired(&mut timer, &streams).await, "a stream is open");
        tokio::time::advance(Duration::from_secs(3)).await;
        drop(open);
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!expired(&mut timer, &streams).await, "9 s idle");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(expired(&mut timer, &streams).await, "10 s idle");
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_not_known_to_speak_http2_is_left_to_hyper() {
        let streams = Streams::new();
        let mut timer = Timer::new(Duration::from_secs(1));
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(!expired(&mut timer, &streams).await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_counted_body_keeps_its_stream_open_until_dropped() {
        let streams = Streams::new();
        let body = Counted::body(Body::from("hello"), streams.open());
        assert_eq!(
            http_body::Body::size_hint(&body).exact(),
            Some(5),
            "the length is kept"
        );
        assert!(streams.idle_for(Instant::now()).is_none());
        drop(body);
        assert_eq!(streams.idle_for(Instant::now()), Some(Duration::ZERO));
    }
}
