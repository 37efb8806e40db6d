//! The chat's rules, written once for every store: how often lists and
//! notices go out, what a join or a leave announces and when notices are
//! gathered, how many names a notice spells out, when a rename is told, who
//! a room lets in, which names count as the same in a room, what a typed
//! code names, when a place is full, who owns a room after its owner goes,
//! who a locked room or its owner keeps out, when slow mode, a read-only
//! room or a ban refuses, and the sizes and tries the stores work with. A store keeps state and orders
//! events; it asks these functions what to do. The Redis store runs its
//! atomic steps as scripts, so it hands them what was decided here (or, where
//! a fact can only be read inside the step, the facts to test and what each
//! outcome means), never a rule of their own.

use std::time::Duration;

use time::{Date, OffsetDateTime, UtcOffset};
use unicode_normalization::UnicodeNormalization;

use super::ChatError;
use super::code::RoomCode;
use super::event::{Author, Event, MemberId, Place, Reach, Seed};
use super::name::{Name, is_invisible};
use super::safety::Deleter;

/// The Online list of a room is sent at most this often.
pub const ONLINE_EVERY: Duration = Duration::from_secs(1);
/// Join and leave notices of a busy room are gathered for this long.
pub const BATCH_EVERY: Duration = Duration::from_secs(3);
/// How many names a gathered notice spells out before "and N others", unless
/// the store is set otherwise.
pub const NOTICE_NAMES: usize = 2;
/// Tries at finding an unused private code before giving up.
pub const CODE_TRIES: usize = 64;
/// Codes offered to one pairing step of the Redis store: pairs made in one go.
pub const PAIR_CODES: usize = 8;
/// How long a room kept in a shared store outlives its last use.
pub const KEEP_ROOM: Duration = Duration::from_secs(86_400);

/// Most open reports kept; past it, the oldest goes.
pub const MAX_REPORTS: usize = 1000;
/// Moderator actions the action log keeps, the newest.
pub const MAX_ACTIONS: usize = 500;
/// Rooms the console lists, the busiest.
pub const LIVE_ROOMS: usize = 100;
/// The window of the report limits (`--member-reports`, `--address-reports`).
pub const REPORT_WINDOW: Duration = Duration::from_secs(600);
/// The window of the sign-in limit (`--address-sign-ins`).
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(600);
/// How long a moderator may mute a session: the console's choices.
pub const MUTE_TIMES: [Duration; 3] = [
    Duration::from_secs(600),
    Duration::from_secs(3600),
    Duration::from_secs(86_400),
];
/// How long a moderator may ban a session and its address.
pub const BAN_TIMES: [Duration; 3] = [
    Duration::from_secs(3600),
    Duration::from_secs(86_400),
    Duration::from_secs(7 * 86_400),
];
/// One message per this long per member, for a room in slow mode.
pub const SLOW_MODE_TIMES: [Duration; 4] = [
    Duration::from_secs(5),
    Duration::from_secs(10),
    Duration::from_secs(30),
    Duration::from_secs(60),
];
/// How long a moderator may make a public room read-only.
pub const READ_ONLY_TIMES: [Duration; 3] = [
    Duration::from_secs(300),
    Duration::from_secs(900),
    Duration::from_secs(3600),
];

/// The room a person names by what they typed at **Join**: a public room by
/// its slug (always there), else a private room by its code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meant {
    Public(RoomCode),
    /// The store must still find it open.
    Private(RoomCode),
}

/// What `typed` names, among the `public` rooms or as a private code;
/// anything else is no room, said with what was typed.
pub fn meant(typed: &str, public: &[RoomCode]) -> Result<Meant, ChatError> {
    if let Some(slug) = RoomCode::parse_slug(typed).filter(|slug| public.contains(slug)) {
        return Ok(Meant::Public(slug));
    }
    RoomCode::parse_private(typed)
        .map(Meant::Private)
        .ok_or_else(|| ChatError::NoSuchRoom(typed.to_owned()))
}

impl Meant {
    /// The private code the store must look for, if any.
    pub fn private(&self) -> Option<&RoomCode> {
        match self {
            Self::Public(_) => None,
            Self::Private(code) => Some(code),
        }
    }

    /// The room, when a private one was found `open`; else no room, said
    /// with what was `typed`.
    pub fn found(self, open: bool, typed: &str) -> Result<RoomCode, ChatError> {
        match self {
            Self::Public(code) => Ok(code),
            Self::Private(code) if open => Ok(code),
            Self::Private(_) => Err(ChatError::NoSuchRoom(typed.to_owned())),
        }
    }
}

