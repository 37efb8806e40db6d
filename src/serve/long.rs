//! Never-ending answers over HTTP/1, written by the server itself.
//!
//! hyper keeps a read and a write buffer of 8 KiB each for every HTTP/1
//! connection, for as long as it is open. A room's stream stays open for
//! hours and, once its head is out, needs neither: nothing more is read, and
//! every frame is bytes rendered once for everyone. So when an answer is
//! marked [`LongLived`] and has no length known in advance, the connection
//! leaves hyper. The service parks the answer instead of giving it to hyper;
//! the connection's task takes the socket back once hyper has written out
//! everything it held, drops hyper's state, and hands the socket to a small
//! task that writes the head and then the frames (chunked for HTTP/1.1, up
//! to the close for HTTP/1.0), listening only for the client going away.
//! hyper still reads and checks every request, and serves everything else.

use std::convert::Infallible;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::SystemTime;

use axum::body::Body;
use axum::http::{Method, Version, header};
use axum::response::Response;
use bytes::Bytes;
use http_body::Body as _;
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Marks an answer that may stay open for hours: over HTTP/1 the server
/// writes it itself, without hyper's buffers (see the module's text).
#[derive(Clone, Copy, Debug)]
pub struct LongLived;

/// Frames written together when several are ready at once (a burst of
/// messages, or a stream's backlog when it opens).
const BATCH: usize = 4;

/// What one connection's task, its service and hyper's I/O share.
pub(super) struct Handoff<I> {
    /// A request has arrived: the first one ends the wait for headers.
    seen: AtomicBool,
    /// The answer to write without hyper, once hyper has flushed.
    parked: Mutex<Option<Parked>>,
    /// The socket, lent to hyper until then.
    lent: Mutex<Lent<I>>,
}

struct Lent<I> {
    io: Option<I>,
    /// hyper has written nothing since its last successful flush, so it
    /// holds no bytes of an earlier answer.
    flushed: bool,
}

/// An answer parked for [`write`], with the version of its request.
pub(super) struct Parked {
    response: Response,
    version: Version,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<I> Handoff<I> {
    pub(super) fn new(io: I) -> Arc<Self> {
        Arc::new(Self {
            seen: AtomicBool::new(false),
            parked: Mutex::new(None),
            lent: Mutex::new(Lent {
                io: Some(io),
                flushed: true,
            }),
        })
    }

    pub(super) fn has_seen_a_request(&self) -> bool {
        self.seen.load(Ordering::Relaxed)
    }

    /// The service's answer to one request: as given, or parked (and never
    /// given to hyper) when it is long-lived.
    pub(super) fn answer<F>(
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
            std::future::pending().await
        }
    }

    /// An answer is parked, waiting for [`Handoff::take`].
    pub(super) fn parked(&self) -> bool {
        lock(&self.parked).is_some()
    }

    /// The parked answer and the socket, once hyper holds nothing more to
    /// write. Call after polling hyper's connection, which is where both change.
    pub(super) fn take(&self) -> Option<(I, Parked)> {
        let mut lent = lock(&self.lent);
        if !lent.flushed {
            return None;
        }
        let parked = lock(&self.parked).take()?;
        let io = lent.io.take()?;
        Some((io, parked))
    }
}

/// Over HTTP/1, marked, and of no length known in advance (a stream that
/// cannot open says so in a few bytes, and hyper writes those).
fn long_lived(response: &Response, version: Version) -> bool {
    matches!(version, Version::HTTP_10 | Version::HTTP_11)
        && response.extensions().get::<LongLived>().is_some()
        && response.body().size_hint().exact().is_none()
}

/// The socket as hyper sees it until the handoff.
pub(super) struct Lend<I>(pub(super) Arc<Handoff<I>>);

impl<I> Lend<I> {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut bool, Pin<&mut I>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>>
    where
        I: Unpin,
    {
        let mut lent = lock(&self.0.lent);
        let Lent { io, flushed } = &mut *lent;
        match io {
            Some(io) => f(flushed, Pin::new(io)),
            None => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Lend<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with(|_, io| io.poll_read(cx, buf))
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Lend<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with(|flushed, io| {
            *flushed = false;
            io.poll_write(cx, buf)
        })
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.with(|flushed, io| {
            *flushed = false;
            io.poll_write_vectored(cx, bufs)
        })
    }

    fn is_write_vectored(&self) -> bool {
        lock(&self.0.lent)
            .io
            .as_ref()
            .is_some_and(AsyncWrite::is_write_vectored)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|flushed, io| {
            let poll = io.poll_flush(cx);
            if let Poll::Ready(Ok(())) = poll {
                *flushed = true;
            }
            poll
        })
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|_, io| io.poll_shutdown(cx))
    }
}

