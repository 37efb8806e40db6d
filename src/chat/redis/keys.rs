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
//! limiter's attempts, `rseq` the last report's number, `rp:{id}` a report
//! (hash: key, code, msg, author, member, text, said, reason, reporter,
//! at), `ro` the open reports (zset id -> id), `rk` who reported what (hash
//! "{code} {message} {reporter}" -> id, while the report is open), `acts`
//! the moderators' action log (list, newest first), `ign:{member}` whom a
//! session ignores (list of authors as `codec::author` writes them, oldest
//! first), `mute:{member}` until when (ms) a session is muted,
//! `blk:{member}` the strangers a session blocked (set of members;
//! `pair.lua` pairs neither way), `rm:{code}` the members its owner removed
//! (set), `lp:{code}` when each member last posted there while slow mode
//! is on (hash member -> ms; kept through a leave while its pace runs),
//! `ban:{member}` and `bana:{address}` until when a session or a client
//! address key is banned (ms, expiring then),
//! `seen:{member}` the address key a member was last seen from,
//! `read:{member}` the last item a member was shown of each room (hash code
//! -> "{epoch}-{seq}", kept `rules::KEEP_SEEN`). A room's
//! hash also keeps `owner` (a member), `locked` ('1'), `slow` (ms) and `ro`
//! (read-only until, ms). Channel `ev` carries the code of a room whose log
//! grew; `pair` carries "{member} {code}" when a waiter is matched; `gone`
//! carries "{code} {member}" when a member left; `ignores` carries
//! "{member} {seed} on|off" when a member starts or stops ignoring someone;
//! `typing` carries "{code} {seed} {name}" when someone types in random chat.
//! Everything is under `lc:`.

use crate::chat::{MemberId, RoomCode};

pub const EVENTS: &str = "lc:ev";
pub const PAIRS: &str = "lc:pair";
pub const GONE: &str = "lc:gone";
pub const IGNORES: &str = "lc:ignores";
pub const TYPING: &str = "lc:typing";
pub const BATCHES: &str = "lc:batches";
pub const PRESENCE: &str = "lc:p";
pub const MEMBERS: &str = "lc:m";
pub const PRIVATE: &str = "lc:private";
pub const PAIR_ROOMS: &str = "lc:pairs";
pub const QUEUE: &str = "lc:q";
pub const QUEUE_SEQ: &str = "lc:qseq";
pub const QUEUE_EXPIRY: &str = "lc:qx";
pub const REPORT_SEQ: &str = "lc:rseq";
pub const REPORTS: &str = "lc:ro";
pub const REPORTED: &str = "lc:rk";
pub const ACTIONS: &str = "lc:acts";
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
const REPORT: &str = "lc:rp:";
const IGNORED: &str = "lc:ign:";
const MUTE: &str = "lc:mute:";
const BLOCKED: &str = "lc:blk:";
const REMOVED: &str = "lc:rm:";
const LAST_POSTS: &str = "lc:lp:";
const BAN: &str = "lc:ban:";
const ADDRESS_BAN: &str = "lc:bana:";
const SEEN: &str = "lc:seen:";
const READ: &str = "lc:read:";
/// A room hash's field for a pass that opens its door.
const PASS: &str = "pass:";

/// Every name the scripts use, as `K.{name}`.
const LAYOUT: &[(&str, &str)] = &[
    ("events", EVENTS),
    ("paired", PAIRS),
    ("gone", GONE),
    ("ignores", IGNORES),
    ("ignored", IGNORED),
    ("mute", MUTE),
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
/// Whom a session ignores.
pub fn ignored(member: MemberId) -> String {
    format!("{IGNORED}{}", member.0)
}
/// Until when a session is muted.
pub fn mute(member: MemberId) -> String {
    format!("{MUTE}{}", member.0)
}
/// The strangers a session blocked.
pub fn blocked(member: MemberId) -> String {
    format!("{BLOCKED}{}", member.0)
}
/// A limiter's attempts by one key.
pub fn limit(name: &str, key: &str) -> String {
    format!("{LIMIT}{name}:{key}")
}
/// A kept report.
pub fn report(id: u64) -> String {
    format!("{REPORT}{id}")
}
/// The members `code`'s owner removed.
pub fn removed(code: &RoomCode) -> String {
    format!("{REMOVED}{code}")
}
/// Until when (ms) a member is banned.
pub fn ban(member: MemberId) -> String {
    format!("{BAN}{}", member.0)
}
/// Until when (ms) a client address (its key) is banned.
pub fn address_ban(address: &str) -> String {
    format!("{ADDRESS_BAN}{address}")
}
/// The address key a member was last seen from.
pub fn seen(member: MemberId) -> String {
    format!("{SEEN}{}", member.0)
}
pub fn read(member: MemberId) -> String {
    format!("{READ}{}", member.0)
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