/// Whether one more fits where `count` are held and at most `max` may be:
/// a room's members, the stranger queue, private and random-chat rooms, the
/// rooms a holder has open, a member's streams, attempts in a window. The
/// Redis scripts compare inside their atomic step, with a count only they
/// can read, against the `max` that Rust passes them (`count >= max` means
/// full in `create.lua`, `queue.lua`, `pair.lua`, `enter.lua`,
/// `streams.lua`, `say.lua`, `take.lua`, `try_code.lua`): it is this rule,
/// written there in Lua, not a rule of their own.
pub fn fits_one_more(count: usize, max: usize) -> bool {
    count < max
}

/// Whether a rename to `to` from `from` changes anything, and so is told:
/// going by the name one already has tells nobody.
pub fn renames(from: &Name, to: &Name) -> bool {
    from != to
}

/// Messages of one author this close to the one before (with nothing between,
/// on the same day) are grouped under one name.
pub const GROUP_WITHIN: Duration = Duration::from_secs(5 * 60);

/// What `place` needs to know of the item before: its author (`None` for a
/// notice) and time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tail {
    author: Option<Author>,
    at: OffsetDateTime,
}

impl Tail {
    pub fn of(event: &Event) -> Self {
        Self {
            author: event.author().cloned(),
            at: event.at(),
        }
    }
}

/// The day (UTC) a time falls on; days in the log are UTC days.
pub fn day(at: OffsetDateTime) -> Date {
    at.to_offset(UtcOffset::UTC).date()
}

/// Where `event` stands after the item `before` it (`None`: it is the first
/// of the log, or what came before could not be read). A new day opens with
/// a divider; a message of the author of the message before, within
/// `GROUP_WITHIN` either way (servers' clocks may differ a little) and on the
/// same day, is grouped under that one's name. A notice breaks a group, and
/// so does a name change (the author is name and avatar).
pub fn place(before: Option<&Tail>, event: &Event) -> Place {
    let at = event.at();
    let Some(before) = before else {
        return Place {
            new_day: true,
            grouped: false,
            before: None,
        };
    };
    let new_day = day(before.at) != day(at);
    let close = (at - before.at).unsigned_abs() <= GROUP_WITHIN;
    let same_author = event.author().is_some() && event.author() == before.author.as_ref();
    Place {
        new_day,
        grouped: !new_day && close && same_author,
        before: Some(before.at),
    }
}

/// How long after sending it its author may delete a message.
pub const DELETE_WITHIN: Duration = Duration::from_secs(5 * 60);

/// Whether `by` may delete, `now`, a message that `sender` sent `at`: its
/// author within `DELETE_WITHIN`, a moderator any time.
pub fn may_delete(
    sender: MemberId,
    at: OffsetDateTime,
    by: Deleter,
    now: OffsetDateTime,
) -> Result<(), ChatError> {
    match by {
        Deleter::Moderator => Ok(()),
        Deleter::Author(who) if who != sender => Err(ChatError::NotYours),
        Deleter::Author(_) if now - at > DELETE_WITHIN => Err(ChatError::TooLateToDelete),
        Deleter::Author(_) => Ok(()),
    }
}

/// Events a room keeps, whatever was asked: at least one.
pub fn history_len(asked: usize) -> usize {
    asked.max(1)
}

/// How many frames a stream may lag behind before it is resynced with the
/// whole log.
pub fn channel_size(history_len: usize) -> usize {
    history_len.clamp(16, 1024)
}

/// What a room is like when someone arrives or goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Two strangers' room.
    Pair,
    /// Few enough members that each arrival or departure is told at once.
    Small,
    /// More members than the big-room threshold, or notices already being
    /// gathered: they are told together.
    Busy,
}

impl Shape {
    pub const ALL: [Self; 3] = [Self::Pair, Self::Small, Self::Busy];

    /// The shape of a room of `members` (counting the one who just came, not
    /// the one who just went), with notices `gathering` or not.
    pub fn of(pair: bool, members: usize, big_room: usize, gathering: bool) -> Self {
        if pair {
            Self::Pair
        } else if members > big_room || gathering {
            Self::Busy
        } else {
            Self::Small
        }
    }
}

/// What an arrival or a departure announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Nothing: two strangers are told of each other by the pairing notice.
    Silent,
    /// "Ann joined" or "Ann left", now.
    Now,
    /// Kept for the next gathered notice.
    Gather,
    /// "The stranger left", offering the one who stays a new stranger.
    StrangerLeft,
}

/// What an arrival (`joined`) or a departure announces in a room of `shape`.
pub fn notice(joined: bool, shape: Shape) -> Notice {
    match (shape, joined) {
        (Shape::Pair, true) => Notice::Silent,
        (Shape::Pair, false) => Notice::StrangerLeft,
        (Shape::Small, _) => Notice::Now,
        (Shape::Busy, _) => Notice::Gather,
    }
}

