//! What happens in a room (`Event`), how it is numbered (`EventId`) and the
//! rendered form every stream shares (`Frame`). Rendering itself is left to
//! whoever implements `Render`: the domain only carries the bytes.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::code::RoomCode;
use super::control::Change;
use super::name::{MessageText, Name};
use crate::look::{self, Look};

/// Where an event stands in its room: `{epoch}-{seq}`. The epoch changes when a
/// room is made anew (after it was dropped, or after a restart), so an id from
/// an earlier life of a room is never mistaken for one of this life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId {
    pub epoch: u64,
    pub seq: u64,
}

impl EventId {
    /// The id before the first event of a room born at `epoch`.
    pub fn start(epoch: u64) -> Self {
        Self { epoch, seq: 0 }
    }

    pub fn next(self) -> Self {
        Self {
            epoch: self.epoch,
            seq: self.seq + 1,
        }
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.epoch, self.seq)
    }
}

impl FromStr for EventId {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (epoch, seq) = s.trim().split_once('-').ok_or(())?;
        Ok(Self {
            epoch: epoch.parse().map_err(|_| ())?,
            seq: seq.parse().map_err(|_| ())?,
        })
    }
}

/// A member's identity: the session, not the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemberId(pub Uuid);

impl MemberId {
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }
}

/// The public, per-member seed of an avatar: 16 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Seed(String);

impl Seed {
    pub fn random() -> Self {
        Self(format!("{:016x}", rand::random::<u64>()))
    }

    pub fn parse(input: &str) -> Option<Self> {
        let valid = input.len() == 16
            && input
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a person is in the rooms: identity, the name they go by, avatar seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub name: Name,
    pub seed: Seed,
}

impl Member {
    pub fn author(&self) -> Author {
        Author {
            name: self.name.clone(),
            seed: self.seed.clone(),
        }
    }
}

/// How a member appears next to what they said: name and avatar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub name: Name,
    pub seed: Seed,
}

/// Something that happened in a room and goes into its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Message {
        author: Author,
        text: MessageText,
        at: OffsetDateTime,
        /// The present people it mentions (`rules::mentions`), decided as
        /// it is numbered.
        mentions: Vec<Author>,
    },
    /// One or more members arrived; `more` counts those not named.
    Joined {
        names: Vec<Name>,
        more: usize,
        at: OffsetDateTime,
    },
    /// One or more members left; `more` counts those not named.
    Left {
        names: Vec<Name>,
        more: usize,
        at: OffsetDateTime,
    },
    Renamed {
        from: Name,
        to: Name,
        at: OffsetDateTime,
    },
    /// Two strangers were paired into this room.
    Paired {
        names: [Name; 2],
        at: OffsetDateTime,
    },
    /// One of a pair left the room `code`; the other may find a new stranger.
    StrangerLeft {
        name: Name,
        code: RoomCode,
        at: OffsetDateTime,
    },
    /// The owner or a moderator changed how the room works (see `Change`).
    Changed { change: Change, at: OffsetDateTime },
    /// What stands in the place of a message that was deleted: its author
    /// and time stay (so the items around it keep their places), its text
    /// is gone. `moderator`: removed by a moderator, not by its author.
    Deleted {
        author: Author,
        at: OffsetDateTime,
        moderator: bool,
    },
}

impl Event {
    /// When it happened.
    pub fn at(&self) -> OffsetDateTime {
        match self {
            Self::Message { at, .. }
            | Self::Joined { at, .. }
            | Self::Left { at, .. }
            | Self::Renamed { at, .. }
            | Self::Paired { at, .. }
            | Self::StrangerLeft { at, .. }
            | Self::Changed { at, .. }
            | Self::Deleted { at, .. } => *at,
        }
    }

    /// Who said it, for a message (deleted or not); `None` for a notice.
    pub fn author(&self) -> Option<&Author> {
        match self {
            Self::Message { author, .. } | Self::Deleted { author, .. } => Some(author),
            _ => None,
        }
    }
}

/// Where an item stands among the items before it in its log, decided
/// (`rules::place`) while it is numbered, so that it is rendered once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// The first item of its day (UTC) in the log: a day divider goes before it.
    pub new_day: bool,
    /// A message that follows one of the same author closely, with nothing
    /// between: shown without name and avatar (the name still read).
    pub grouped: bool,
    /// When the item before it happened (`None`: it is the first, or what
    /// came before could not be read), so that a reader whose days are not
    /// UTC's is shown the dividers of their own days.
    pub before: Option<OffsetDateTime>,
}

