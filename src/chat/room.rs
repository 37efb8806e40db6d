//! One room's state in the in-memory store: its log (`RoomLog`) and who is
//! present. Plain synchronous code, driven by the store under its lock; timers
//! and locking are the store's business.

use std::collections::{HashMap, HashSet, VecDeque};

use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};

use super::code::RoomCode;
use super::event::{Author, Event, EventId, Frame, MemberId, Online, Reach, Render, Seed};
use super::ignore::View;
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
    /// The frames to send first (what was missed, as `view` is shown it,
    /// then the Online list), the receiver for what follows, and the
    /// member's presence.
    pub fn open(
        self,
        render: &dyn Render,
        view: &View,
    ) -> (Vec<Frame>, broadcast::Receiver<Frame>, watch::Receiver<()>) {
        let mut backlog = self.missed.frames(render, view);
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
    /// Who owns the room: its maker, then the longest present.
    pub owner: Option<MemberId>,
    /// Nobody new may join.
    pub locked: bool,
    /// Members its owner removed: they may not come back.
    pub removed: HashSet<MemberId>,
    /// Slow mode: one message per this many milliseconds per member.
    pub slow_ms: Option<i64>,
    /// Read-only until then (milliseconds since 1970).
    pub read_only_ms: Option<i64>,
    /// When each member last posted here (ms), while slow mode is on.
    pub last_post: HashMap<MemberId, i64>,
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
        log.set_online(render.online(&code, last, &Online::default()));
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
            owner: None,
            locked: false,
            removed: HashSet::new(),
            slow_ms: None,
            read_only_ms: None,
            last_post: HashMap::new(),
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

    /// `publish`, for an event that reaches as `reach` says.
    fn publish_reaching(&mut self, render: &dyn Render, event: &Event, reach: Reach) {
        self.log.publish_reaching(render, event, reach);
    }

    /// Sends `frame`, a line that is no log item (the typing line), to the
    /// room's open streams; nothing keeps it.
    pub fn tell(&self, frame: Frame) {
        self.log.send(frame);
    }

    /// How `member` appears here, if present.
    pub fn author_of(&self, member: MemberId) -> Option<&Author> {
        self.members.get(&member).map(|p| &p.author)
    }

    /// The member present here whose avatar is `seed`.
    pub fn person(&self, seed: &Seed) -> Option<(MemberId, &Author)> {
        self.members
            .iter()
            .find(|(_, p)| p.author.seed == *seed)
            .map(|(id, p)| (*id, &p.author))
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
        let seed = author.seed.clone();
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
        self.announce(render, name, &seed, true, now);
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
                let seed = presence.author.seed;
                // A pace still running is kept (so a leave and a join do
                // not reset it); those that ran out, anyone's, go.
                let (now_ms, slow) = (rules::to_ms(now), self.slow_ms);
                self.last_post
                    .retain(|_, last| rules::still_paced(now_ms, slow, *last));
                self.announce(render, presence.author.name, &seed, false, now);
                self.hand_over(render, id, now);
                true
            }
            None => false,
        }
    }

    /// `left` went for good: if they owned the room, the longest present
    /// now does (`rules::next_owner`), and everyone is told.
    fn hand_over(&mut self, render: &dyn Render, left: MemberId, now: OffsetDateTime) {
        let mut present: Vec<(&MemberId, &Presence)> = self.members.iter().collect();
        present.sort_unstable_by_key(|(_, p)| p.arrival);
        let order: Vec<MemberId> = present.iter().map(|(id, _)| **id).collect();
        let Some(next) = rules::next_owner(self.owner, left, &order) else {
            return;
        };
        self.owner = next;
        let Some(name) = next
            .and_then(|id| self.members.get(&id))
            .map(|p| p.author.name.clone())
        else {
            return;
        };
        self.online_dirty = true;
        let change = crate::chat::Change::Owner(name);
        self.publish(render, &Event::Changed { change, at: now });
    }

    /// The member present here whose avatar is `seed`.
    pub fn by_seed(&self, seed: &crate::chat::Seed) -> Option<MemberId> {
        self.members
            .iter()
            .find(|(_, p)| &p.author.seed == seed)
            .map(|(id, _)| *id)
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
        let seed = presence.author.seed.clone();
        self.forget_name(&from, id);
        self.names.insert(rules::name_key(to), id);
        self.online_dirty = true;
        let event = Event::Renamed {
            from,
            to: to.clone(),
            at: now,
        };
        self.publish_reaching(render, &event, rules::reach(&event, Some(&seed), false));
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

    /// The message a member sends (reaching only them while `muted`), or
    /// `false` when they are not present.
    pub fn say(
        &mut self,
        render: &dyn Render,
        id: MemberId,
        text: super::name::MessageText,
        now: OffsetDateTime,
        muted: bool,
    ) -> bool {
        let Some(presence) = self.members.get(&id) else {
            return false;
        };
        let author = presence.author.clone();
        let mentions = if text.as_str().contains('@') {
            let present: Vec<_> = self.members.values().map(|p| p.author.clone()).collect();
            rules::mentions(text.as_str(), &present)
        } else {
            Vec::new()
        };
        let event = Event::Message {
            author: author.clone(),
            text: text.clone(),
            at: now,
            mentions,
        };
        self.publish_reaching(render, &event, rules::reach(&event, None, muted));
        if self.said.len() >= self.history_len {
            self.said.pop_front();
        }
        self.said.push_back(Said {
            id: self.last(),
            author,
            member: id,
            text: Some(text),
            at: now,
            muted,
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
        let owner = self.owner.and_then(|id| self.members.get(&id));
        Online {
            members: present
                .iter()
                .take(ONLINE_SHOWN)
                .map(|p| p.author.clone())
                .collect(),
            total: present.len(),
            owner: owner.map(|p| p.author.seed.clone()),
        }
    }

    /// Renders the Online list anew and sends it, if it changed.
    pub fn flush_online(&mut self, render: &dyn Render) {
        if !self.online_dirty {
            return;
        }
        self.online_dirty = false;
        let frame = render.online(&self.code, self.last(), &self.online());
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

    /// Announces an arrival or a departure (of the member whose avatar is
    /// `seed`) as the rules say for the room's shape.
    fn announce(
        &mut self,
        render: &dyn Render,
        name: Name,
        seed: &Seed,
        joined: bool,
        now: OffsetDateTime,
    ) {
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
        self.publish_reaching(render, &event, rules::reach(&event, Some(seed), false));
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