/// Writes a parked answer on `io` until it ends or the client goes away.
/// `drain` keeps the server's shutdown waiting until the last words are out
/// (on shutdown the stream's body says goodbye and ends), not for the close.
pub(super) async fn write<I>(mut io: I, parked: Parked, drain: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    let Parked { response, version } = parked;
    let chunked = version == Version::HTTP_11;
    let (parts, body) = response.into_parts();
    let head = head(&parts, version, SystemTime::now());
    drop(parts);
    let pumped = pump(&mut io, head, body, chunked).await;
    drop(drain);
    if let Err(why) = pumped {
        tracing::debug!(%why, "stream ended");
        return;
    }
    let _ = io.shutdown().await;
}

/// Writes the head, then the body (as chunks when `chunked`) until it ends,
/// then the last chunk; the caller closes.
async fn pump<I>(io: &mut I, head: Vec<u8>, mut body: Body, chunked: bool) -> io::Result<()>
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    io.write_all(&head).await?;
    drop(head);
    let mut ended = false;
    while !ended {
        let mut batch: [Bytes; BATCH] = Default::default();
        let (n, waiting);
        (n, ended, waiting) =
            std::future::poll_fn(|cx| next_frames(cx, io, &mut body, &mut batch)).await?;
        let blocked = write_batch(io, &batch[..n], chunked).await?;
        // The body said it has nothing more and will wake this task when it
        // has: polling it again at once would only register anew (under
        // the room channel's lock, which every stream of the room shares).
        // Unless the write had to wait, as then a wake may have come and
        // gone while it did.
        if waiting && !blocked {
            woken().await;
        }
    }
    if chunked {
        io.write_all(b"0\r\n\r\n").await?;
    }
    io.flush().await
}

/// Returns pending once, without asking to be woken: resolves when
/// something that was told to wake this task does.
async fn woken() {
    let mut first = true;
    std::future::poll_fn(|_| {
        if std::mem::take(&mut first) {
            return Poll::Pending;
        }
        Poll::Ready(())
    })
    .await;
}

/// Up to `BATCH` frames that are ready, whether the body has ended, and
/// whether it is waiting (it said it has nothing more, and will wake this
/// task); fails once the client has gone.
fn next_frames<I: AsyncRead + Unpin>(
    cx: &mut Context<'_>,
    io: &mut I,
    body: &mut Body,
    batch: &mut [Bytes; BATCH],
) -> Poll<io::Result<(usize, bool, bool)>> {
    // Nothing more is read: a browser sends nothing on a connection that is
    // still answering, and a request sent behind a never-ending answer could
    // never be answered. So the end of the stream is the client closing, or
    // sending anything at all.
    let mut scratch = [0_u8; 64];
    let mut buf = ReadBuf::new(&mut scratch);
    match Pin::new(&mut *io).poll_read(cx, &mut buf) {
        Poll::Ready(Ok(())) if buf.filled().is_empty() => {
            return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
        }
        Poll::Ready(Ok(())) => {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the client sent more on a connection whose answer never ends",
            )));
        }
        Poll::Ready(Err(why)) => return Poll::Ready(Err(why)),
        Poll::Pending => {}
    }
    let mut n = 0;
    while n < BATCH {
        match Pin::new(&mut *body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data()
                    && !data.is_empty()
                {
                    batch[n] = data;
                    n += 1;
                }
            }
            Poll::Ready(Some(Err(why))) => return Poll::Ready(Err(io::Error::other(why))),
            Poll::Ready(None) => return Poll::Ready(Ok((n, true, false))),
            Poll::Pending if n == 0 => return Poll::Pending,
            Poll::Pending => return Poll::Ready(Ok((n, false, true))),
        }
    }
    Poll::Ready(Ok((n, false, false)))
}

