//! The one door every request that names a room code goes through: the
//! room page, its stream, log document and title, a post, leaving, and
//! joining by code. It asks the store once whether the code leads to a room
//! this person may use, and counts a miss against the guess limiter
//! (`--join-failures` per `--join-window`) for the client's address (IPv6 by
//! its /64, behind `--trusted-proxy` the forwarded client) and for the
//! member, in the same step as the check (`Doors::try_code`), so a burst
//! cannot get more misses through than the limit and right codes never count.
//! So a code that leads nowhere counts as a miss on every route, and guessing
//! through a stream or a post is slowed exactly like guessing through **Join**.
//!
//! The door only says what it found. A wait or an unreachable store is the
//! same refusal on every route (`Shut::refused`); each route words a miss
//! its own way, the same for every miss whatever its reason (see `MISSED`).

use std::net::IpAddr;
use std::time::Duration;

use super::client::ClientAddr;
use super::session::Session;
use crate::AppState;
use crate::address::{address_key, network_key};
use crate::chat::rate::Key;
use crate::chat::{Access, ChatError, MemberId, RoomCode, Waiting};
use crate::error::{AppError, Refused};

/// What every route says for a code that leads nowhere it may go (no such
/// room, a random-chat room of two others, a room the person is not in):
/// one sentence for all, so the answer does not tell which.
pub fn missed() -> String {
    crate::t!("missed")
}

/// Why the door stayed shut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shut {
    /// The code leads to no room this person may use: not a code, no such
    /// room, a random-chat room of two others, or (as a member) a room they
    /// are not in. Counted as a guess.
    Miss,
    /// Too many misses from this address or member: wait this long.
    Wait(Duration),
    /// The store cannot be reached; nothing was counted.
    Unavailable,
}

/// Who is knocking: the client's address and the member, as far as known.
#[derive(Debug, Clone, Copy)]
pub struct Knock {
    pub client: Option<IpAddr>,
    pub member: Option<MemberId>,
}

impl Knock {
    /// The knock of this request's client and session.
    pub fn of(client: ClientAddr, session: &Session) -> Self {
        Self {
            client: client.0,
            member: session.member.as_ref().map(|member| member.id),
        }
    }
}

impl Shut {
    /// The refusal a wait or an unreachable store is, on every route alike;
    /// `None` for a miss, which each route words its own way.
    pub fn refused(self) -> Option<Refused> {
        match self {
            Self::Miss => None,
            Self::Wait(wait) => Some(too_many_misses(wait)),
            Self::Unavailable => Some(Refused::from(&ChatError::Unavailable)),
        }
    }
}

impl From<Shut> for AppError {
    /// As a page: a miss is a `404` like any page that is not there.
    fn from(shut: Shut) -> Self {
        shut.refused().map_or(Self::NotFound, Self::Refused)
    }
}

/// Too many misses: try codes again after `wait`.
pub fn too_many_misses(wait: Duration) -> Refused {
    Refused::waiting(wrong_codes(wait))
}

/// Too many wrong codes: the refusal and its wait.
fn wrong_codes(wait: Duration) -> Waiting {
    Waiting {
        why: crate::key!("wait-why-wrong-codes"),
        wait,
        then: crate::key!("wait-then-try"),
    }
}

/// What a knock is counted by: the client's address (IPv6: its /64), the
/// network around it (IPv6: its /48, with `NETWORK_SCALE` times the misses,
/// so one site's 65,536 /64s do not make 65,536 budgets) and the member.
fn knock_keys(knock: Knock) -> Vec<Key> {
    let client = knock.client.into_iter().flat_map(|ip| {
        let network = network_key(ip).map(|net| Key::scaled(format!("n:{net}"), NETWORK_SCALE));
        std::iter::once(Key::new(format!("a:{}", address_key(ip)))).chain(network)
    });
    let member = knock
        .member
        .map(|member| Key::new(format!("m:{}", member.0)));
    client.chain(member).collect()
}

/// How many times an address's wrong codes a whole IPv6 /48 may try.
pub const NETWORK_SCALE: usize = 16;

