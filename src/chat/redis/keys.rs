//! The key layout, written once: Rust names keys with what is here, and the
//! scripts get the same patterns as a Lua table `K` (see `lua_table`), each
//! with `%s` where the room code, member or other part goes.
//!
//! The layout rule, for Redis Cluster: **every script touches one slot.**
//! A key's slot is the CRC16 of the part between its first `{` and `}` (its
//! hash tag), so keys that a script touches together share that tag, and
//! keys of different tags are only ever touched by different commands or
//! scripts, one after the other (see `scripts` for the order each step
//! keeps, so that a crash between two steps leaves a safe state that the
//! next try or the sweeper finishes). Every script names a key of its tag
//! as `KEYS[1]`, so a cluster sends it to the node holding that slot, and
//! starts with `#!lua` (no `allow-cross-slot-keys`), so Redis refuses any
//! key of another slot. A new key takes the tag of what it belongs to: a
//! room's (`{CODE}`), a member's (`{m:MEMBER}`) or one of the global tags
//! below; a new global tag only for state that no script touches together
//! with another tag's.
//!
//! Per room, tag `{CODE}`: `lc:{CODE}:r` the room (hash: epoch, seq, public,
//! pair, arrivals, holder, `owner` (a member), `locked` ('1'), `slow` (ms),
//! `ro` (read-only until, ms), `due` (when its gathered notices are due, ms)
//! and a `pass:{pass}` field per pass that opens its door), `:s` its log (a
//! stream whose ids are `{epoch}-{seq}`), `:o` who is present (zset member
//! -> order of arrival), `:e` until when each present member is present
//! (hash member -> ms: the truth the sweeper's index follows), `:a` how they
//! appear (hash member -> author, as `codec::author` writes it; scripts copy
//! it, never read into it), `:n` who goes by each name there (hash: `n:{key}`
//! -> member and `m:{member}` -> key, the key as `rules::name_key` folds the
//! name; rooms whose names are unique only), `:x` its deleted messages (hash:
//! the message's id -> the id of the entry that stands in its place), `:bj`
//! and `:bl` the authors gathered for a busy room's next notices, `:rm` the
//! members its owner removed (set), `:lp` when each member last posted there
//! while slow mode is on (hash member -> ms; kept through a leave while its
//! pace runs).
//!
//! Per member, tag `{m:MEMBER}`: `lc:{m:MEMBER}:mr` their rooms (set),
//! `:rate` recent posts, `:mute` until when (ms) they are muted, `:ign` whom
//! they ignore (list of authors as `codec::author` writes them, oldest
//! first), `:ban` until when (ms) they are banned, `:seen` the address key
//! they were last seen from, `:read` the last item they were shown of each
//! room (hash code -> "{epoch}-{seq}", kept `rules::KEEP_SEEN`). `lc:{a:ADDRESS}:ban` until when a client
//! address key is banned.
//!
//! Global, each tag its own slot: `{q}` the stranger queue: `lc:{q}:q`
//! (zset member -> order, numbered by `lc:{q}:seq`), `lc:{q}:x` waiters'
//! expiries, `lc:{q}:w:MEMBER` a waiter (hash: author, matched, opened,
//! live), `lc:{q}:blk:MEMBER` the strangers a session blocked (set; the
//! pairing step reads them with the queue), `lc:{q}:pairs` the random-chat
//! rooms. `{rep}` the reports: `lc:{rep}:seq` the last report's number,
//! `lc:{rep}:rp:ID` a report (hash: key, code, msg, author, member, text,
//! said, reason, reporter, at), `lc:{rep}:open` the open reports (zset id ->
//! id), `lc:{rep}:by` who reported what (hash "{code} {message} {reporter}"
//! -> id, while open), `lc:{rep}:acts` the moderators' action log (list,
//! newest first). `{p}` presence: `lc:{p}:p` the sweeper's index of presence
//! expiries (zset "{code} {member}" -> ms; each room's `:e` is the truth),
//! `lc:{p}:m` how many rooms each present member is in (hash). `{priv}`
//! private rooms: `lc:{priv}:rooms` those made with Create private room
//! (hash code -> "{holder} {ms}"), `lc:{priv}:held:HOLDER` a client
//! address's (set of codes). `{b}` `lc:{b}:due` rooms whose gathered notices
//! are due (zset code -> ms, an index of each room's `due`). `{lim}`
//! `lc:{lim}:NAME:KEY` a limiter's attempts (one tag: a try counts against
//! several keys at once). `{srv}` `lc:{srv}:st:KEY` what a member (or a
//! client address) holds open per server (hash), `lc:{srv}:srv:SERVER`
//! there while that server lives.
//!
//! Channels (not keys, heard on every node of a cluster): `lc:ev` carries
//! the code of a room whose log grew; `lc:pair` carries "{member} {code}"
//! when a waiter is matched; `lc:gone` carries "{code} {member}" when a
//! member left; `lc:ignores` carries "{member} {seed} on|off" when a member
//! starts or stops ignoring someone; `lc:typing` carries "{code} {seed}
//! {name}" when someone types in random chat.