/// One write for several frames, each framed as a chunk when `chunked`;
/// whether it had to wait for the client to read.
async fn write_batch<I: AsyncWrite + Unpin>(
    io: &mut I,
    batch: &[Bytes],
    chunked: bool,
) -> io::Result<bool> {
    let mut sizes = [[0_u8; 18]; BATCH];
    let mut lens = [0_usize; BATCH];
    if chunked {
        for (i, data) in batch.iter().enumerate() {
            lens[i] = chunk_size(&mut sizes[i], data.len());
        }
    }
    let mut slices = [IoSlice::new(&[]); BATCH * 3];
    let mut k = 0;
    for (i, data) in batch.iter().enumerate() {
        if chunked {
            slices[k] = IoSlice::new(&sizes[i][..lens[i]]);
            k += 1;
        }
        slices[k] = IoSlice::new(data);
        k += 1;
        if chunked {
            slices[k] = IoSlice::new(b"\r\n");
            k += 1;
        }
    }
    let mut left = &mut slices[..k];
    let mut blocked = false;
    while !left.is_empty() {
        let written = std::future::poll_fn(|cx| {
            let poll = Pin::new(&mut *io).poll_write_vectored(cx, left);
            blocked |= poll.is_pending();
            poll
        })
        .await?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut left, written);
    }
    Ok(blocked)
}

/// Writes `len` in hex and a line end into `out`; returns how many bytes.
fn chunk_size(out: &mut [u8; 18], len: usize) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = (usize::BITS - len.leading_zeros()).div_ceil(4).max(1) as usize;
    for (i, slot) in out[..digits].iter_mut().enumerate() {
        let shift = 4 * (digits - 1 - i);
        *slot = HEX[(len >> shift) & 0xf];
    }
    out[digits] = b'\r';
    out[digits + 1] = b'\n';
    digits + 2
}

