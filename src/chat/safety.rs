//! What keeps anonymous rooms safe, by who acts: each person's own filter and
//! their own messages ([`Messages`]), what a room's owner and the moderators
//! may do to who comes in and who speaks ([`Control`]), and what reaches the
//! operators ([`Reports`]). Every store keeps this state where it keeps its
//! rooms, so it acts on every server at once.
//!
//! People are named in pages by their avatar's [`Seed`] (public, one per
//! session, kept across renames); their [`MemberId`] (the session) never
//! leaves the server.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{Author, ChatError, EventId, Member, MemberId, MessageText, RoomCode, RoomRules, Seed};

/// A message as its own page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub id: EventId,
    /// Name and avatar as it was sent.
    pub author: Author,
    /// Who sent it (never shown).
    pub member: MemberId,
    /// `None` once it was deleted.
    pub text: Option<MessageText>,
    pub at: OffsetDateTime,
    /// Sent while its author was muted: it reaches only them, here too.
    pub muted: bool,
}

impl Said {
    /// Whether `reader` may see it (its own page, a report): a muted
    /// message is its author's alone.
    pub fn shown_to(&self, reader: MemberId) -> bool {
        !self.muted || self.member == reader
    }
}

/// Who deletes a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deleter {
    /// Its author, within `rules` time: shown as "Message deleted".
    Author(MemberId),
    /// A moderator, any time: shown as "Removed by a moderator".
    Moderator,
}

/// Someone in a room as their page shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub author: Author,
    /// Their session (never shown).
    pub member: MemberId,
}

/// A person's own filter and own messages.
#[async_trait]
pub trait Messages: Send + Sync + 'static {
    /// The member of `code` whose avatar is `seed`, if one is present.
    async fn person(&self, code: &RoomCode, seed: &Seed) -> Result<Option<Person>, ChatError>;

    /// One kept message of `code`'s log, deleted or not; `None` when no
    /// message with that id is kept.
    async fn message(&self, code: &RoomCode, id: EventId) -> Result<Option<Said>, ChatError>;

    /// Replaces a kept message, in history and on every open page, keeping
    /// its place.
    async fn delete(&self, code: &RoomCode, id: EventId, by: Deleter) -> Result<(), ChatError>;

    /// From now until `until` (`None`: no longer), `member`'s messages reach
    /// only `member`, who is not told.
    async fn mute(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError>;

    /// From now on, nothing of `person` (their messages, notices naming
    /// them alone) reaches `me`, in any room, on any server, whatever name
    /// they take; `IgnoreSelf` when `person` is `me`.
    async fn ignore(&self, me: &Member, person: &Author) -> Result<(), ChatError>;

    /// `me` no longer ignores the person whose avatar is `seed`.
    async fn unignore(&self, me: MemberId, seed: &Seed) -> Result<(), ChatError>;

    /// `me` blocks the stranger they were paired with in the random-chat
    /// room `code`: the two are never paired again (`rules::may_pair`).
    /// `NotMember` when `code` is no pair room of `me`'s.
    async fn block(&self, me: MemberId, code: &RoomCode) -> Result<(), ChatError>;

    /// Whom `me` ignores, oldest first, with the name each had then.
    async fn ignored(&self, me: MemberId) -> Result<Vec<Author>, ChatError>;
}

/// What a room's owner and the moderators decide about who comes in and who
/// speaks.
#[async_trait]
pub trait Control: Send + Sync + 'static {
    /// Who owns `code` now: the member who made it, then the longest
    /// present; `None` for rooms nobody owns (public and random-chat rooms).
    async fn owner(&self, code: &RoomCode) -> Result<Option<MemberId>, ChatError>;

    /// Until `until` (`None`: no longer), `member` and the client address it
    /// was last seen from may not join or post anywhere.
    async fn ban(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError>;

    /// One message per `every` per member in `code` (`None`: off).
    async fn slow_mode(&self, code: &RoomCode, every: Option<Duration>) -> Result<(), ChatError>;

    /// Nobody may post in `code` until `until` (`None`: they may again).
    async fn read_only(
        &self,
        code: &RoomCode,
        until: Option<OffsetDateTime>,
    ) -> Result<(), ChatError>;

    /// What `code`'s page shows of these decisions: its owner, whether it is
    /// locked, its slow mode, until when it is read-only.
    async fn room_rules(&self, code: &RoomCode) -> Result<RoomRules, ChatError>;

    /// `by`, the owner of `code`, removes the member whose avatar is
    /// `seed`: they leave now, their streams end, and they may not come
    /// back. `NotOwner` for anyone else, `NotMember` when nobody there has
    /// that seed, `RemoveSelf` for the owner's own.
    async fn remove(&self, code: &RoomCode, by: MemberId, seed: &Seed) -> Result<(), ChatError>;

    /// `by`, the owner of `code`, locks it (nobody new may join) or unlocks
    /// it; told in its log when it changes. `NotOwner` for anyone else.
    async fn lock(&self, code: &RoomCode, by: MemberId, locked: bool) -> Result<(), ChatError>;

    /// Whether `member`'s leaving `code` was its owner removing them (what
    /// their streams' last words say).
    async fn removed(&self, code: &RoomCode, member: MemberId) -> Result<bool, ChatError>;

    /// Before anything that joins a room or posts: `Banned` while `member`
    /// or `address` (a client address's key, `address::address_key`) is
    /// banned; else notes `address` as the one `member` was last seen from,
    /// which a ban of the member then covers.
    async fn cleared(&self, member: MemberId, address: Option<&str>) -> Result<(), ChatError>;
}

