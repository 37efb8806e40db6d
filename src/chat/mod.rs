//! The chat domain: rooms, presence, history and names. It knows nothing of
//! HTTP or HTML: handlers ask it through the `Store` traits, and it hands back
//! frames that a `Render` (the views) made.

pub mod clock;
pub mod code;
pub mod control;
mod counted;
pub mod event;
pub mod ignore;
pub mod log;
pub mod memory;
pub mod name;
pub mod pair;
pub mod rate;
pub mod reading;
pub mod redis;
pub mod room;
pub mod rules;
pub mod safety;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{broadcast, watch};

pub use clock::Clock;
pub use code::RoomCode;
pub use control::{Change, RoomRules};
pub use event::{
    Author, Event, EventId, Frame, FrameKind, LOOKS_KEPT, Looks, Member, MemberId, Online, Place,
    Reach, Render, Seed,
};
pub use ignore::View;
pub use name::{MessageText, Name, TextError};
pub use pair::Pairing;
pub use reading::Reading;
pub use safety::{
    Action, Control, Deleter, LiveRoom, Messages, NewReport, Person, Report, ReportReason, Reports,
    Said,
};

/// The store every handler talks to; `Arc` makes it a cheap handle.
pub type Chat = Arc<dyn Store>;

/// Why the chat could not do what was asked; the words are shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatError {
    /// Nothing is at that code (what was typed, as typed).
    NoSuchRoom(String),
    /// Only members may do that, and this one is not (or no longer) in the room.
    NotMember,
    /// Posting too fast: try again after this long.
    TooFast(Duration),
    /// No free code could be found for a new room.
    Full,
    /// The queue for a random stranger holds as many as it may.
    QueueFull,
    /// The room has as many members as it may.
    RoomFull,
    /// The member has as many streams open as they may.
    TooManyStreams,
    /// The shared store cannot be reached just now; nothing was done.
    Unavailable,
    /// One client address started too many sessions: try again after this long.
    SessionsFromAddress(Duration),
    /// One client address posted too many messages: try again after this long.
    MessagesFromAddress(Duration),
    /// One client address made too many private rooms: try again after this long.
    RoomsFromAddress(Duration),
    /// One client address holds as many private rooms as it may.
    RoomsHeld,
    /// One client address queued for strangers too often: try again after this long.
    PairsFromAddress(Duration),
    /// One member sent too many reports: try again after this long.
    TooManyReports(Duration),
    /// One client address sent too many reports: try again after this long.
    ReportsFromAddress(Duration),
    /// One client address tried to sign in at the console too often: try
    /// again after this long.
    SignInsFromAddress(Duration),
    /// Someone else in the room goes by this name, or one that reads the
    /// same (`rules::name_key`).
    NameTaken(Name),
    /// A person tried to ignore themselves.
    IgnoreSelf,
    /// Only the room's owner may do that.
    NotOwner,
    /// The room's owner removed this member: they may not come back.
    Removed,
    /// The room is locked: nobody new may join it.
    Locked(RoomCode),
    /// This session or its address may not join or post until then.
    Banned(time::OffsetDateTime),
    /// Nobody may post in this room until then.
    ReadOnly(time::OffsetDateTime),
    /// The owner asked to remove themselves.
    RemoveSelf,
    /// No message with that id is kept in the room.
    NoSuchMessage,
    /// A message may be deleted by its author only.
    NotYours,
    /// Its author may delete a message only within `rules::DELETE_WITHIN`.
    TooLateToDelete,
    /// Only a random-chat room tells who is typing.
    NoTyping,
    /// One member or client address sent too many typing signals: try
    /// again after this long.
    TypingTooOften(std::time::Duration),
}