/// The response head as hyper would write it, saying the connection closes
/// after it and (HTTP/1.1) that the body comes in chunks.
fn head(parts: &axum::http::response::Parts, version: Version, now: SystemTime) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(match version {
        Version::HTTP_10 => b"HTTP/1.0 ",
        _ => b"HTTP/1.1 ",
    });
    out.extend_from_slice(parts.status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(parts.status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &parts.headers {
        // Framing is ours to say.
        if matches!(
            *name,
            header::CONNECTION | header::CONTENT_LENGTH | header::TRANSFER_ENCODING
        ) || name.as_str() == "keep-alive"
        {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !parts.headers.contains_key(header::DATE) {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(httpdate::fmt_http_date(now).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if version == Version::HTTP_11 {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};
    use std::time::{Duration, UNIX_EPOCH};
    use tokio::io::AsyncReadExt;

    fn sized(len: usize) -> String {
        let mut out = [0_u8; 18];
        let n = chunk_size(&mut out, len);
        String::from_utf8_lossy(&out[..n]).into_owned()
    }

    #[test]
    fn chunk_sizes_are_hex_lines() {
        assert_eq!(sized(0), "0\r\n");
        assert_eq!(sized(9), "9\r\n");
        assert_eq!(sized(10), "a\r\n");
        assert_eq!(sized(255), "ff\r\n");
        assert_eq!(sized(4096), "1000\r\n");
        assert_eq!(sized(usize::MAX), format!("{:x}\r\n", usize::MAX));
    }

    fn parts() -> axum::http::response::Parts {
        let mut response = Response::new(Body::empty());
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream"),
        );
        h.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("5"));
        response.into_parts().0
    }

    #[test]
    fn a_head_frames_the_body_itself_and_closes() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let head = String::from_utf8(head(&parts(), Version::HTTP_11, at)).expect("text");
        assert_eq!(
            head,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
             date: Tue, 14 Nov 2023 22:13:20 GMT\r\n\
             transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        );
        let old = String::from_utf8(head_of(Version::HTTP_10)).expect("text");
        assert!(old.starts_with("HTTP/1.0 200 OK\r\n"), "{old}");
        assert!(
            !old.contains("chunked"),
            "HTTP/1.0 reads up to the close: {old}"
        );
    }

    fn head_of(version: Version) -> Vec<u8> {
        head(&parts(), version, SystemTime::now())
    }

    #[test]
    fn only_open_ended_marked_http1_answers_are_long_lived() {
        let marked = |body: Body| {
            let mut response = Response::new(body);
            response.extensions_mut().insert(LongLived);
            response
        };
        let endless =
            || Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        assert!(long_lived(&marked(endless()), Version::HTTP_11));
        assert!(long_lived(&marked(endless()), Version::HTTP_10));
        assert!(!long_lived(&marked(endless()), Version::HTTP_2));
        assert!(!long_lived(&marked(Body::from("bye")), Version::HTTP_11));
        assert!(!long_lived(&Response::new(endless()), Version::HTTP_11));
        let mut teapot = marked(endless());
        *teapot.status_mut() = StatusCode::IM_A_TEAPOT;
        assert!(long_lived(&teapot, Version::HTTP_11));
    }

    /// Frames ready together go out in one write, each as a chunk; the end
    /// is the last chunk, then the close.
    #[tokio::test]
    async fn frames_go_out_as_chunks_and_end_with_the_last_chunk() {
        let (near, mut far) = tokio::io::duplex(4096);
        let frames = ["one", "", "three", "four", "five", "six"]
            .map(|s| Ok::<_, Infallible>(Bytes::from_static(s.as_bytes())));
        let body = Body::from_stream(futures_util::stream::iter(frames));
        let mut near = near;
        pump(&mut near, b"HEAD\r\n\r\n".to_vec(), body, true)
            .await
            .expect("written");
        drop(near);
        let mut got = String::new();
        far.read_to_string(&mut got).await.expect("read");
        assert_eq!(
            got,
            "HEAD\r\n\r\n3\r\none\r\n5\r\nthree\r\n4\r\nfour\r\n4\r\nfive\r\n3\r\nsix\r\n0\r\n\r\n"
        );
    }

    #[tokio::test]
    async fn without_chunks_the_body_is_sent_as_is() {
        let (mut near, mut far) = tokio::io::duplex(4096);
        let frames = ["a", "b"].map(|s| Ok::<_, Infallible>(Bytes::from_static(s.as_bytes())));
        let body = Body::from_stream(futures_util::stream::iter(frames));
        pump(&mut near, Vec::new(), body, false)
            .await
            .expect("written");
        drop(near);
        let mut got = String::new();
        far.read_to_string(&mut got).await.expect("read");
        assert_eq!(got, "ab");
    }

    /// After a write, a stream waits for its body to wake it, and every
    /// frame that comes later still goes out, at once.
    #[tokio::test]
    async fn frames_that_come_later_go_out_as_they_come() {
        let (near, mut far) = tokio::io::duplex(4096);
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(4);
        let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
        let pumping = tokio::spawn(async move {
            let mut near = near;
            pump(&mut near, Vec::new(), body, false).await
        });
        let mut got = [0_u8; 16];
        for word in ["one", "two", "three"] {
            tx.send(Ok(Bytes::from_static(word.as_bytes())))
                .await
                .expect("send");
            let n = tokio::time::timeout(Duration::from_secs(5), far.read(&mut got))
                .await
                .expect("written at once")
                .expect("read");
            assert_eq!(&got[..n], word.as_bytes());
            tokio::task::yield_now().await;
        }
        drop(tx);
        pumping
            .await
            .expect("task")
            .expect("ends when the body does");
    }

    /// A client that sends anything while its stream runs is let go.
    #[tokio::test]
    async fn a_client_sending_more_ends_its_stream() {
        let (mut near, mut far) = tokio::io::duplex(4096);
        let body = Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        let pumping = tokio::spawn(async move { pump(&mut near, Vec::new(), body, true).await });
        far.write_all(b"GET / HTTP/1.1\r\n\r\n")
            .await
            .expect("send");
        let ended = tokio::time::timeout(Duration::from_secs(5), pumping)
            .await
            .expect("ends at once")
            .expect("task");
        assert_eq!(ended.map_err(|e| e.kind()), Err(io::ErrorKind::InvalidData));
    }

    /// A client that goes away ends a stream that had nothing to send.
    #[tokio::test]
    async fn a_waiting_stream_ends_when_the_client_goes() {
        let (mut near, far) = tokio::io::duplex(4096);
        let body = Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        let pumping = tokio::spawn(async move { pump(&mut near, Vec::new(), body, true).await });
        tokio::task::yield_now().await;
        drop(far);
        let ended = tokio::time::timeout(Duration::from_secs(5), pumping)
            .await
            .expect("ends at once")
            .expect("task");
        assert!(ended.is_err());
    }
}
