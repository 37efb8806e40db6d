//! The listening socket, with an accept queue long enough for a reconnect
//! storm: every page of a restarted server (or of a server that died, sent
//! to this one) connects within a few seconds, and a connection that finds
//! the queue full is not refused but dropped, its browser trying again only
//! after 1, 3, 7, 15 s (TCP's own backoff). Rust's and tokio's `bind` ask for
//! 128 places; the kernel caps what is asked at `net.core.somaxconn` (4096 by
//! default since Linux 5.4), so asking for more only takes what it allows.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

/// Places asked for in the accept queue (the kernel gives at most
/// `net.core.somaxconn`).
pub const BACKLOG: u32 = 65_535;

/// Listens on `addr` with a long accept queue (and `SO_REUSEADDR`, as
/// `TcpListener::bind` does, so a restarted server binds again at once).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}