impl std::fmt::Display for ChatError {
    /// The refusal's words, in the language of the reader it is said to.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::t;
        let words = match self {
            Self::NoSuchRoom(typed) if typed.trim().is_empty() => t!("chat-enter-code"),
            Self::NoSuchRoom(typed) => t!("chat-no-such-room", code = typed.trim()),
            Self::NotMember => t!("chat-not-member"),
            Self::TooFast(_)
            | Self::SessionsFromAddress(_)
            | Self::MessagesFromAddress(_)
            | Self::RoomsFromAddress(_)
            | Self::PairsFromAddress(_)
            | Self::TooManyReports(_)
            | Self::ReportsFromAddress(_)
            | Self::SignInsFromAddress(_)
            | Self::TypingTooOften(_) => {
                return self.waiting().map_or(Ok(()), |w| w.fmt(f));
            }
            Self::Full => t!("chat-full"),
            Self::QueueFull => t!("chat-queue-full"),
            Self::RoomFull => t!("chat-room-full"),
            Self::TooManyStreams => t!("chat-too-many-streams"),
            Self::Unavailable => t!("chat-unavailable"),
            Self::NameTaken(name) => t!("chat-name-taken", name = name),
            Self::IgnoreSelf => t!("chat-ignore-self"),
            Self::NoSuchMessage => t!("chat-no-such-message"),
            Self::NotYours => t!("chat-not-yours"),
            Self::TooLateToDelete => t!(
                "chat-too-late-to-delete",
                minutes = rules::DELETE_WITHIN.as_secs() / 60
            ),
            Self::RoomsHeld => t!("chat-rooms-held"),
            Self::NotOwner => t!("chat-not-owner"),
            Self::Removed => t!("chat-removed"),
            Self::Locked(code) => t!("chat-locked", code = code),
            Self::Banned(until) => t!("chat-banned", until = control::clock_words(*until)),
            Self::ReadOnly(until) => t!("chat-read-only", until = control::clock_words(*until)),
            Self::RemoveSelf => t!("chat-remove-self"),
            Self::NoTyping => t!("chat-no-typing"),
        };
        f.write_str(&words)
    }
}

/// A refusal that asks to wait: what was refused, how long, and what to do
/// then. Shown as "{why}: wait {n} s and {then}"; a page that does not
/// change by itself says the clock time instead (`views::errors::until`).
/// `why` and `then` are catalogue keys (`crate::key!`), said in the
/// language of the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub why: &'static str,
    pub wait: Duration,
    pub then: &'static str,
}

