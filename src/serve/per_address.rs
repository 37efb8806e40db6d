//! Open connections per client address, counted at accept: one address (an
//! IPv6 /64) cannot hold every file descriptor of the server. A place is
//! given back when its [`Held`] is dropped, however the connection ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ipnet::IpNet;

use crate::address::address_key;

/// Open connections by address key; only addresses with one are kept, so
/// its size is bounded by the open connections.
pub(super) struct PerAddress {
    limit: usize,
    trusted: Vec<IpNet>,
    open: Mutex<HashMap<String, usize>>,
}

/// One connection's place among its address's; given back on drop.
pub(super) struct Held {
    table: Arc<PerAddress>,
    key: String,
}

impl PerAddress {
    /// At most `limit` connections per address, except from `trusted`
    /// proxies, which carry many people's connections.
    pub(super) fn new(limit: usize, trusted: Vec<IpNet>) -> Arc<Self> {
        Arc::new(Self {
            limit,
            trusted,
            open: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, usize>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for a new connection from `peer`: `Ok(None)` when it is not
    /// counted (a trusted proxy), `Err(())` when its address has none left.
    pub(super) fn take(self: &Arc<Self>, peer: IpAddr) -> Result<Option<Held>, ()> {
        if self.trusted.iter().any(|net| net.contains(&peer)) {
            return Ok(None);
        }
        let key = address_key(peer);
        let mut open = self.lock();
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            if *count == 0 {
                open.remove(&key);
            }
            return Err(());
        }
        *count += 1;
        drop(open);
        Ok(Some(Held {
            table: Arc::clone(self),
            key,
        }))
    }

    /// Connections open from the address of `peer`.
    #[cfg(test)]
    fn open(&self, peer: IpAddr) -> usize {
        self.lock().get(&address_key(peer)).copied().unwrap_or(0)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.table.lock();
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn an_address_gets_its_limit_and_its_places_back_when_they_end() {
        let table = PerAddress::new(2, Vec::new());
        let one = table.take(ip("10.0.0.1")).expect("first");
        let two = table.take(ip("10.0.0.1")).expect("second");
        assert!(table.take(ip("10.0.0.1")).is_err(), "a third is refused");
        assert!(table.take(ip("10.0.0.2")).is_ok(), "another address is not");
        drop(one);
        let three = table.take(ip("10.0.0.1")).expect("a place came back");
        drop((two, three));
        assert_eq!(table.open(ip("10.0.0.1")), 0);
        assert!(
            table.lock().is_empty(),
            "no key is kept without a connection"
        );
    }

    #[test]
    fn one_ipv6_64_is_one_address() {
        let table = PerAddress::new(1, Vec::new());
        let _held = table.take(ip("2001:db8:1:2::1")).expect("first");
        assert!(table.take(ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(table.take(ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn trusted_proxies_are_not_counted() {
        let proxy: IpNet = "10.0.0.0/8".parse().expect("network");
        let table = PerAddress::new(1, vec![proxy]);
        let held: Vec<_> = (0..5)
            .map(|_| table.take(ip("10.1.2.3")).expect("never refused"))
            .collect();
        assert!(held.iter().all(Option::is_none));
        assert!(table.lock().is_empty());
    }

    #[test]
    fn a_limit_of_zero_refuses_everyone_and_keeps_nothing() {
        let table = PerAddress::new(0, Vec::new());
        assert!(table.take(ip("10.0.0.1")).is_err());
        assert!(table.lock().is_empty());
    }
}
