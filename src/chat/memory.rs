//! The in-memory store: every room of one server behind one `Mutex`. Nothing
//! awaits while the lock is held; timers (grace periods, coalesced Online
//! lists, batched notices) are tasks that take the lock when they fire.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::broadcast;
use tokio::time::Instant;

use super::room::{Room, RoomSettings};
use super::{
    ChatError, EventId, Frame, Member, MemberId, MessageText, Name, Online, Render, RoomCode,
    RoomSummary, Snapshot, Stats, Store, Subscription,
};
use crate::chat::Event;

/// The Online list of a room is sent at most this often.
const ONLINE_EVERY: Duration = Duration::from_secs(1);
/// Join and leave notices of a big room are gathered for this long.
const BATCH_EVERY: Duration = Duration::from_secs(3);
/// Tries at finding an unused private code before giving up.
const CODE_TRIES: usize = 64;

/// What the store needs to know from the configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub public_rooms: Vec<RoomCode>,
    pub room: RoomSettings,
    pub grace: Duration,
    pub rate_messages: u32,
    pub rate_window: Duration,
}

/// The in-memory `Store`. Cheap to clone.
#[derive(Clone)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    render: Counted,
    settings: Settings,
}

#[derive(Default)]
struct State {
    rooms: HashMap<RoomCode, Room>,
    members: HashMap<MemberId, MemberState>,
    /// When each room last sent its Online list, and whether a flush is due.
    flushes: HashMap<RoomCode, Flush>,
    streams: usize,
    messages: u64,
    last_epoch: u64,
}

#[derive(Default)]
struct MemberState {
    rooms: HashSet<RoomCode>,
    /// When the member's recent messages were sent, oldest first.
    sent: VecDeque<Instant>,
}

#[derive(Default)]
struct Flush {
    last: Option<Instant>,
    scheduled: bool,
}

/// A `Render` that counts what it renders, so `/metrics` can show that each
/// message was rendered once.
struct Counted {
    inner: Arc<dyn Render>,
    log_items: AtomicU64,
}

impl Render for Counted {
    fn log_item(&self, id: EventId, event: &Event) -> Frame {
        self.log_items.fetch_add(1, Ordering::Relaxed);
        self.inner.log_item(id, event)
    }
    fn online(&self, last: EventId, online: &Online) -> Frame {
        self.inner.online(last, online)
    }
    fn resync(&self, last: EventId, items: &[Frame]) -> Frame {
        self.inner.resync(last, items)
    }
}

impl MemoryStore {
    pub fn new(settings: Settings, render: Arc<dyn Render>) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            render: Counted {
                inner: render,
                log_items: AtomicU64::new(0),
            },
            settings,
        });
        {
            let mut state = shared.lock();
            for code in &shared.settings.public_rooms {
                let epoch = state.next_epoch();
                let room = Room::new(
                    code.clone(),
                    true,
                    epoch,
                    &shared.settings.room,
                    &shared.render,
                );
                state.rooms.insert(code.clone(), room);
            }
        }
        Self { shared }
    }
}

impl State {
    /// A fresh epoch for a new room: the time in milliseconds, made unique.
    fn next_epoch(&mut self) -> u64 {
        let now = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as u64;
        self.last_epoch = now.max(self.last_epoch + 1);
        self.last_epoch
    }

    fn room(&mut self, code: &RoomCode) -> Result<&mut Room, ChatError> {
        self.rooms
            .get_mut(code)
            .ok_or_else(|| ChatError::NoSuchRoom(code.to_string()))
    }

    /// Forgets a member's tie to a room that they left, and a private room
    /// that nobody is in any more.
    fn after_leaving(&mut self, code: &RoomCode, member: MemberId) {
        if let Some(state) = self.members.get_mut(&member) {
            state.rooms.remove(code);
            if state.rooms.is_empty() {
                self.members.remove(&member);
            }
        }
        let empty_private = self
            .rooms
            .get(code)
            .is_some_and(|room| !room.public && room.member_count() == 0);
        if empty_private {
            self.rooms.remove(code);
            self.flushes.remove(code);
            tracing::info!(room = %code, "room closed");
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves state that is still consistent
        // enough to serve: every change is made in one step.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts the grace period of a member with no open stream.
    fn expire_later(self: &Arc<Self>, code: RoomCode, member: MemberId, generation: u64) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = Arc::clone(self);
        // Ends after the grace period.
        runtime.spawn(async move {
            tokio::time::sleep(shared.settings.grace).await;
            let mut state = shared.lock();
            let Some(room) = state.rooms.get_mut(&code) else {
                return;
            };
            if room.expire(
                &shared.render,
                member,
                generation,
                OffsetDateTime::now_utc(),
            ) {
                state.after_leaving(&code, member);
                shared.presence_changed(&mut state, &code);
            }
        });
    }

    /// Sends the Online list and batched notices of a room now, or schedules it:
    /// at most one Online list a second, one batch of notices every few seconds.
    fn presence_changed(self: &Arc<Self>, state: &mut State, code: &RoomCode) {
        let Some(room) = state.rooms.get_mut(code) else {
            return;
        };
        let batching = room.has_batch();
        let flush = state.flushes.entry(code.clone()).or_default();
        if flush.scheduled {
            return;
        }
        let now = Instant::now();
        let due = if batching {
            now + BATCH_EVERY
        } else {
            flush
                .last
                .map_or(now, |last| (last + ONLINE_EVERY).max(now))
        };
        if due <= now {
            flush.last = Some(now);
            room.flush_online(&self.render);
            return;
        }
        flush.scheduled = true;
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = Arc::clone(self);
        let code = code.clone();
        // Ends when the flush is done.
        runtime.spawn(async move {
            tokio::time::sleep_until(due).await;
            let mut state = shared.lock();
            let state = &mut *state;
            if let Some(flush) = state.flushes.get_mut(&code) {
                flush.scheduled = false;
                flush.last = Some(Instant::now());
            }
            if let Some(room) = state.rooms.get_mut(&code) {
                room.flush_batch(&shared.render, OffsetDateTime::now_utc());
                room.flush_online(&shared.render);
            }
        });
    }

    /// A stream of `member` closed.
    fn detach(self: &Arc<Self>, code: &RoomCode, member: MemberId) {
        let mut state = self.lock();
        state.streams = state.streams.saturating_sub(1);
        let generation = state
            .rooms
            .get_mut(code)
            .and_then(|room| room.detach(member));
        if let Some(generation) = generation {
            self.expire_later(code.clone(), member, generation);
        }
    }
}

/// Holds a member present while a stream is open.
struct StreamGuard {
    shared: Arc<Shared>,
    code: RoomCode,
    member: MemberId,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.shared.detach(&self.code, self.member);
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn public_rooms(&self) -> Vec<RoomSummary> {
        let state = self.shared.lock();
        self.shared
            .settings
            .public_rooms
            .iter()
            .map(|code| RoomSummary {
                code: code.clone(),
                members: state.rooms.get(code).map_or(0, Room::member_count),
            })
            .collect()
    }

