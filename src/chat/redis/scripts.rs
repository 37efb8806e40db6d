//! The Lua scripts (in `lua/`): every change that must be atomic across
//! servers (enter, leave, post, rename, flush gathered notices, queue, pair,
//! an owner's removal, a room's rules and their notice)
//! runs as one script, so no two servers can interleave a read and a write.
//! Each script touches the keys of one slot only (`keys`: a room's, a
//! member's, or one global group's), named by its first key, so it runs on
//! a Redis Cluster too. A change of several slots is several steps in an
//! order where a crash between two leaves a safe state that is finished
//! later: the member's and the sweeper's index entries are written before a
//! room's step (an index entry without a membership is swept harmlessly),
//! and given back after it (a leave whose follow-up was lost is found again
//! by the sweeper, and every follow-up is safe to run twice).
//! The scripts only check and write state; what to announce, and every
//! constant, comes from Rust as arguments (see `lua/prelude.lua`). Each gets
//! the key layout (`keys::lua_table`) and the prelude before it, and how long
//! a room's keys live as its first argument (`Scripts::call`).

use redis::{Script, ScriptInvocation};

use crate::chat::Name;
use crate::chat::rules::{self, Notice, Shape};

/// Every script, loaded once (the client sends each by its hash).
pub struct Scripts {
    pub enter: Script,
    pub create: Script,
    pub leave: Script,
    pub say: Script,
    pub delete: Script,
    pub rename: Script,
    pub flush: Script,
    pub queue: Script,
    pub pair: Script,
    pub cancel: Script,
    pub unqueue: Script,
    pub waiting: Script,
    pub streams: Script,
    pub door: Script,
    pub report: Script,
    pub close_report: Script,
    pub ignore: Script,
    pub remove: Script,
    pub ruled: Script,
    pub reserve: Script,
    pub closed: Script,
    pub unbatch: Script,
    pub pair_room: Script,
    pub paired: Script,
    pub refresh: Script,
    pub pace: Script,
}

impl Scripts {
    pub fn new() -> Self {
        let script = |body: &str| Script::new(&source(body));
        Self {
            enter: script(include_str!("lua/enter.lua")),
            create: script(include_str!("lua/create.lua")),
            leave: script(include_str!("lua/leave.lua")),
            say: script(include_str!("lua/say.lua")),
            delete: script(include_str!("lua/delete.lua")),
            rename: script(include_str!("lua/rename.lua")),
            flush: script(include_str!("lua/flush.lua")),
            queue: script(include_str!("lua/queue.lua")),
            pair: script(include_str!("lua/pair.lua")),
            cancel: script(include_str!("lua/cancel.lua")),
            unqueue: script(include_str!("lua/unqueue.lua")),
            waiting: script(include_str!("lua/waiting.lua")),
            streams: script(include_str!("lua/streams.lua")),
            door: script(include_str!("lua/door.lua")),
            report: script(include_str!("lua/report.lua")),
            close_report: script(include_str!("lua/close_report.lua")),
            ignore: script(include_str!("lua/ignore.lua")),
            remove: script(include_str!("lua/remove.lua")),
            ruled: script(include_str!("lua/ruled.lua")),
            reserve: script(include_str!("lua/reserve.lua")),
            closed: script(include_str!("lua/closed.lua")),
            unbatch: script(include_str!("lua/unbatch.lua")),
            pair_room: script(include_str!("lua/pair_room.lua")),
            paired: script(include_str!("lua/paired.lua")),
            refresh: script(include_str!("lua/refresh.lua")),
            pace: script(include_str!("lua/pace.lua")),
        }
    }

    /// A call of `script` on the slot of `key` (a key the script touches),
    /// its first argument (how long a room's keys outlive their last use)
    /// given.
    pub fn call(script: &Script, key: impl AsRef<str>) -> ScriptInvocation<'_> {
        let mut call = script.key(key.as_ref());
        call.arg(rules::KEEP_ROOM.as_secs());
        call
    }
}

/// A script as Redis is given it: `#!lua` without `allow-cross-slot-keys`,
/// so that a Redis Cluster refuses any key of another slot than its first
/// key's (on one Redis, hash tags change nothing), then the key layout and
/// the prelude, then `body`.
fn source(body: &str) -> String {
    format!(
        "#!lua\n{}{}\n{body}",
        super::keys::lua_table(),
        include_str!("lua/prelude.lua")
    )
}

/// The word a script is given for `notice` (see `plan` in the prelude):
/// nothing, gather, or the kind of the event to append now.
fn word(notice: Notice, joined: bool) -> &'static str {
    match notice {
        Notice::Silent => "",
        Notice::Gather => "gather",
        Notice::StrangerLeft => super::codec::STRANGER,
        Notice::Now if joined => super::codec::JOINED,
        Notice::Now => super::codec::LEFT,
    }
}

/// What an arrival (`joined`) or a departure announces, for a script to
/// pick from once it has read the room's shape: the most members told of at
/// once, when a gathering that starts now is due (ms), and the word for each
/// shape, in the order the prelude's `plan` reads them.
pub fn plan(inv: &mut ScriptInvocation<'_>, joined: bool, big_room: usize, now_ms: i64) {
    inv.arg(big_room)
        .arg(now_ms + rules::BATCH_EVERY.as_millis() as i64);
    for shape in Shape::ALL {
        inv.arg(word(rules::notice(joined, shape), joined));
    }
}

/// The arguments a script checks a name by: its key, then whether names
/// are unique in a pair room and in any other (`rules::names_unique`), as
/// the prelude's `unique` reads them.
pub fn unique_names(inv: &mut ScriptInvocation<'_>, name: &Name) {
    inv.arg(rules::name_key(name));
    for pair in [true, false] {
        inv.arg(if rules::names_unique(pair) { "1" } else { "0" });
    }
}

/// A list argument: its length, then its items (the prelude's `list`).
pub fn list<T: redis::ToRedisArgs>(inv: &mut ScriptInvocation<'_>, items: &[T]) {
    inv.arg(items.len());
    for item in items {
        inv.arg(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_read_in_shape_order() {
        assert_eq!(Shape::ALL, [Shape::Pair, Shape::Small, Shape::Busy]);
        assert_eq!(word(rules::notice(true, Shape::Pair), true), "");
        assert_eq!(word(rules::notice(false, Shape::Busy), false), "gather");
    }

    #[test]
    fn every_script_is_held_to_the_slot_of_its_first_key() {
        let source = source("return 1");
        assert!(source.starts_with("#!lua\n"), "{source}");
        for body in [
            source.as_str(),
            include_str!("lua/take.lua"),
            include_str!("lua/try_code.lua"),
        ] {
            assert!(body.starts_with("#!lua\n"));
            assert!(!body.contains("allow-cross-slot-keys"));
        }
    }

    #[test]
    fn no_script_holds_a_number_of_the_rules() {
        for body in [
            include_str!("lua/prelude.lua"),
            include_str!("lua/enter.lua"),
            include_str!("lua/leave.lua"),
            include_str!("lua/flush.lua"),
            include_str!("lua/remove.lua"),
            include_str!("lua/ruled.lua"),
        ] {
            for gone in ["3000", "86400", "shown", "string.sub"] {
                assert!(!body.contains(gone), "{gone}");
            }
        }
    }
}