/// Who is present in a room: the first names in order of arrival, and how many in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Online {
    pub members: Vec<Author>,
    pub total: usize,
    /// The room's owner, when it has one and they are present.
    pub owner: Option<Seed>,
}

/// What kind of update a frame carries; streams treat them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A message or notice: kept in history, sent once to each stream.
    Log,
    /// The Online list: never kept, always the latest sent.
    Online,
    /// The whole log at once, for a stream that fell too far behind.
    Resync,
    /// A line about the stream itself (the store is reconnecting, or is back):
    /// never kept, and no log item.
    Status,
    /// A message was deleted: the frame puts the item that stands in its
    /// place (kept in history already) on pages that show the message. Kept
    /// and numbered like a log item, so a resuming stream gets it in order,
    /// but no item of its own: a page load shows nothing for it.
    Deletion,
    /// "Ann is typing…" in random chat: never kept nor numbered, shown to
    /// everyone but the typer (`reach.whose`) and whoever ignores them.
    Typing,
}

/// An event rendered once for every stream: `sse` is the whole `text/event-stream`
/// message (with its `id:` line), `html` the bare log item (empty for others),
/// and `divider` the day divider that goes before it (empty when the item
/// does not open a day). `day` is the day of a log item's event (UTC's, or
/// that of the look it was rendered for), so that
/// a page rendered for one reader can say its dividers its own way
/// ("Today") without reading the bytes back. `reach` says whose the item is
/// and who it reaches, so that each reader's stream may skip it
/// (`ignore::View::shows`) without rendering anything again.
#[derive(Clone, Debug)]
pub struct Frame {
    pub id: EventId,
    pub kind: FrameKind,
    pub sse: Bytes,
    pub html: Bytes,
    pub divider: Bytes,
    pub day: Option<Date>,
    /// Where a log item stands among the items before it, kept so the item
    /// that stands in a deleted message's place is rendered in the same one.
    pub place: Place,
    pub reach: Reach,
    /// The same frame for readers of another look (`for_look`).
    pub looks: Looks,
}

/// How many looks with a zone a frame keeps a render of. A look is a
/// language, a clock and a known zone, so there are a few thousand: past
/// this many, a reader of a further zone is shown the frame as rendered for
/// their language and clock in UTC (said "UTC"; those few looks are always
/// kept), so that nobody can make a room's history hold a render of every
/// look, nor make each frame rendered again for every reader by opening
/// streams of many zones.
pub const LOOKS_KEPT: usize = 16;

/// How to render a frame again for another look, and the renders made so
/// far, one per look, shared by every clone of the frame (every stream and
/// page that holds it).
#[derive(Clone, Default)]
pub struct Looks(Option<Arc<Variants>>);

type Again = dyn Fn() -> Frame + Send + Sync;

struct Variants {
    /// Renders the frame for the look in scope (`look::current`).
    again: Box<Again>,
    kept: Mutex<HashMap<Look, Arc<OnceLock<Frame>>>>,
}

impl Looks {
    /// A frame that `again` renders for the look in scope.
    pub fn new(again: impl Fn() -> Frame + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(Variants {
            again: Box::new(again),
            kept: Mutex::new(HashMap::new()),
        })))
    }

    /// The same, `counted` once for each render for another look.
    pub fn counted(self, counted: impl Fn() + Send + Sync + 'static) -> Self {
        match self.0 {
            Some(variants) => Self::new(move || {
                counted();
                (variants.again)()
            }),
            None => self,
        }
    }

    /// How many looks have a render kept.
    pub fn kept(&self) -> usize {
        self.0.as_ref().map_or(0, |variants| {
            variants
                .kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .len()
        })
    }
}

/// How many of the looks `kept` have a zone.
fn zoned(kept: &HashMap<Look, Arc<OnceLock<Frame>>>) -> usize {
    kept.keys().filter(|look| look.zone.is_some()).count()
}

impl fmt::Debug for Looks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Looks({} kept)", self.kept())
    }
}

