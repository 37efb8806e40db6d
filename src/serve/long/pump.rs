//! Writing a stream's body on a socket of its own: frames ready together
//! go out in one write, as chunks for HTTP/1.1; the only thing read is the
//! client going away.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::Body as _;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Frames written together when several are ready at once (a burst of
/// messages, or a stream's backlog when it opens).
const BATCH: usize = 4;

/// Writes the head, then the body (as chunks when `chunked`) until it ends,
/// then the last chunk; the caller closes.
pub(super) async fn pump<I>(
    io: &mut I,
    head: Vec<u8>,
    mut body: Body,
    chunked: bool,
) -> io::Result<()>
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::time::Duration;
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