use crate::chat::{MemberId, RoomCode};

pub const EVENTS: &str = "lc:ev";
pub const PAIRS: &str = "lc:pair";
pub const GONE: &str = "lc:gone";
pub const IGNORES: &str = "lc:ignores";
pub const TYPING: &str = "lc:typing";
pub const BATCHES: &str = "lc:{b}:due";
pub const PRESENCE: &str = "lc:{p}:p";
pub const MEMBERS: &str = "lc:{p}:m";
pub const PRIVATE: &str = "lc:{priv}:rooms";
pub const PAIR_ROOMS: &str = "lc:{q}:pairs";
pub const QUEUE: &str = "lc:{q}:q";
pub const QUEUE_SEQ: &str = "lc:{q}:seq";
pub const QUEUE_EXPIRY: &str = "lc:{q}:x";
pub const REPORT_SEQ: &str = "lc:{rep}:seq";
pub const REPORTS: &str = "lc:{rep}:open";
pub const REPORTED: &str = "lc:{rep}:by";
pub const ACTIONS: &str = "lc:{rep}:acts";
const ROOM: &str = "lc:{%s}:r";
const LOG: &str = "lc:{%s}:s";
const PRESENT: &str = "lc:{%s}:o";
const EXPIRES: &str = "lc:{%s}:e";
const AUTHORS: &str = "lc:{%s}:a";
const NAMES: &str = "lc:{%s}:n";
const DELETED: &str = "lc:{%s}:x";
const JOINS: &str = "lc:{%s}:bj";
const LEAVES: &str = "lc:{%s}:bl";
const REMOVED: &str = "lc:{%s}:rm";
const LAST_POSTS: &str = "lc:{%s}:lp";
const ROOMS_OF: &str = "lc:{m:%s}:mr";
const RATE: &str = "lc:{m:%s}:rate";
const MUTE: &str = "lc:{m:%s}:mute";
const IGNORED: &str = "lc:{m:%s}:ign";
const BAN: &str = "lc:{m:%s}:ban";
const SEEN: &str = "lc:{m:%s}:seen";
const READ: &str = "lc:{m:%s}:read";
const ADDRESS_BAN: &str = "lc:{a:%s}:ban";
const WAITER: &str = "lc:{q}:w:%s";
const BLOCKED: &str = "lc:{q}:blk:%s";
const HELD: &str = "lc:{priv}:held:%s";
const LIMIT: &str = "lc:{lim}:%s";
const STREAMS: &str = "lc:{srv}:st:%s";
const SERVER: &str = "lc:{srv}:srv:%s";
const REPORT: &str = "lc:{rep}:rp:%s";
/// A room hash's field for a pass that opens its door.
const PASS: &str = "pass:";

