//! The in-memory store: every room of one server behind one `Mutex`. Nothing
//! awaits while the lock is held; timers (grace periods, coalesced Online
//! lists, batched notices) are tasks that take the lock when they fire.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::broadcast;
use tokio::time::Instant;

use super::clock::Clock;
use super::counted::Counted;
use super::pair::{Pairing, Queue};
use super::rate::Limiter;
use super::room::{Room, RoomSettings};
use super::{
    Access, ChatError, EventId, Frame, Member, MemberId, MessageText, Name, PairWatch, Render,
    RoomCode, RoomSummary, Snapshot, Stats, Store, Subscription, try_code_then_forgive,
};

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
    /// Most people who may wait for a random stranger at once.
    pub max_queue: usize,
    /// Most private rooms made with **Create private room** at once.
    pub max_rooms: usize,
    /// Most random-chat rooms at once: a pool of their own, so that private
    /// rooms never crowd out strangers.
    pub max_pair_rooms: usize,
    /// Most private rooms one holder (a client address) may have open at once.
    pub address_rooms_held: usize,
    /// Most members one room may hold.
    pub max_members: usize,
    /// Most streams one member may have open, over all rooms and waiting pages.
    pub max_streams: usize,
    /// Length of new private (and random-chat) room codes.
    pub code_length: usize,
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
    clock: Clock,
}

struct State {
    rooms: HashMap<RoomCode, Room>,
    queue: Queue,
    members: HashMap<MemberId, MemberState>,
    /// When each room last sent its Online list, and whether a flush is due.
    flushes: HashMap<RoomCode, Flush>,
    /// Open private rooms made with **Create private room**, and random-chat rooms.
    private_rooms: usize,
    pair_rooms: usize,
    /// Who holds each private room (a client address), and how many each holds.
    holders: HashMap<RoomCode, String>,
    held: HashMap<String, usize>,
    /// Streams open now per member, over all rooms and waiting pages.
    member_streams: HashMap<MemberId, usize>,
    /// Room streams open now (for `/metrics`).
    streams: usize,
    messages: u64,
    last_epoch: u64,
    /// Pairs dropped for want of a room since the last warning, and when
    /// that was: a full pool is logged once a minute, not once a pair.
    dropped_pairs: u64,
    warned_full: Option<Instant>,
}

impl State {
    fn new(max_queue: usize) -> Self {
        Self {
            rooms: HashMap::new(),
            queue: Queue::new(max_queue),
            members: HashMap::new(),
            flushes: HashMap::new(),
            private_rooms: 0,
            pair_rooms: 0,
            holders: HashMap::new(),
            held: HashMap::new(),
            member_streams: HashMap::new(),
            streams: 0,
            messages: 0,
            last_epoch: 0,
            dropped_pairs: 0,
            warned_full: None,
        }
    }
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

impl MemoryStore {
    pub fn new(settings: Settings, render: Arc<dyn Render>) -> Self {
        Self::with_clock(settings, render, Clock::system())
    }

    /// A store whose events, paces and timers follow `clock`.
    pub fn with_clock(settings: Settings, render: Arc<dyn Render>, clock: Clock) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(settings.max_queue)),
            render: Counted::new(render),
            settings,
            clock,
        });
        {
            let mut state = shared.lock();
            for code in &shared.settings.public_rooms {
                let epoch = state.next_epoch(shared.clock.now_ms());
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
    fn next_epoch(&mut self, now_ms: i64) -> u64 {
        let now = now_ms.max(0) as u64;
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
        if empty_private && let Some(room) = self.rooms.remove(code) {
            self.flushes.remove(code);
            if room.pair.is_some() {
                self.pair_rooms = self.pair_rooms.saturating_sub(1);
            } else {
                self.private_rooms = self.private_rooms.saturating_sub(1);
            }
            // The room's place among its holder's is given back.
            if let Some(holder) = self.holders.remove(code)
                && let Some(held) = self.held.get_mut(&holder)
            {
                *held = held.saturating_sub(1);
                if *held == 0 {
                    self.held.remove(&holder);
                }
            }
            tracing::info!(room = %crate::logs::RoomTag(code), "room closed");
        }
    }

    /// Counts a stream of `member` opening; false when one more would be
    /// more than `max`.
    fn open_stream(&mut self, member: MemberId, max: usize) -> bool {
        let open = self.member_streams.entry(member).or_default();
        if *open >= max {
            return false;
        }
        *open += 1;
        true
    }

    /// Counts a stream of `member` closing.
    fn close_stream(&mut self, member: MemberId) {
        if let Some(open) = self.member_streams.get_mut(&member) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                self.member_streams.remove(&member);
            }
        }
    }
}