/// Whose a log item is, and who it reaches, decided (`rules::reach`) while
/// it is numbered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// The person it is about: a message's author, the one person a join,
    /// leave or rename notice names; `None` for notices of many (or of a
    /// pair), which are nobody's.
    pub whose: Option<Seed>,
    /// It reaches only `whose` (a muted session's message).
    pub only_whose: bool,
    /// Whom a message mentions (`Event::Message.mentions`), so that each
    /// mentioned reader's stream can say so in its tab title. Shared by
    /// every clone of the frame (one per stream), never copied.
    pub mentions: Arc<[Seed]>,
}

impl Frame {
    /// A frame that is no log item, or one that opens no day and has no day
    /// to tell: no divider, no day.
    pub fn new(id: EventId, kind: FrameKind, sse: Bytes, html: Bytes) -> Self {
        Self {
            id,
            kind,
            sse,
            html,
            divider: Bytes::new(),
            day: None,
            place: Place::default(),
            reach: Reach::default(),
            looks: Looks::default(),
        }
    }

    /// This frame as readers of `look` are shown it: itself for the
    /// default look (the eager render) or a frame that reads the same for
    /// everyone; else its render for `look`, made once by the first reader
    /// of that look and shared by the others. What it is (id, kind, reach,
    /// place) stays this frame's.
    pub fn for_look(&self, look: &Look) -> Frame {
        let Some(variants) = self.looks.0.as_ref().filter(|_| *look != Look::default()) else {
            return self.clone();
        };
        let slot = {
            let mut kept = variants
                .kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match kept.get(look) {
                Some(slot) => Some(slot.clone()),
                // A zone-less look (one per language and clock) is always
                // kept: it is where the readers of further zones go.
                None if look.zone.is_none() || zoned(&kept) < LOOKS_KEPT => {
                    let slot = Arc::new(OnceLock::new());
                    kept.insert(look.clone(), slot.clone());
                    Some(slot)
                }
                None => None,
            }
        };
        let Some(slot) = slot else {
            // Past the zones kept: this reader's language and clock, in UTC.
            let utc = Look {
                zone: None,
                ..look.clone()
            };
            return self.for_look(&utc);
        };
        // Rendered outside the lock; a second reader of the same look waits
        // for the first one's render.
        let again = slot
            .get_or_init(|| look::render_with(look, || (variants.again)()))
            .clone();
        Frame {
            sse: again.sse,
            html: again.html,
            divider: again.divider,
            day: again.day,
            ..self.clone()
        }
    }
}

/// Turns events into frames. Implemented by the views; the domain calls it
/// exactly once per event, while the event is numbered.
pub trait Render: Send + Sync + 'static {
    /// A new item of `room`'s log, standing at `place` after the one before.
    fn log_item(&self, room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame;
    /// `room`'s Online list.
    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame;
    /// `room`'s whole kept log at once, for a stream that fell behind.
    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame;
    /// A status line for the page (empty `text` clears it).
    fn status(&self, last: EventId, text: &str) -> Frame;
    /// The frame `id` that tells pages a message was deleted: `item` (what
    /// now stands in its place, rendered by `log_item`) replaces it. Kind
    /// `Deletion`, no item of its own.
    fn deletion(&self, room: &RoomCode, id: EventId, item: &Frame) -> Frame {
        let _ = room;
        Frame::new(id, FrameKind::Deletion, item.html.clone(), Bytes::new())
    }
    /// The line that tells the others in `room` that `who` is typing (kind
    /// `Typing`, after `last`); the store says whose it is.
    fn typing(&self, room: &RoomCode, last: EventId, who: &Author) -> Frame {
        let _ = room;
        let text = Bytes::from(format!("typing {}", who.name));
        Frame::new(last, FrameKind::Typing, text, Bytes::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = EventId { epoch: 17, seq: 42 };
        assert_eq!(id.to_string().parse::<EventId>(), Ok(id));
        assert!("17".parse::<EventId>().is_err());
        assert!("a-1".parse::<EventId>().is_err());
        assert!("1-".parse::<EventId>().is_err());
    }

    #[test]
    fn ids_order_by_epoch_then_seq() {
        let a = EventId::start(5).next();
        assert!(a.next() > a);
        assert!(EventId::start(6) > a.next().next());
    }

    #[test]
    fn seeds_are_hex_of_fixed_length() {
        let seed = Seed::random();
        assert_eq!(Seed::parse(seed.as_str()), Some(seed));
        assert!(Seed::parse("../../etc/passwd").is_none());
        assert!(Seed::parse("ABCDEF0123456789").is_none());
    }
}