/// Every name the scripts use, as `K.{name}`; patterns have `%s` for their part.
const LAYOUT: &[(&str, &str)] = &[
    ("events", EVENTS),
    ("paired", PAIRS),
    ("gone", GONE),
    ("ignores", IGNORES),
    ("ignored", IGNORED),
    ("mute", MUTE),
    ("rate", RATE),
    ("blocked", BLOCKED),
    ("batches", BATCHES),
    ("presence", PRESENCE),
    ("members", MEMBERS),
    ("private", PRIVATE),
    ("pair_rooms", PAIR_ROOMS),
    ("queue", QUEUE),
    ("queue_seq", QUEUE_SEQ),
    ("queue_expiry", QUEUE_EXPIRY),
    ("room", ROOM),
    ("log", LOG),
    ("present", PRESENT),
    ("expires", EXPIRES),
    ("authors", AUTHORS),
    ("names", NAMES),
    ("deleted", DELETED),
    ("held", HELD),
    ("streams", STREAMS),
    ("server", SERVER),
    ("waiter", WAITER),
    ("joins", JOINS),
    ("leaves", LEAVES),
    ("pass", PASS),
    ("report_seq", REPORT_SEQ),
    ("reports", REPORTS),
    ("reported", REPORTED),
    ("report", REPORT),
    ("removed", REMOVED),
    ("last_posts", LAST_POSTS),
];

/// The layout as a Lua table, `local K = {...}`, put before every script.
pub fn lua_table() -> String {
    let fields: Vec<String> = LAYOUT
        .iter()
        .map(|(name, key)| format!("{name} = '{key}'"))
        .collect();
    format!("local K = {{{}}}\n", fields.join(", "))
}

/// `pattern` with its part filled in.
fn fill(pattern: &str, part: &str) -> String {
    pattern.replacen("%s", part, 1)
}

pub fn room(code: &RoomCode) -> String {
    fill(ROOM, code.as_str())
}
pub fn log(code: &RoomCode) -> String {
    fill(LOG, code.as_str())
}
pub fn present(code: &RoomCode) -> String {
    fill(PRESENT, code.as_str())
}
#[cfg(test)]
/// Until when each present member of a room is present.
pub fn expires(code: &RoomCode) -> String {
    fill(EXPIRES, code.as_str())
}
pub fn authors(code: &RoomCode) -> String {
    fill(AUTHORS, code.as_str())
}
pub fn names(code: &RoomCode) -> String {
    fill(NAMES, code.as_str())
}
pub fn deleted(code: &RoomCode) -> String {
    fill(DELETED, code.as_str())
}
pub fn rooms_of(member: MemberId) -> String {
    fill(ROOMS_OF, &member.0.to_string())
}
pub fn waiter(member: MemberId) -> String {
    fill(WAITER, &member.0.to_string())
}
#[cfg(test)]
/// How many private rooms a client address holds open (a set of codes).
pub fn held(holder: &str) -> String {
    fill(HELD, holder)
}
/// Recent posts of a member.
pub fn rate(member: MemberId) -> String {
    fill(RATE, &member.0.to_string())
}
/// What a member, or a client address, holds open per server.
pub fn streams(key: &str) -> String {
    fill(STREAMS, key)
}
/// Exists while the server is alive.
pub fn server(id: &str) -> String {
    fill(SERVER, id)
}
/// The authors gathered for a room's next join (or leave) notice.
pub fn gathered(code: &RoomCode, joined: bool) -> String {
    fill(if joined { JOINS } else { LEAVES }, code.as_str())
}
/// Whom a session ignores.
pub fn ignored(member: MemberId) -> String {
    fill(IGNORED, &member.0.to_string())
}
/// Until when a session is muted.
pub fn mute(member: MemberId) -> String {
    fill(MUTE, &member.0.to_string())
}
/// The strangers a session blocked.
pub fn blocked(member: MemberId) -> String {
    fill(BLOCKED, &member.0.to_string())
}
/// A limiter's attempts by one key.
pub fn limit(name: &str, key: &str) -> String {
    fill(LIMIT, &format!("{name}:{key}"))
}
/// A kept report.
pub fn report(id: u64) -> String {
    fill(REPORT, &id.to_string())
}
/// The members `code`'s owner removed.
pub fn removed(code: &RoomCode) -> String {
    fill(REMOVED, code.as_str())
}
#[cfg(test)]
/// When each member last posted in a room in slow mode.
pub fn last_posts(code: &RoomCode) -> String {
    fill(LAST_POSTS, code.as_str())
}
/// Until when (ms) a member is banned.
pub fn ban(member: MemberId) -> String {
    fill(BAN, &member.0.to_string())
}
/// Until when (ms) a client address (its key) is banned.
pub fn address_ban(address: &str) -> String {
    fill(ADDRESS_BAN, address)
}
/// The address key a member was last seen from.
pub fn seen(member: MemberId) -> String {
    fill(SEEN, &member.0.to_string())
}
pub fn read(member: MemberId) -> String {
    fill(READ, &member.0.to_string())
}
/// The room hash's field for `pass`.
pub fn pass(pass: &str) -> String {
    format!("{PASS}{pass}")
}

