//! `ClientAddr`: the address a request came from, when the server knows it
//! (the serve loop records it per connection; in-process tests have none).
//! Behind a trusted reverse proxy (`--trusted-proxy`) it is the client that
//! the proxy names in `X-Forwarded-For`.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::address::{address_key, network_key};
use crate::chat::ChatError;
use crate::chat::rate::{Attempt, Limiter};
use crate::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    Arc<Config>: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let config = Arc::<Config>::from_ref(state);
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| client_of(info.0.ip(), &parts.headers, &config.trusted_proxies));
        Ok(Self(addr))
    }
}

impl ClientAddr {
    /// The key the per-address limits count this client by (see [`address_key`]).
    pub fn key(&self) -> Option<String> {
        self.0.map(address_key)
    }
}

/// One try of the client's, counted against its address in `address` and,
/// for IPv6, against its /48 in `network` (a budget `door::NETWORK_SCALE`
/// times as big), so that one site's 65,536 /64s do not make as many
/// budgets: the attempt (forgiven or kept as one), or how long to wait.
pub async fn take_counted(
    address: &dyn Limiter,
    network: &dyn Limiter,
    client: ClientAddr,
) -> Result<Attempt, Duration> {
    let Some(ip) = client.0 else {
        return Ok(Attempt::uncounted());
    };
    let first = address.take(&address_key(ip)).await?;
    let Some(net) = network_key(ip) else {
        return Ok(first);
    };
    match network.take(&net).await {
        Ok(second) => Ok(Attempt::undone_by(move || {
            first.forgive();
            second.forgive();
        })),
        Err(wait) => {
            first.forgive();
            Err(wait)
        }
    }
}

/// Does `action`, counted against the client's address in `limiter` (a
/// budget of the address over all its sessions): `over(wait)` when the
/// address has used it up, and an action that failed does not count.
pub async fn counted<T>(
    limiter: &dyn Limiter,
    client: ClientAddr,
    over: fn(Duration) -> ChatError,
    action: impl Future<Output = Result<T, ChatError>>,
) -> Result<T, ChatError> {
    let attempt = match client.key() {
        Some(key) => limiter.take(&key).await.map_err(over)?,
        None => Attempt::uncounted(),
    };
    let done = action.await;
    if done.is_err() {
        attempt.forgive();
    }
    done
}

/// Who sent a request that reached us from `peer`. Walks `X-Forwarded-For`
/// from the nearest hop while each hop is a trusted proxy; the first hop that
/// is not one is the client. Anything unreadable ends the walk at the last
/// address known for sure, so a forged header can never name a client that
/// no trusted proxy vouched for.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().expect("header value"));
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn nets(texts: &[&str]) -> Vec<IpNet> {
        texts.iter().map(|t| t.parse().expect("network")).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let headers = forwarded(&["1.2.3.4"]);
        assert_eq!(
            client_of(ip("203.0.113.9"), &headers, &[]),
            ip("203.0.113.9")
        );
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_of(ip("203.0.113.9"), &headers, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(
            client_of(ip("10.0.0.2"), &headers, &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn only_hops_added_by_trusted_proxies_count() {
        // The client forged the first entry; the outer proxy 10.0.0.3 added
        // the real address, the inner proxy 10.0.0.2 added 10.0.0.3.
        let trusted = nets(&["10.0.0.0/8"]);
        let headers = forwarded(&["6.6.6.6, 198.51.100.7", "10.0.0.3"]);
        assert_eq!(
            client_of(ip("10.0.0.2"), &headers, &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn garbage_or_no_header_leaves_the_last_known_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_of(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        let headers = forwarded(&["198.51.100.7, not-an-address"]);
        assert_eq!(
            client_of(ip("10.0.0.2"), &headers, &trusted),
            ip("10.0.0.2")
        );
        let headers = forwarded(&["198.51.100.7, 10.0.0.3"]);
        assert_eq!(
            client_of(ip("10.0.0.2"), &headers, &trusted),
            ip("198.51.100.7")
        );
    }
}
