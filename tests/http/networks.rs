//! One site pretending to be many: an IPv6 /48 holds 65,536 /64s, each an
//! address of its own to the per-address limits, so the console's sign-ins
//! and reports are also counted per /48, with `NETWORK_SCALE` times an
//! address's budget (as the code door counts wrong codes).

use std::net::{Ipv6Addr, SocketAddr};
use std::sync::Arc;

use super::moderated::Moderated;
use super::*;
use livechat::chat::rate::MemoryLimits;
use livechat::chat::{Member, MemberId, Name, Reports, Seed};
use livechat::http::door::NETWORK_SCALE;

const TOKEN: &str = "correct horse battery staple";

/// A site with a console whose every message is Ann's.
fn site() -> (Visitor, Arc<Moderated>) {
    let config = common::config(&["--admin-token", TOKEN]);
    let store = Moderated::new(&config);
    let (state, trigger) =
        AppState::with_chat(config, store.clone(), &MemoryLimits).expect("config");
    *store.author.lock().expect("not poisoned") = Some(Member {
        id: MemberId::random(),
        name: Name::parse("Ann", 32).expect("name"),
        seed: Seed::random(),
    });
    let visitor = Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    };
    (visitor, store)
}

/// The `n`th /64 of one /48 (`2001:db8:7::/48`), or of another.
fn in_network(network: u16, n: u16) -> SocketAddr {
    SocketAddr::new(
        Ipv6Addr::new(0x2001, 0xdb8, network, n, 0, 0, 0, 1).into(),
        4000,
    )
}

#[tokio::test]
async fn sign_ins_are_limited_per_ipv6_network_as_well_as_per_address() {
    let (site, _) = site();
    let per_address = 5; // `--address-sign-ins` by default
    for n in 0..NETWORK_SCALE as u16 {
        let mut visitor = site.stranger();
        visitor.from = Some(in_network(7, n));
        for _ in 0..per_address {
            let answer = visitor.post("/admin/sign-in", &[("token", "wrong")]).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "/64 number {n}");
        }
    }
    let mut next = site.stranger();
    next.from = Some(in_network(7, NETWORK_SCALE as u16));
    let answer = next.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    answer.assert_has("Too many sign-ins from your network address");
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
    let mut elsewhere = site.stranger();
    elsewhere.from = Some(in_network(8, 0));
    let answer = elsewhere.post("/admin/sign-in", &[("token", TOKEN)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "another network");
}

#[tokio::test]
async fn reports_are_limited_per_ipv6_network_as_well_as_per_address() {
    let (site, store) = site();
    let (per_address, per_member) = (30, 10); // the defaults
    let budget = per_address * NETWORK_SCALE;
    let mut sent = 0;
    for n in 0u16.. {
        let from = in_network(7, n / 3);
        let mut person = site.stranger();
        person.from = Some(from);
        person.join(&format!("P{n}"), "general").await;
        for seq in 0..per_member {
            let path = format!("/r/general/m/{n}-{seq}/report");
            let answer = person.post(&path, &[("reason", "spam")]).await;
            if sent == budget {
                assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
                answer.assert_has("Too many reports from your network address");
                assert_eq!(store.reports().await.expect("read").len(), budget);
                let mut elsewhere = site.stranger();
                elsewhere.from = Some(in_network(8, 0));
                elsewhere.join("Other", "general").await;
                let answer = elsewhere
                    .post("/r/general/m/1-1/report", &[("reason", "spam")])
                    .await;
                assert_eq!(answer.status, StatusCode::SEE_OTHER, "another network");
                return;
            }
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{n} {seq}");
            sent += 1;
        }
    }
}
