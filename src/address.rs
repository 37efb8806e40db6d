//! How the limits per client address key an address: IPv4 whole, IPv6 by
//! its /64 and, for limits that also count networks, its /48. Both the HTTP
//! layer (per-address limits) and the serve loop (connections per address)
//! count by these keys.

use std::net::IpAddr;

/// The key per-address limits count a client by: an IPv4 address whole, an
/// IPv6 address by its /64, the smallest network handed to one subscriber
/// (who can pick any of its 2^64 addresses at will).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        },
    }
}

/// The wider network an address belongs to, for limits that also count
/// whole networks: an IPv6 address's /48, the most one site or tunnel is
/// commonly handed (65,536 /64s). `None` for IPv4, which is counted whole.
pub fn network_key(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let [a, b, c, ..] = v6.segments();
            Some(format!("{a:x}:{b:x}:{c:x}::/48"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_and_ipv4_whole() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_ne!(address_key(ip("10.0.0.1")), address_key(ip("10.0.0.2")));
        assert_eq!(
            address_key(ip("::ffff:10.0.0.1")),
            address_key(ip("10.0.0.1"))
        );
    }

    #[test]
    fn ipv6_networks_are_their_48() {
        assert_eq!(
            network_key(ip("2001:db8:1:2::1")),
            network_key(ip("2001:db8:1:ffff::1"))
        );
        assert_eq!(
            network_key(ip("2001:db8:1:2::1")).as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_ne!(
            network_key(ip("2001:db8:1::1")),
            network_key(ip("2001:db8:2::1"))
        );
        assert_eq!(network_key(ip("10.0.0.1")), None);
        assert_eq!(network_key(ip("::ffff:10.0.0.1")), None);
    }
}
