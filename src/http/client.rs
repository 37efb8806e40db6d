//! `ClientAddr`: the address a request came from, when the server knows it
//! (the serve loop records it per connection; in-process tests have none).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self(addr))
    }
}

/// Open streams per client address, so one address cannot hold every socket.
pub struct AddressStreams {
    max: usize,
    open: std::sync::Mutex<std::collections::HashMap<IpAddr, usize>>,
}

/// One stream's place in the count; given back when dropped.
pub struct AddressGuard {
    streams: std::sync::Arc<AddressStreams>,
    ip: IpAddr,
}

impl AddressStreams {
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            open: Default::default(),
        }
    }

    /// A place for one more stream from `ip`, or `None` when it has `max` open.
    pub fn open(self: &std::sync::Arc<Self>, ip: IpAddr) -> Option<AddressGuard> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(AddressGuard {
            streams: self.clone(),
            ip,
        })
    }
}

impl Drop for AddressGuard {
    fn drop(&mut self) {
        let mut open = self
            .streams
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}