impl ChatError {
    /// The wait this refusal asks for, if it asks for one.
    pub fn waiting(&self) -> Option<Waiting> {
        let (why, wait, then) = match self {
            Self::TooFast(wait) => (
                crate::key!("wait-why-too-fast"),
                wait,
                crate::key!("wait-then-send"),
            ),
            Self::SessionsFromAddress(wait) => (
                crate::key!("wait-why-sessions"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::MessagesFromAddress(wait) => (
                crate::key!("wait-why-messages"),
                wait,
                crate::key!("wait-then-send"),
            ),
            Self::RoomsFromAddress(wait) => (
                crate::key!("wait-why-rooms"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::PairsFromAddress(wait) => (
                crate::key!("wait-why-pairs"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::TooManyReports(wait) => (
                crate::key!("wait-why-reports"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::ReportsFromAddress(wait) => (
                crate::key!("wait-why-reports-address"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::SignInsFromAddress(wait) => (
                crate::key!("wait-why-sign-ins"),
                wait,
                crate::key!("wait-then-try"),
            ),
            Self::TypingTooOften(wait) => (
                crate::key!("wait-why-typing"),
                wait,
                crate::key!("wait-then-try"),
            ),
            _ => return None,
        };
        Some(Waiting {
            why,
            wait: *wait,
            then,
        })
    }
}

impl std::fmt::Display for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self { why, wait, then } = self;
        let words = crate::t!(
            "wait-for",
            why = crate::i18n::say(why),
            n = whole_seconds(*wait),
            then = crate::i18n::say(then)
        );
        f.write_str(&words)
    }
}

/// Whole seconds to wait, rounded up, at least one: how every refusal says
/// how long to wait.
pub fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// A public room as the home page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomSummary {
    pub code: RoomCode,
    pub members: usize,
}

/// What a page load shows: the log so far, its last id, and who is present.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub code: RoomCode,
    pub public: bool,
    /// A random-chat room of two strangers: the page names the other one
    /// (from `online`) and offers no link to share.
    pub pair: bool,
    pub items: Vec<Frame>,
    pub last: EventId,
    pub online: Online,
}

/// Counters for `/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub rooms: usize,
    pub members: usize,
    pub streams: usize,
    pub messages: u64,
    pub renders: u64,
    /// Whole logs rendered for streams that fell behind: once per state of a log.
    pub resyncs: u64,
    /// People waiting for a random stranger.
    pub queue: usize,
}

/// What a person means to do with a room, as [`Doors::leads`] is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Enter it (its page, a join): it exists and admits them. A random-chat
    /// room admits only its two strangers.
    Enter,
    /// Use it as a member (its stream, log document, title, a post, leaving):
    /// they are in it now.
    Member,
}

/// An open stream's hold on a room. The member counts as present while it is
/// alive; dropping it starts the grace period.
pub struct Subscription {
    /// Whose stream it is.
    pub member: MemberId,
    /// Frames to send before anything else: what was missed, and the Online list.
    pub backlog: Vec<Frame>,
    /// Everything published from now on.
    pub rx: broadcast::Receiver<Frame>,
    /// Ends (its sender is dropped) when the member leaves the room.
    pub here: watch::Receiver<()>,
    /// Keeps the member present; its `Drop` starts the grace period.
    pub guard: Box<dyn Send + Sync>,
    /// What this reader is shown, changed (on every server) when whom they
    /// ignore changes: the stream skips what it is not shown.
    pub view: watch::Receiver<View>,
}

/// An open waiting page's hold on the queue. The member stays queued while it
/// is alive; dropping it starts the grace period.
pub struct PairWatch {
    /// Becomes `Some(room)` when the member is matched.
    pub matched: watch::Receiver<Option<RoomCode>>,
    /// Keeps the member queued; its `Drop` starts the grace period.
    pub guard: Box<dyn Send + Sync>,
}

/// Everything handlers may ask of the chat, in memory (`memory`) for one
/// server or shared by several servers through Redis (`redis`): its rooms'
/// doors ([`Doors`]), life in a room ([`Rooms`]) and the stranger queue
/// ([`Strangers`]), with what a whole store answers for. Limits per client
/// address are not in it: they come from [`Limits`].
#[async_trait]
pub trait Store: Doors + Rooms + Strangers + Messages + Control + Reports + Reading {
    /// Counters for `/metrics`.
    async fn stats(&self) -> Stats;
    /// Whether the store can serve: `Err` says what is wrong (for `/healthz`).
    async fn health(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Which rooms there are and who may go in: listing, making and finding
/// rooms, and the code door with its count of wrong codes.
#[async_trait]
pub trait Doors: Send + Sync + 'static {
    /// Public rooms in configured order, with member counts.
    async fn public_rooms(&self) -> Vec<RoomSummary>;
    /// Makes a private room with a fresh code and puts `member` in it. The
    /// room counts against `holder` (a client address) until it closes;
    /// `RoomsHeld` when the holder has as many open as it may.
    async fn create_room(
        &self,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError>;
    /// Finds the room a person means by what they typed: a code or a public slug.
    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError>;
    /// Whether `code` leads to a room that `member` (`None`: someone with no
    /// session) may use as `access` says. One look-up, the same whatever the
    /// answer, so that nobody can tell a missing room from one they may not
    /// use (see `http::door`).
    async fn leads(
        &self,
        code: &RoomCode,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<bool, ChatError>;
    /// One try at a room code by `keys` (a client address, a member; see
    /// `http::door`): `Ok(Err(wait))` when one of them has used up its
    /// misses (`Settings::guesses`, counted where this store keeps its
    /// state); else whether `code` (`None`: not a code at all) leads where
    /// `member` may go as `access` says, a miss counted against every key in
    /// the same step. A hit counts nothing, not even for a moment, so many
    /// right codes at once from one address are never taken for a guesser's
    /// burst; nor does a miss at a public room (not being in it, as after a
    /// restart), whose code is no secret.
    async fn try_code(
        &self,
        keys: &[rate::Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<Result<bool, Duration>, ChatError>;
}

/// Life in a room: entering, its stream, posting, leaving and names.
#[async_trait]
pub trait Rooms: Send + Sync + 'static {
    /// Puts `member` in the room (announcing it if new) and returns what the page shows.
    async fn enter(&self, code: &RoomCode, member: &Member) -> Result<Snapshot, ChatError>;
    /// Opens a stream for a member, resuming after `after` when given.
    async fn subscribe(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError>;
    /// The whole log in one frame as `view` is shown it, for a stream that
    /// fell behind, with a new receiver that starts right after it: no gap,
    /// and no backlog to lag on.
    async fn resync(
        &self,
        code: &RoomCode,
        view: &View,
    ) -> Option<(Frame, broadcast::Receiver<Frame>)>;
    /// Posts a message from a present member.
    async fn post(
        &self,
        code: &RoomCode,
        member: MemberId,
        text: MessageText,
    ) -> Result<(), ChatError>;
    /// The member leaves now; their streams end.
    async fn leave(&self, code: &RoomCode, member: MemberId) -> Result<(), ChatError>;
    /// The member now goes by `to` in every room they are in; each room is told.
    async fn rename(&self, member: MemberId, to: &Name) -> Result<(), ChatError>;
}

/// The queue for a random stranger.
#[async_trait]
pub trait Strangers: Send + Sync + 'static {
    /// Queues `member` for a random stranger (keeping their place if they
    /// already wait) and pairs whoever can be paired, first come, first served.
    async fn queue(&self, member: &Member) -> Result<Pairing, ChatError>;
    /// The member leaves the queue, or forgets a match they have not followed.
    async fn cancel(&self, member: MemberId);
    /// Where the member stands with the queue, if anywhere.
    async fn pairing(&self, member: MemberId) -> Option<Pairing>;
    /// Opens a waiting page's watch on the queue; `None` when not queued.
    /// It counts as one of the member's streams while open
    /// (`TooManyStreams` when they have as many as they may).
    async fn watch_pairing(&self, member: MemberId) -> Result<Option<PairWatch>, ChatError>;
}

/// Where limits per key (a client address, a member) are counted: in this
/// server's memory (`rate::MemoryLimits`) or in Redis, shared by every
/// server (`redis::RedisLimits`). Chosen at start-up beside the store.
pub trait Limits: Send + Sync + 'static {
    /// A limiter of `limit` attempts per key in any `window` (at most
    /// `max_keys` keys where memory is the limit); `name` tells limiters apart.
    fn limiter(
        &self,
        name: &str,
        limit: usize,
        window: Duration,
        max_keys: usize,
    ) -> Arc<dyn rate::Limiter>;
    /// At most `max` places per key at once; `name` tells them apart.
    fn places(&self, name: &str, max: usize) -> Arc<dyn rate::Places>;
}

/// `Doors::try_code` as separate steps: take a try of every key, look the
/// code up, forgive the tries on a hit (or at a `public` room). Right for a
/// store in this server's memory, whose limiter and look-up never wait, so a
/// try is taken and forgiven within one poll and never holds a place while
/// others come.
pub async fn try_code_then_forgive<S: Doors + ?Sized>(
    store: &S,
    guesses: &dyn rate::Limiter,
    keys: &[rate::Key],
    code: Option<&RoomCode>,
    member: Option<MemberId>,
    access: Access,
    public: bool,
) -> Result<Result<bool, Duration>, ChatError> {
    let mut tries = Vec::with_capacity(keys.len());
    for key in keys {
        match guesses.take_scaled(&key.name, key.scale).await {
            Ok(attempt) => tries.push(attempt),
            Err(wait) => {
                tries.into_iter().for_each(rate::Attempt::forgive);
                return Ok(Err(wait));
            }
        }
    }
    let leads = match code {
        Some(code) => store.leads(code, member, access).await,
        None => Ok(false),
    };
    match leads {
        Ok(false) if !public => tries.into_iter().for_each(rate::Attempt::keep),
        _ => tries.into_iter().for_each(rate::Attempt::forgive),
    }
    leads.map(Ok)
}

#[cfg(test)]
mod tests;