#[cfg(test)]
/// The Redis Cluster slot of `key`: CRC16 (XMODEM) of its hash tag (the part
/// between the first `{` and the next `}`, if not empty), else of the key,
/// modulo 16384.
pub fn slot(key: &str) -> u16 {
    let bytes = key.as_bytes();
    let tagged = key.find('{').and_then(|open| {
        let close = key[open + 1..].find('}')?;
        (close > 0).then(|| &bytes[open + 1..open + 1 + close])
    });
    let mut crc: u16 = 0;
    for &byte in tagged.unwrap_or(bytes) {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_a_plain_lua_string() {
        for (name, key) in LAYOUT {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!key.contains(['\'', '\\', '\n']), "{key}");
        }
    }

    #[test]
    fn slots_are_computed_as_redis_cluster_does() {
        // Redis Cluster's own examples (CLUSTER KEYSLOT).
        // CRC16/XMODEM of "123456789" is 0x31C3, below 16384.
        assert_eq!(slot("123456789"), 0x31C3);
        assert_eq!(slot("{user1000}.following"), slot("{user1000}.followers"));
        assert_eq!(slot("foo{}{bar}"), slot("foo{}{bar}"));
        assert_ne!(slot("foo{}{bar}"), slot("bar"));
        assert_eq!(slot("foo{{bar}}zap"), slot("{bar"));
    }

    #[test]
    fn each_room_member_and_global_group_is_one_slot() {
        let code = RoomCode::from_path("K7QX").expect("a code");
        let room = [
            room(&code),
            log(&code),
            present(&code),
            expires(&code),
            authors(&code),
            names(&code),
            deleted(&code),
            gathered(&code, true),
            gathered(&code, false),
            removed(&code),
            last_posts(&code),
        ];
        let member = MemberId(uuid::Uuid::new_v4());
        let own = [
            rooms_of(member),
            rate(member),
            mute(member),
            ignored(member),
            ban(member),
            seen(member),
        ];
        let queue = [
            QUEUE.to_owned(),
            QUEUE_SEQ.to_owned(),
            QUEUE_EXPIRY.to_owned(),
            PAIR_ROOMS.to_owned(),
            waiter(member),
            blocked(member),
        ];
        let reports = [
            REPORT_SEQ.to_owned(),
            REPORTS.to_owned(),
            REPORTED.to_owned(),
            ACTIONS.to_owned(),
            report(7),
        ];
        let private = [PRIVATE.to_owned(), held("203.0.113.0")];
        let presence = [PRESENCE.to_owned(), MEMBERS.to_owned()];
        let servers = [streams("x"), server("y")];
        let limits = [limit("join", "a"), limit("guess", "b")];
        for group in [
            &room[..],
            &own,
            &queue,
            &reports,
            &private,
            &presence,
            &servers,
            &limits,
        ] {
            for key in group {
                assert_eq!(slot(key), slot(&group[0]), "{key} and {}", group[0]);
            }
        }
    }
}
