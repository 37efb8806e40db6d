//! One room's state in the in-memory store: its log (`RoomLog`) and who is
//! present. Plain synchronous code, driven by the store under its lock; timers
//! and locking are the store's business.

use std::collections::{HashMap, VecDeque};

use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};

use super::code::RoomCode;
use super::event::{Author, Event, EventId, Frame, MemberId, Online, Render};
use super::log::{Missed, Resync, RoomLog};
use super::name::Name;
use super::rules::{self, Door, Notice, Shape};
use super::safety::Said;

mod said;

/// How many names the Online list shows before "and N more".
pub const ONLINE_SHOWN: usize = 100;

/// A member present in a room.
#[derive(Debug)]
struct Presence {
    author: Author,
    /// Streams open now; the member stays while this is above zero.
    streams: u32,
    /// Bumped on every change, so a grace timer started earlier can tell it is stale.
    generation: u64,
    /// Order of arrival, for the Online list.
    arrival: u64,
    /// Dropped when the member leaves: their open streams then end.
    here: watch::Sender<()>,
}

/// What a stream needs to start: what it missed (to render, if it is the
/// whole log, once the store's lock is let go), and where to listen next.
pub struct Tap {
    pub missed: Missed,
    pub online: Option<Frame>,
    pub rx: broadcast::Receiver<Frame>,
    pub here: watch::Receiver<()>,
}

impl Tap {
    /// The frames to send first (what was missed, then the Online list),
    /// the receiver for what follows, and the member's presence.
    pub fn open(
        self,
        render: &dyn Render,
    ) -> (Vec<Frame>, broadcast::Receiver<Frame>, watch::Receiver<()>) {
        let mut backlog = self.missed.frames(render);
        backlog.extend(self.online);
        (backlog, self.rx, self.here)
    }
}

/// Notices waiting to be announced as one, in a big room.
#[derive(Debug, Default)]
struct Batch {
    joined: Vec<Name>,
    left: Vec<Name>,
}

pub struct Room {
    pub code: RoomCode,
    pub public: bool,
    /// A two-person room of strangers, only for those two: no join notices,
    /// and a leave notice that offers the one who stays a new stranger.
    pub pair: Option<[MemberId; 2]>,
    log: RoomLog,
    members: HashMap<MemberId, Presence>,
    /// Who goes by each name here, by `rules::name_key`.
    names: HashMap<String, MemberId>,
    arrivals: u64,
    /// The Online list changed since `online` was rendered.
    pub online_dirty: bool,
    batch: Batch,
    big_room: usize,
    notice_names: usize,
    /// Who sent each kept message and what it said, for its own page and
    /// for deleting it (no more than the log keeps).
    said: VecDeque<Said>,
    history_len: usize,
}

impl Room {
    pub fn new(
        code: RoomCode,
        public: bool,
        epoch: u64,
        settings: &RoomSettings,
        render: &dyn Render,
    ) -> Self {
        let last = EventId::start(epoch);
        let mut log = RoomLog::new(code.clone(), last, settings.history_len);
        log.set_online(render.online(last, &Online::default()));
        Self {
            code,
            public,
            pair: None,
            log,
            members: HashMap::new(),
            names: HashMap::new(),
            arrivals: 0,
            online_dirty: false,
            batch: Batch::default(),
            big_room: settings.big_room,
            notice_names: settings.notice_names,
            said: VecDeque::new(),
            history_len: rules::history_len(settings.history_len),
        }
    }