/// Opens the door to `code` (`None`: what was given is not a code at all)
/// for `access`, or says why not.
pub async fn pass(
    app: &AppState,
    knock: Knock,
    code: Option<RoomCode>,
    access: Access,
) -> Result<RoomCode, Shut> {
    let keys = knock_keys(knock);
    let tried = app
        .chat
        .try_code(&keys, code.as_ref(), knock.member, access)
        .await;
    match (tried, code) {
        (Ok(Ok(true)), Some(code)) => Ok(code),
        (Ok(Ok(_)), _) => Err(Shut::Miss),
        (Ok(Err(wait)), _) => Err(Shut::Wait(wait)),
        (Err(_), _) => Err(Shut::Unavailable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Member, Name, Seed};
    use crate::config::Config;
    use clap::Parser;

    fn state(flags: &[&str]) -> AppState {
        let config = Config::parse_from(std::iter::once("livechat").chain(flags.iter().copied()));
        AppState::new(config).expect("config").0
    }

    fn someone() -> Member {
        Member {
            id: MemberId::random(),
            name: Name::parse("Eve", 32).expect("name"),
            seed: Seed::random(),
        }
    }

    fn from(ip: &str, member: &Member) -> Knock {
        Knock {
            client: Some(ip.parse().expect("address")),
            member: Some(member.id),
        }
    }

    fn missing() -> Option<RoomCode> {
        RoomCode::parse_private("ZZZZ")
    }

    #[tokio::test(start_paused = true)]
    async fn misses_count_per_address_and_per_member_and_hits_are_forgiven() {
        let app = state(&["--join-failures", "3", "--join-window", "60"]);
        let eve = someone();
        let general = RoomCode::parse_slug("general");
        for _ in 0..10 {
            let hit = pass(
                &app,
                from("203.0.113.1", &eve),
                general.clone(),
                Access::Enter,
            );
            assert!(hit.await.is_ok(), "a code that leads somewhere is forgiven");
        }
        for _ in 0..3 {
            let miss = pass(&app, from("203.0.113.1", &eve), missing(), Access::Enter);
            assert_eq!(miss.await, Err(Shut::Miss));
        }
        let Err(Shut::Wait(wait)) = pass(
            &app,
            from("203.0.113.1", &eve),
            general.clone(),
            Access::Enter,
        )
        .await
        else {
            panic!("a good code is refused too while over the limit")
        };
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        // The member, from elsewhere: still over.
        let moved = pass(
            &app,
            from("198.51.100.9", &eve),
            general.clone(),
            Access::Enter,
        );
        assert!(
            matches!(moved.await, Err(Shut::Wait(_))),
            "the member's budget"
        );
        // Someone else at the same address: over too.
        let other = pass(
            &app,
            from("203.0.113.1", &someone()),
            general.clone(),
            Access::Enter,
        );
        assert!(
            matches!(other.await, Err(Shut::Wait(_))),
            "the address's budget"
        );
        // Someone else elsewhere: not slowed.
        let fresh = pass(
            &app,
            from("198.51.100.9", &someone()),
            general.clone(),
            Access::Enter,
        );
        assert!(fresh.await.is_ok());
        tokio::time::sleep(Duration::from_secs(61)).await;
        let later = pass(&app, from("203.0.113.1", &eve), general, Access::Enter);
        assert!(later.await.is_ok(), "the window slid past");
    }

    #[tokio::test(start_paused = true)]
    async fn what_is_not_a_code_is_a_miss_too() {
        let app = state(&["--join-failures", "2"]);
        let eve = someone();
        for _ in 0..2 {
            let miss = pass(&app, from("203.0.113.1", &eve), None, Access::Member);
            assert_eq!(miss.await, Err(Shut::Miss));
        }
        let wait = pass(&app, from("203.0.113.1", &eve), None, Access::Member);
        assert!(matches!(wait.await, Err(Shut::Wait(_))));
    }

    #[test]
    fn waits_are_said_in_whole_seconds_rounded_up() {
        use crate::chat::whole_seconds;
        assert_eq!(whole_seconds(Duration::from_millis(10)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(59_001)), 60);
        assert!(
            wrong_codes(Duration::from_secs(42))
                .to_string()
                .contains("wait 42 s")
        );
    }
}