/// A report as a member makes it: the message as its page showed it
/// (`Messages::message`), in which room, why, and who reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReport {
    pub code: RoomCode,
    pub message: Said,
    pub reason: ReportReason,
    /// Who reports it (never shown).
    pub reporter: MemberId,
    pub at: OffsetDateTime,
}

/// A kept report, as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Its number in the store, for the console's forms.
    pub id: u64,
    pub code: RoomCode,
    pub message: Said,
    pub reason: ReportReason,
    pub reporter: MemberId,
    pub at: OffsetDateTime,
}

/// One thing a moderator did, as the action log keeps it: never the text of
/// a message, never a session itself (a label of it the console made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub at: OffsetDateTime,
    /// Which moderator sign-in did it (a label).
    pub moderator: String,
    /// What was done, in words ("Muted for 1 hour").
    pub what: String,
    /// To which session, by its label, if to one.
    pub session: Option<String>,
    /// In which room, if in one.
    pub room: Option<RoomCode>,
}

/// A room as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveRoom {
    pub code: RoomCode,
    pub members: usize,
    pub public: bool,
    /// A random-chat room of two strangers.
    pub pair: bool,
}

/// What reaches the operators: reports, the live rooms, and what the
/// moderators did. Reports and actions are kept where the store keeps its
/// rooms (so every server sees them), at most `rules::MAX_REPORTS` open
/// reports and the last `rules::MAX_ACTIONS` actions.
#[async_trait]
pub trait Reports: Send + Sync + 'static {
    /// Keeps `report` for the moderators: `Some(id)`, or `None` when its
    /// reporter reported that message already and that report is still
    /// open (it counts once). The oldest open report goes when there are
    /// more than `rules::MAX_REPORTS`.
    async fn report(&self, report: NewReport) -> Result<Option<u64>, ChatError>;

    /// The open reports, newest first.
    async fn reports(&self) -> Result<Vec<Report>, ChatError>;

    /// One open report.
    async fn open_report(&self, id: u64) -> Result<Option<Report>, ChatError>;

    /// Closes a report; whether it was open.
    async fn close_report(&self, id: u64) -> Result<bool, ChatError>;

    /// Adds to the action log (the oldest goes past `rules::MAX_ACTIONS`).
    async fn record(&self, action: Action) -> Result<(), ChatError>;

    /// The action log, newest first.
    async fn actions(&self) -> Result<Vec<Action>, ChatError>;

    /// The rooms open now with their member counts, busiest first, at most
    /// `rules::LIVE_ROOMS` of them.
    async fn live_rooms(&self) -> Result<Vec<LiveRoom>, ChatError>;
}

/// Why a person reports a message: the short list the message's page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportReason {
    Spam,
    Harassment,
    Hate,
    Sexual,
    Other,
}

impl ReportReason {
    pub const ALL: [Self; 5] = [
        Self::Spam,
        Self::Harassment,
        Self::Hate,
        Self::Sexual,
        Self::Other,
    ];

    /// The form value.
    pub fn value(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Harassment => "harassment",
            Self::Hate => "hate",
            Self::Sexual => "sexual",
            Self::Other => "other",
        }
    }

    /// The words the form and the console show.
    pub fn words(self) -> String {
        match self {
            Self::Spam => crate::t!("reason-spam"),
            Self::Harassment => crate::t!("reason-harassment"),
            Self::Hate => crate::t!("reason-hate"),
            Self::Sexual => crate::t!("reason-sexual"),
            Self::Other => crate::t!("reason-other"),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.value() == value)
    }
}