    pub fn last(&self) -> EventId {
        self.log.last()
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Whether `member` (`None`: someone without a session) may enter.
    pub fn admits(&self, member: Option<MemberId>) -> bool {
        Door::of(self.pair).admits(member)
    }

    pub fn is_member(&self, member: MemberId) -> bool {
        self.members.contains_key(&member)
    }

    /// Whether `name` may not be taken here by `by`: someone else present
    /// goes by a name that reads the same, in a room whose names are unique
    /// (`rules::names_unique`).
    pub fn name_taken(&self, name: &Name, by: MemberId) -> bool {
        rules::names_unique(self.pair.is_some())
            && self
                .names
                .get(&rules::name_key(name))
                .is_some_and(|owner| *owner != by)
    }

    fn forget_name(&mut self, name: &Name, id: MemberId) {
        let key = rules::name_key(name);
        if self.names.get(&key) == Some(&id) {
            self.names.remove(&key);
        }
    }

    /// Numbers, renders (once), keeps and sends an event.
    pub fn publish(&mut self, render: &dyn Render, event: &Event) {
        self.log.publish(render, event);
    }

    /// Adds a member if they are not present and announces it. Returns the
    /// generation to expire them at if no stream attaches within the grace
    /// period, or `None` when they were already present.
    pub fn enter(
        &mut self,
        render: &dyn Render,
        id: MemberId,
        author: Author,
        now: OffsetDateTime,
    ) -> Option<u64> {
        if self.members.contains_key(&id) {
            return None;
        }
        let name = author.name.clone();
        self.names.insert(rules::name_key(&name), id);
        self.arrivals += 1;
        let (here, _) = watch::channel(());
        self.members.insert(
            id,
            Presence {
                author,
                streams: 0,
                generation: 0,
                arrival: self.arrivals,
                here,
            },
        );
        self.announce(render, name, true, now);
        Some(0)
    }

    /// A stream of the member opened. `None` when they are not a member.
    pub fn attach(&mut self, id: MemberId) -> Option<watch::Receiver<()>> {
        let presence = self.members.get_mut(&id)?;
        presence.streams += 1;
        presence.generation += 1;
        Some(presence.here.subscribe())
    }

    /// A stream of the member closed. Returns the generation to expire them at
    /// after the grace period, when it was their last stream.
    pub fn detach(&mut self, id: MemberId) -> Option<u64> {
        let presence = self.members.get_mut(&id)?;
        presence.streams = presence.streams.saturating_sub(1);
        presence.generation += 1;
        (presence.streams == 0).then_some(presence.generation)
    }

    /// The grace period of `generation` ran out: the member goes, unless a stream
    /// came back since. True when they left.
    pub fn expire(
        &mut self,
        render: &dyn Render,
        id: MemberId,
        generation: u64,
        now: OffsetDateTime,
    ) -> bool {
        let stale = self
            .members
            .get(&id)
            .is_none_or(|p| p.generation != generation || p.streams > 0);
        !stale && self.leave(render, id, now)
    }

    /// The member goes now; their open streams end. True when they were present.
    pub fn leave(&mut self, render: &dyn Render, id: MemberId, now: OffsetDateTime) -> bool {
        match self.members.remove(&id) {
            Some(presence) => {
                self.forget_name(&presence.author.name, id);
                self.announce(render, presence.author.name, false, now);
                true
            }
            None => false,
        }
    }

    /// The member now goes by `to`; announced, and the Online list follows.
    pub fn rename(&mut self, render: &dyn Render, id: MemberId, to: &Name, now: OffsetDateTime) {
        let Some(presence) = self.members.get_mut(&id) else {
            return;
        };
        if !rules::renames(&presence.author.name, to) {
            return;
        }
        let from = std::mem::replace(&mut presence.author.name, to.clone());
        self.forget_name(&from, id);
        self.names.insert(rules::name_key(to), id);
        self.online_dirty = true;
        self.publish(
            render,
            &Event::Renamed {
                from,
                to: to.clone(),
                at: now,
            },
        );
    }

    /// What a stream that has shown everything up to `after` must be sent first,
    /// and the receiver for what follows, taken together: no gap, no duplicate.
    pub fn tap(&mut self, after: Option<EventId>, here: watch::Receiver<()>) -> Tap {
        Tap {
            missed: self.log.missed(after),
            online: self.log.online().cloned(),
            rx: self.log.receiver(),
            here,
        }
    }

    /// The whole log, for a stream that fell too far behind (shared by every
    /// stream that asks before the log grows), and a receiver that starts
    /// right after it.
    pub fn resync(&mut self) -> (Resync, broadcast::Receiver<Frame>) {
        (self.log.resync(), self.log.receiver())
    }

    /// The message a member sends, or `false` when they are not present.
    pub fn say(
        &mut self,
        render: &dyn Render,
        id: MemberId,
        text: super::name::MessageText,
        now: OffsetDateTime,
    ) -> bool {
        let Some(presence) = self.members.get(&id) else {
            return false;
        };
        let author = presence.author.clone();
        self.publish(
            render,
            &Event::Message {
                author: author.clone(),
                text: text.clone(),
                at: now,
            },
        );
        if self.said.len() >= self.history_len {
            self.said.pop_front();
        }
        self.said.push_back(Said {
            id: self.last(),
            author,
            member: id,
            text: Some(text),
            at: now,
        });
        true
    }

    /// The log as it stands, for a page load.
    pub fn history(&self) -> Vec<Frame> {
        self.log.history()
    }

    /// Who is present: the first `ONLINE_SHOWN` by arrival, and the total.
    pub fn online(&self) -> Online {
        let mut present: Vec<&Presence> = self.members.values().collect();
        present.sort_unstable_by_key(|p| p.arrival);
        Online {
            members: present
                .iter()
                .take(ONLINE_SHOWN)
                .map(|p| p.author.clone())
                .collect(),
            total: present.len(),
        }
    }

    /// Renders the Online list anew and sends it, if it changed.
    pub fn flush_online(&mut self, render: &dyn Render) {
        if !self.online_dirty {
            return;
        }
        self.online_dirty = false;
        let frame = render.online(self.last(), &self.online());
        self.log.set_online(frame);
    }

    /// Announces batched joins and leaves as one notice each. True when any were sent.
    pub fn flush_batch(&mut self, render: &dyn Render, now: OffsetDateTime) -> bool {
        let batch = std::mem::take(&mut self.batch);
        let sent = !batch.joined.is_empty() || !batch.left.is_empty();
        if let Some((names, more)) = rules::spell(batch.joined, self.notice_names) {
            self.publish(
                render,
                &Event::Joined {
                    names,
                    more,
                    at: now,
                },
            );
        }
        if let Some((names, more)) = rules::spell(batch.left, self.notice_names) {
            self.publish(
                render,
                &Event::Left {
                    names,
                    more,
                    at: now,
                },
            );
        }
        sent
    }

    pub fn has_batch(&self) -> bool {
        !self.batch.joined.is_empty() || !self.batch.left.is_empty()
    }

    /// Announces an arrival or a departure as the rules say for the room's shape.
    fn announce(&mut self, render: &dyn Render, name: Name, joined: bool, now: OffsetDateTime) {
        self.online_dirty = true;
        let shape = Shape::of(
            self.pair.is_some(),
            self.members.len(),
            self.big_room,
            self.has_batch(),
        );
        let event = match rules::notice(joined, shape) {
            Notice::Silent => return,
            Notice::Gather => {
                let list = if joined {
                    &mut self.batch.joined
                } else {
                    &mut self.batch.left
                };
                list.push(name);
                return;
            }
            Notice::StrangerLeft => Event::StrangerLeft {
                name,
                code: self.code.clone(),
                at: now,
            },
            Notice::Now if joined => Event::Joined {
                names: vec![name],
                more: 0,
                at: now,
            },
            Notice::Now => Event::Left {
                names: vec![name],
                more: 0,
                at: now,
            },
        };
        self.publish(render, &event);
    }
}

/// The per-room settings the store passes down.
#[derive(Clone, Debug)]
pub struct RoomSettings {
    pub history_len: usize,
    pub big_room: usize,
    /// How many names a gathered notice spells out (`rules::NOTICE_NAMES`).
    pub notice_names: usize,
}
