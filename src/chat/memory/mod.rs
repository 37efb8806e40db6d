//! The in-memory store: every room of one server behind one `Mutex`. Nothing
//! awaits while the lock is held; timers (grace periods, coalesced Online
//! lists, batched notices) are tasks that take the lock when they fire.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::broadcast;

use super::clock::Clock;
use super::counted::Counted;
use super::pair::Pairing;
use super::rate::{self, Attempts};
use super::room::{Room, RoomSettings};
use super::rules;
use super::{
    Access, ChatError, Doors, EventId, Frame, Member, MemberId, MessageText, Name, PairWatch,
    Render, RoomCode, RoomSummary, Rooms, Snapshot, Stats, Store, Strangers, Subscription, View,
    try_code_then_forgive,
};

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
    /// Wrong room codes each client address and member may try
    /// (`Doors::try_code`), counted where the store keeps its state.
    pub guesses: rate::Allowance,
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
    /// Wrong room codes tried, per key.
    guesses: Attempts,
    /// Reports and the moderators' action log.
    kept: reports::KeptLock,
    /// When the store began, on its clock and in ms since 1970: times set
    /// by the clock (bans, read-only rooms, slow mode) are compared on it.
    began: (tokio::time::Instant, i64),
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
            guesses: Attempts::allowing(settings.guesses),
            kept: reports::KeptLock::default(),
            began: (clock.now(), clock.now_ms()),
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

mod control;
mod messages;
mod reading;
mod reports;
mod shared;
mod state;
use shared::{PairGuard, StreamGuard};
use state::State;

#[async_trait]
impl Doors for MemoryStore {
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
        // Whoever makes a private room owns it.
        state.room(&code)?.owner = Some(member.id);
        shared.enter(&mut state, &code, member)?;
        Ok(code)
    }

    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError> {
        let meant = rules::meant(typed, &self.shared.settings.public_rooms)?;
        let rooms = &self.shared.lock().rooms;
        let open = meant.private().is_none_or(|code| rooms.contains_key(code));
        meant.found(open, typed)
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
            (Access::Enter, member) => room.admits(member),
            (Access::Member, Some(member)) => room.is_member(member),
            (Access::Member, None) => false,
        })
    }

    async fn try_code(
        &self,
        keys: &[rate::Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<Result<bool, Duration>, ChatError> {
        let public = code.is_some_and(|code| self.shared.settings.public_rooms.contains(code));
        let guesses = &self.shared.guesses;
        try_code_then_forgive(self, guesses, keys, code, member, access, public).await
    }
}

#[async_trait]
impl Rooms for MemoryStore {
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
        let (tap, view) = shared.tap(code, member, after)?;
        // A resync is rendered here, after the lock is let go.
        let now = view.borrow().clone();
        let (backlog, rx, here) = tap.open(&shared.render, &now);
        Ok(Subscription {
            member,
            backlog,
            rx,
            here,
            view,
            guard: Box::new(StreamGuard {
                shared: Arc::clone(shared),
                code: code.clone(),
                member,
            }),
        })
    }

    async fn resync(
        &self,
        code: &RoomCode,
        view: &View,
    ) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        let (resync, rx) = self.shared.lock().rooms.get_mut(code)?.resync();
        // Rendered after the lock is let go, once for every stream that asks
        // (and that is shown every item).
        Some((resync.frame_for(&self.shared.render, view), rx))
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
        let now_ms = shared.now_ms();
        let last = room.last_post.get(&member).copied();
        rules::may_post(now_ms, room.read_only_ms, room.slow_ms, last)?;
        let slow = room.slow_ms.is_some();
        let sent = &mut state.members.entry(member).or_default().sent;
        let now = shared.clock.now();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= settings.rate_window)
        {
            sent.pop_front();
        }
        if !rules::fits_one_more(sent.len(), settings.rate_messages as usize) {
            let oldest = sent.front().copied().unwrap_or(now);
            return Err(ChatError::TooFast(
                settings
                    .rate_window
                    .saturating_sub(now.duration_since(oldest)),
            ));
        }
        sent.push_back(now);
        let muted = state.muted(member, now);
        let room = state.room(code)?;
        if slow {
            room.last_post.insert(member, now_ms);
        }
        room.say(&shared.render, member, text, shared.clock.now_utc(), muted);
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
        // Refused if it clashes in any room, before any is renamed.
        let mut rooms = codes.iter().filter_map(|code| state.rooms.get(code));
        if rooms.any(|room| room.name_taken(to, member)) {
            return Err(ChatError::NameTaken(to.clone()));
        }
        for code in codes {
            if let Some(room) = state.rooms.get_mut(&code) {
                room.rename(&shared.render, member, to, shared.clock.now_utc());
                shared.presence_changed(&mut state, &code);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Strangers for MemoryStore {
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
}

#[async_trait]
impl Store for MemoryStore {
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
