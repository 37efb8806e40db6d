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

use std::time::SystemTime;

use axum::http::{Version, header};
use axum::response::Response;
use http_body::Body as _;
use hyper_util::server::graceful::Watcher;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// Marks an answer that may stay open for hours: over HTTP/1 the server
/// writes it itself, without hyper's buffers (see the module's text).
#[derive(Clone, Copy, Debug)]
pub struct LongLived;

mod handoff;
mod pump;

pub(super) use handoff::Handoff;
use pump::pump;

/// An answer parked for [`write`], with the version of its request.
pub(super) struct Parked {
    response: Response,
    version: Version,
}

/// Over HTTP/1, marked, and of no length known in advance (a stream that
/// cannot open says so in a few bytes, and hyper writes those).
fn long_lived(response: &Response, version: Version) -> bool {
    matches!(version, Version::HTTP_10 | Version::HTTP_11)
        && response.extensions().get::<LongLived>().is_some()
        && response.body().size_hint().exact().is_none()
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
    use axum::body::Body;
    use axum::http::{HeaderValue, StatusCode};
    use bytes::Bytes;
    use std::convert::Infallible;
    use std::time::{Duration, UNIX_EPOCH};

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
}