    async fn create_room(&self, member: &Member) -> Result<RoomCode, ChatError> {
        let code = {
            let mut state = self.shared.lock();
            let code = (0..CODE_TRIES)
                .map(|_| RoomCode::random())
                .find(|code| !state.rooms.contains_key(code))
                .ok_or(ChatError::Full)?;
            let epoch = state.next_epoch();
            let room = Room::new(
                code.clone(),
                false,
                epoch,
                &self.shared.settings.room,
                &self.shared.render,
            );
            state.rooms.insert(code.clone(), room);
            tracing::info!(room = %code, "room opened");
            code
        };
        self.enter(&code, member).await?;
        Ok(code)
    }

    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError> {
        let state = self.shared.lock();
        let slug = RoomCode::parse_slug(typed)
            .filter(|slug| self.shared.settings.public_rooms.contains(slug));
        let code = slug.or_else(|| RoomCode::parse_private(typed));
        code.filter(|code| state.rooms.contains_key(code))
            .ok_or_else(|| ChatError::NoSuchRoom(typed.to_owned()))
    }

    async fn enter(&self, code: &RoomCode, member: &Member) -> Result<Snapshot, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        let fresh = room.enter(
            &shared.render,
            member.id,
            member.author(),
            OffsetDateTime::now_utc(),
        );
        let snapshot = Snapshot {
            code: code.clone(),
            public: room.public,
            items: room.history(),
            last: room.last(),
            online: room.online(),
        };
        if let Some(generation) = fresh {
            state
                .members
                .entry(member.id)
                .or_default()
                .rooms
                .insert(code.clone());
            shared.presence_changed(&mut state, code);
            shared.expire_later(code.clone(), member.id, generation);
        }
        Ok(snapshot)
    }

    async fn subscribe(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        let here = room.attach(member).ok_or(ChatError::NotMember)?;
        let tap = room.tap(&shared.render, after, here);
        state.streams += 1;
        Ok(Subscription {
            backlog: tap.backlog,
            rx: tap.rx,
            here: tap.here,
            guard: Box::new(StreamGuard {
                shared: Arc::clone(shared),
                code: code.clone(),
                member,
            }),
        })
    }

    async fn resync(&self, code: &RoomCode) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        let state = self.shared.lock();
        let room = state.rooms.get(code)?;
        Some((room.whole_log(&self.shared.render), room.receiver()))
    }

    async fn post(
        &self,
        code: &RoomCode,
        member: MemberId,
        text: MessageText,
    ) -> Result<(), ChatError> {
        let shared = &self.shared;
        let settings = &shared.settings;
        let mut state = shared.lock();
        let state = &mut *state;
        let room = state.room(code)?;
        if !room.is_member(member) {
            return Err(ChatError::NotMember);
        }
        let sent = &mut state.members.entry(member).or_default().sent;
        let now = Instant::now();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= settings.rate_window)
        {
            sent.pop_front();
        }
        if sent.len() >= settings.rate_messages as usize {
            let oldest = sent.front().copied().unwrap_or(now);
            return Err(ChatError::TooFast(
                settings
                    .rate_window
                    .saturating_sub(now.duration_since(oldest)),
            ));
        }
        sent.push_back(now);
        let room = state.room(code)?;
        room.say(&shared.render, member, text, OffsetDateTime::now_utc());
        state.messages += 1;
        Ok(())
    }

    async fn leave(&self, code: &RoomCode, member: MemberId) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        if !room.leave(&shared.render, member, OffsetDateTime::now_utc()) {
            return Err(ChatError::NotMember);
        }
        state.after_leaving(code, member);
        shared.presence_changed(&mut state, code);
        Ok(())
    }

    async fn rename(&self, member: MemberId, to: &Name) {
        let shared = &self.shared;
        let mut state = shared.lock();
        let codes: Vec<RoomCode> = state
            .members
            .get(&member)
            .map(|m| m.rooms.iter().cloned().collect())
            .unwrap_or_default();
        for code in codes {
            if let Some(room) = state.rooms.get_mut(&code) {
                room.rename(&shared.render, member, to, OffsetDateTime::now_utc());
                shared.presence_changed(&mut state, &code);
            }
        }
    }

    async fn stats(&self) -> Stats {
        let state = self.shared.lock();
        Stats {
            rooms: state.rooms.len(),
            members: state.members.len(),
            streams: state.streams,
            messages: state.messages,
            renders: self.shared.render.log_items.load(Ordering::Relaxed),
        }
    }
}