/// The names a gathered notice spells out (at most `shown`), and how many
/// more it counts; `None` when nobody is to be told of.
pub fn spell(mut names: Vec<Name>, shown: usize) -> Option<(Vec<Name>, usize)> {
    if names.is_empty() {
        return None;
    }
    // "Ann and Bob joined" reads better than "Ann and 1 other joined".
    let spelled = if names.len() <= shown + 1 {
        names.len()
    } else {
        shown.max(1)
    };
    let more = names.len() - spelled;
    names.truncate(spelled);
    Some((names, more))
}

/// Whether someone waiting for a stranger (and matched to nobody yet) can
/// be paired now: a waiting page of theirs is `open_now`, or none was ever
/// `opened` (a page that has yet to load is not passed over). Nobody is
/// paired with a page that was closed. Those ready are paired in the order
/// they came, the two who waited longest first.
pub fn ready(opened: bool, open_now: bool) -> bool {
    open_now || !opened
}

/// Who a room lets in: anyone, or only the two strangers it was made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Open,
    Only([MemberId; 2]),
}

/// The pass that opens an open door, whoever holds it.
const ANYONE: &str = "*";

impl Door {
    pub fn of(pair: Option<[MemberId; 2]>) -> Self {
        pair.map_or(Self::Open, Self::Only)
    }

    /// The passes that open this door. The Redis store writes them with the
    /// room and tests a person's passes against them in the same step as it
    /// looks the room up.
    pub fn passes(&self) -> Vec<String> {
        match self {
            Self::Open => vec![ANYONE.to_owned()],
            Self::Only(two) => two.iter().map(|m| m.0.to_string()).collect(),
        }
    }

    /// Whether `member` (`None`: someone without a session) may enter.
    pub fn admits(&self, member: Option<MemberId>) -> bool {
        let held = passes_of(member);
        self.passes().iter().any(|pass| held.contains(pass))
    }
}

/// The passes a person holds: the one for anyone, and their own.
pub fn passes_of(member: Option<MemberId>) -> Vec<String> {
    let mut passes = vec![ANYONE.to_owned()];
    passes.extend(member.map(|m| m.0.to_string()));
    passes
}

/// What two names share when they would read as one in a room: the name in
/// compatibility form (NFKC: "ｅ" and "e", "é" as one character or as "e"
/// and an accent), in lower case, without the characters that show nothing
/// (zero-width spaces and joiners, soft hyphens, variation selectors), its
/// spaces as one. A store keeps a room's names by this key.
pub fn name_key(name: &Name) -> String {
    text_key(name.as_str())
}

/// `name_key` of any text (a name as typed in a message).
fn text_key(text: &str) -> String {
    let shown: String = text
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_whitespace() || !is_invisible(*c) || is_mark(*c))
        .collect();
    let folded: String = shown.nfkc().collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Combining accents show on the letter before them: they tell names apart.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Whether no two people in a room may go by names with one `name_key`:
/// true in every room but two strangers' (`pair`), where the one other than
/// the stranger is the person reading, whose own messages say "You", so a
/// shared name misleads nobody and pairing goes on.
pub fn names_unique(pair: bool) -> bool {
    !pair
}

/// Most people one session may ignore at once; the oldest ignored goes
/// first when one more is ignored.
pub const MAX_IGNORED: usize = 100;
/// Most sessions whose ignore lists (and, apart, blocks) a store in one
/// server's memory keeps: past that, the list changed longest ago is let
/// go, so that fresh sessions cannot fill the memory.
pub const KEPT_LISTS: usize = 10_000;
/// How long a shared store keeps a session's ignore list after its last
/// change: as long as the session's cookie lives.
pub const KEEP_IGNORED: Duration = Duration::from_secs(30 * 86_400);

/// Whose a log item is and who it reaches: a message is its author's, and
/// reaches only its author while they are `muted` (and so does what stands
/// in its place once deleted); a notice naming one
/// person (`one`, the seed of who joined, left or was renamed) is theirs; a
/// notice of many, or of a pair, is nobody's and reaches everyone.
pub fn reach(event: &Event, one: Option<&Seed>, muted: bool) -> Reach {
    let whose = match event {
        // What stands in a deleted message's place reaches whom it reached.
        Event::Message {
            author, mentions, ..
        } => {
            return Reach {
                whose: Some(author.seed.clone()),
                only_whose: muted,
                mentions: mentions.iter().map(|a| a.seed.clone()).collect(),
            };
        }
        Event::Deleted { author, .. } => {
            return Reach {
                whose: Some(author.seed.clone()),
                only_whose: muted,
                mentions: Default::default(),
            };
        }
        Event::Joined { names, more, .. } | Event::Left { names, more, .. } => {
            one.filter(|_| names.len() == 1 && *more == 0)
        }
        Event::Renamed { .. } | Event::StrangerLeft { .. } => one,
        Event::Paired { .. } | Event::Changed { .. } => None,
    };
    Reach {
        whose: whose.cloned(),
        only_whose: false,
        mentions: Default::default(),
    }
}

