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

mod connection;
mod idle;
mod listen;
mod long;
mod options;
mod per_address;
mod stalled;

use std::io;
use std::net::IpAddr;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::shutdown::Shutdown;
use connection::{Connection, Hyper};
pub use listen::{BACKLOG, listen};
pub use long::LongLived;
pub use options::{Options, tls_acceptor};
use per_address::PerAddress;
pub use stalled::Stalled;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
