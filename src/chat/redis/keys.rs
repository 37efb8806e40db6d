//! The key layout, written once: Rust names keys with what is here, and the
//! scripts get the same names as a Lua table `K` (see `lua_table`).
//!
//! Keys: `r:{code}` a room (hash: epoch, seq, public, pair, arrivals, holder,
//! and a `pass:{pass}` field per pass that opens its door), `s:{code}` its
//! log (a stream whose ids are `{epoch}-{seq}`), `o:{code}` who is present
//! (zset member -> order of arrival), `a:{code}` how they appear (hash
//! member -> author, as `codec::author` writes it; scripts copy it, never
//! read into it), `n:{code}` who goes by each name there (hash: `n:{key}`
//! -> member and `m:{member}` -> key, the key as `rules::name_key` folds
//! the name; rooms whose names are unique only), `x:{code}` its deleted
//! messages (hash: the message's id -> the id of the entry that stands in
//! its place), `p` presence expiries (zset "{code} {member}" -> ms),
//! `mr:{member}` a member's rooms, `private` the private rooms made with
//! Create private room, `pairs` the random-chat rooms, `held:{holder}` how
//! many private rooms a client address holds, `m` how many rooms each
//! present member is in (hash), `st:{key}` what a member (or a client
//! address) holds open per server (hash), `srv:{server}` there while that
//! server lives, `rate:{member}` recent posts, `q` the pairing queue (zset
//! member -> order, numbered by `qseq`), `w:{member}` a waiter (hash: author,
//! matched, opened, live), `qx` waiters' expiries, `bj:{code}` and
//! `bl:{code}` the authors gathered for a busy room's next notices until
//! `batches` (zset code -> ms) says they are due, `lim:{name}:{key}` a
//! limiter's attempts. Channel `ev` carries the code of a room whose log
//! grew; `pair` carries "{member} {code}" when a waiter is matched; `gone`
//! carries "{code} {member}" when a member left. Everything is under `lc:`.

use crate::chat::{MemberId, RoomCode};

pub const EVENTS: &str = "lc:ev";
pub const PAIRS: &str = "lc:pair";
pub const GONE: &str = "lc:gone";
pub const BATCHES: &str = "lc:batches";
pub const PRESENCE: &str = "lc:p";
pub const MEMBERS: &str = "lc:m";
pub const PRIVATE: &str = "lc:private";
pub const PAIR_ROOMS: &str = "lc:pairs";
pub const QUEUE: &str = "lc:q";
pub const QUEUE_SEQ: &str = "lc:qseq";
pub const QUEUE_EXPIRY: &str = "lc:qx";
const ROOM: &str = "lc:r:";
const LOG: &str = "lc:s:";
const PRESENT: &str = "lc:o:";
const AUTHORS: &str = "lc:a:";
const NAMES: &str = "lc:n:";
const DELETED: &str = "lc:x:";
const ROOMS_OF: &str = "lc:mr:";
const HELD: &str = "lc:held:";
const STREAMS: &str = "lc:st:";
const SERVER: &str = "lc:srv:";
const RATE: &str = "lc:rate:";
const WAITER: &str = "lc:w:";
const JOINS: &str = "lc:bj:";
const LEAVES: &str = "lc:bl:";
const LIMIT: &str = "lc:lim:";
/// A room hash's field for a pass that opens its door.
const PASS: &str = "pass:";

/// Every name the scripts use, as `K.{name}`.
const LAYOUT: &[(&str, &str)] = &[
    ("events", EVENTS),
    ("paired", PAIRS),
    ("gone", GONE),
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
    ("authors", AUTHORS),
    ("names", NAMES),
    ("deleted", DELETED),
    ("rooms_of", ROOMS_OF),
    ("held", HELD),
    ("streams", STREAMS),
    ("server", SERVER),
    ("rate", RATE),
    ("waiter", WAITER),
    ("joins", JOINS),
    ("leaves", LEAVES),
    ("pass", PASS),
];

/// The layout as a Lua table, `local K = {...}`, put before every script.
pub fn lua_table() -> String {
    let fields: Vec<String> = LAYOUT
        .iter()
        .map(|(name, key)| format!("{name} = '{key}'"))
        .collect();
    format!("local K = {{{}}}\n", fields.join(", "))
}

pub fn room(code: &RoomCode) -> String {
    format!("{ROOM}{code}")
}
pub fn log(code: &RoomCode) -> String {
    format!("{LOG}{code}")
}
pub fn present(code: &RoomCode) -> String {
    format!("{PRESENT}{code}")
}
pub fn authors(code: &RoomCode) -> String {
    format!("{AUTHORS}{code}")
}
pub fn names(code: &RoomCode) -> String {
    format!("{NAMES}{code}")
}
pub fn deleted(code: &RoomCode) -> String {
    format!("{DELETED}{code}")
}
pub fn rooms_of(member: MemberId) -> String {
    format!("{ROOMS_OF}{}", member.0)
}
pub fn waiter(member: MemberId) -> String {
    format!("{WAITER}{}", member.0)
}
/// Exists while the server is alive.
pub fn server(id: &str) -> String {
    format!("{SERVER}{id}")
}
/// The authors gathered for a room's next join (or leave) notice.
pub fn gathered(code: &RoomCode, joined: bool) -> String {
    let prefix = if joined { JOINS } else { LEAVES };
    format!("{prefix}{code}")
}
/// A limiter's attempts by one key.
pub fn limit(name: &str, key: &str) -> String {
    format!("{LIMIT}{name}:{key}")
}
/// The room hash's field for `pass`.
pub fn pass(pass: &str) -> String {
    format!("{PASS}{pass}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_name_is_a_plain_lua_string() {
        for (name, key) in super::LAYOUT {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!key.contains(['\'', '\\', '\n']), "{key}");
        }
    }
}