/// Most strangers one session may block; past that, one blocked before is
/// let go.
pub const MAX_BLOCKED: usize = 100;

/// Whether two waiting strangers may be paired: not when either blocked
/// the other (`pair.lua` writes this rule in Lua, inside its atomic step).
pub fn may_pair(a_blocked_b: bool, b_blocked_a: bool) -> bool {
    !a_blocked_b && !b_blocked_a
}

/// Whether a session muted `until` is muted at `now`: a mute ends by itself.
/// (`say.lua` makes the same comparison, in the step that appends.)
pub fn muted<T: PartialOrd>(until: Option<T>, now: T) -> bool {
    until.is_some_and(|until| now < until)
}

/// Whether `me` may ignore `them`: not oneself.
pub fn may_ignore(me: &Seed, them: &Seed) -> Result<(), ChatError> {
    if me == them {
        return Err(ChatError::IgnoreSelf);
    }
    Ok(())
}

/// Who owns a room after `leaving` goes for good: the one who owned it
/// before, unless it was `leaving`; then the longest present of those who
/// stay (`present`, in order of arrival, `leaving` among them or not), or
/// nobody. `Some(new)` when the owner changes (and so is told), `None` when
/// it stays. A room nobody owned (public, random chat) stays so. The Redis
/// store's `leave.lua` takes the first of the room's present set, ordered by
/// arrival, when Rust says the owner is handed over: this rule, in Lua.
pub fn next_owner(
    owner: Option<MemberId>,
    leaving: MemberId,
    present: &[MemberId],
) -> Option<Option<MemberId>> {
    (owner == Some(leaving)).then(|| present.iter().copied().find(|m| *m != leaving))
}

/// Whether `member` may come into a room: not if its owner `removed` them;
/// not if it is `locked` and they are not already a `member` (one in their
/// grace period is not new). `Ok` says nothing of its door or its size.
pub fn may_enter(
    code: &RoomCode,
    is_member: bool,
    locked: bool,
    removed: bool,
) -> Result<(), ChatError> {
    if removed {
        return Err(ChatError::Removed);
    }
    if locked && !is_member {
        return Err(ChatError::Locked(code.clone()));
    }
    Ok(())
}

/// Whether a member may post in a room now (`now_ms`): not while it is
/// read-only (until `read_only_ms`), nor sooner than `slow_ms` after their
/// last message there (`last_ms`), which is the usual too-fast refusal with
/// its wait. `say.lua` makes the same two comparisons with the numbers Rust
/// hands it.
pub fn may_post(
    now_ms: i64,
    read_only_ms: Option<i64>,
    slow_ms: Option<i64>,
    last_ms: Option<i64>,
) -> Result<(), ChatError> {
    if let Some(until) = read_only_ms.filter(|until| *until > now_ms) {
        return Err(ChatError::ReadOnly(from_ms(until)));
    }
    if let (Some(every), Some(last)) = (slow_ms, last_ms) {
        let wait = last.saturating_add(every).saturating_sub(now_ms);
        if wait > 0 {
            return Err(ChatError::TooFast(Duration::from_millis(wait as u64)));
        }
    }
    Ok(())
}

/// Whether a ban that lasts `until_ms` (of the session or of its address)
/// still holds at `now_ms`: the refusal it is, or `Ok`.
pub fn may_act(now_ms: i64, until_ms: Option<i64>) -> Result<(), ChatError> {
    match until_ms.filter(|until| *until > now_ms) {
        Some(until) => Err(ChatError::Banned(from_ms(until))),
        None => Ok(()),
    }
}

/// A time in milliseconds since 1970 as a date and time (UTC).
pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A date and time in milliseconds since 1970.
/// Whether a member's last post at `last_ms` still holds back their next
/// under slow mode (`slow_ms`): kept through a leave while it does, so that
/// leaving and coming back is no way around the pace (`leave_member` in
/// `prelude.lua` writes this rule in Lua).
pub fn still_paced(now_ms: i64, slow_ms: Option<i64>, last_ms: i64) -> bool {
    slow_ms.is_some_and(|every| last_ms.saturating_add(every) > now_ms)
}

pub fn to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;

mod mentions;
pub use mentions::{MENTIONS_MAX, mention_spans, mentions};

mod reading;
pub use reading::{
    KEEP_SEEN, KEPT_SEEN, SEEN_EVERY, TYPING_EVERY, TYPING_PER_ADDRESS, TYPING_PER_MINUTE,
    TYPING_SHOWN, first_unseen, moves_seen,
};