mod shared;
use shared::{PairGuard, StreamGuard};

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

    async fn create_room(
        &self,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let code = shared.open_room(&mut state, None, holder)?;
        shared.enter(&mut state, &code, member)?;
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

    async fn leads(
        &self,
        code: &RoomCode,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<bool, ChatError> {
        let state = self.shared.lock();
        let Some(room) = state.rooms.get(code) else {
            return Ok(false);
        };
        Ok(match (access, member) {
            (Access::Enter, Some(member)) => room.admits(member),
            // Nobody without a session is one of a pair's two strangers.
            (Access::Enter, None) => room.pair.is_none(),
            (Access::Member, Some(member)) => room.is_member(member),
            (Access::Member, None) => false,
        })
    }

    async fn try_code(
        &self,
        guesses: &dyn Limiter,
        keys: &[super::rate::Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<Result<bool, Duration>, ChatError> {
        let public = code.is_some_and(|code| self.shared.settings.public_rooms.contains(code));
        try_code_then_forgive(self, guesses, keys, code, member, access, public).await
    }

    async fn enter(&self, code: &RoomCode, member: &Member) -> Result<Snapshot, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        shared.enter(&mut state, code, member)
    }

    async fn subscribe(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError> {
        let shared = &self.shared;
        let tap = shared.tap(code, member, after)?;
        // A resync is rendered here, after the lock is let go.
        let (backlog, rx, here) = tap.open(&shared.render);
        Ok(Subscription {
            backlog,
            rx,
            here,
            guard: Box::new(StreamGuard {
                shared: Arc::clone(shared),
                code: code.clone(),
                member,
            }),
        })
    }

    async fn resync(&self, code: &RoomCode) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        let (resync, rx) = self.shared.lock().rooms.get_mut(code)?.resync();
        // Rendered after the lock is let go, once for every stream that asks.
        Some((resync.frame(&self.shared.render), rx))
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
        let now = shared.clock.now();
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
        room.say(&shared.render, member, text, shared.clock.now_utc());
        state.messages += 1;
        Ok(())
    }

    async fn leave(&self, code: &RoomCode, member: MemberId) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        if !room.leave(&shared.render, member, shared.clock.now_utc()) {
            return Err(ChatError::NotMember);
        }
        state.after_leaving(code, member);
        shared.presence_changed(&mut state, code);
        Ok(())
    }

    async fn rename(&self, member: MemberId, to: &Name) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let codes: Vec<RoomCode> = state
            .members
            .get(&member)
            .map(|m| m.rooms.iter().cloned().collect())
            .unwrap_or_default();
        for code in codes {
            if let Some(room) = state.rooms.get_mut(&code) {
                room.rename(&shared.render, member, to, shared.clock.now_utc());
                shared.presence_changed(&mut state, &code);
            }
        }
        Ok(())
    }

    async fn queue(&self, member: &Member) -> Result<Pairing, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        if let Some(generation) = state.queue.join(member)? {
            shared.unqueue_later(member.id, generation);
        }
        shared.pair_all(&mut state);
        Ok(state.queue.pairing(member.id).unwrap_or(Pairing::Waiting))
    }

    async fn cancel(&self, member: MemberId) {
        self.shared.lock().queue.cancel(member);
    }

    async fn pairing(&self, member: MemberId) -> Option<Pairing> {
        self.shared.lock().queue.pairing(member)
    }

    async fn watch_pairing(&self, member: MemberId) -> Result<Option<PairWatch>, ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        if state.queue.pairing(member).is_none() {
            return Ok(None);
        }
        // A waiting page is a stream like a room's, under the same cap.
        if !state.open_stream(member, shared.settings.max_streams) {
            return Err(ChatError::TooManyStreams);
        }
        let Some(matched) = state.queue.attach(member) else {
            state.close_stream(member);
            return Ok(None);
        };
        // A page that was closed and opens again can be paired again.
        shared.pair_all(&mut state);
        Ok(Some(PairWatch {
            matched,
            guard: Box::new(PairGuard {
                shared: Arc::clone(shared),
                member,
            }),
        }))
    }

    async fn stats(&self) -> Stats {
        let state = self.shared.lock();
        Stats {
            rooms: state.rooms.len(),
            members: state.members.len(),
            streams: state.streams,
            messages: state.messages,
            renders: self.shared.render.count(),
            resyncs: self.shared.render.resyncs(),
            queue: state.queue.len(),
        }
    }
}
