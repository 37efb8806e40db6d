//! The store's shared core: the lock, and the timers that take it when they
//! fire (grace periods, coalesced Online lists, batched notices, pairing), and
//! the guards whose `Drop` starts them.

use std::sync::{Arc, MutexGuard};

use tokio::sync::watch;

use super::{Shared, State};
use crate::chat::room::{Room, Tap};
use crate::chat::rules::{self, BATCH_EVERY, CODE_TRIES, ONLINE_EVERY};
use crate::chat::{ChatError, Event, EventId, Member, MemberId, RoomCode, Snapshot, View};

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves state that is still consistent
        // enough to serve: every change is made in one step.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Now in ms since 1970, as this store's clock (tokio's, paused in
    /// tests) has moved since it began.
    pub(super) fn now_ms(&self) -> i64 {
        let (at, ms) = self.began;
        let since = self.clock.now().saturating_duration_since(at).as_millis();
        ms.saturating_add(i64::try_from(since).unwrap_or(i64::MAX))
    }

    /// A stream of `member` opens on `code`: what it missed, and what it
    /// listens to.
    pub(super) fn tap(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<(Tap, watch::Receiver<View>), ChatError> {
        let mut state = self.lock();
        let state = &mut *state;
        if !state.room(code)?.is_member(member) || !state.members.contains_key(&member) {
            return Err(ChatError::NotMember);
        }
        if !state.open_stream(member, self.settings.max_streams) {
            return Err(ChatError::TooManyStreams);
        }
        let room = state.room(code)?;
        let Some(me) = room.author_of(member).map(|a| a.seed.clone()) else {
            state.close_stream(member);
            return Err(ChatError::NotMember);
        };
        let Some(here) = room.attach(member) else {
            state.close_stream(member);
            return Err(ChatError::NotMember);
        };
        let tap = room.tap(after, here);
        state.streams += 1;
        Ok((tap, state.watch_view(member, &me)))
    }

    /// Starts the grace period of a member with no open stream.
    pub(super) fn expire_later(
        self: &Arc<Self>,
        code: RoomCode,
        member: MemberId,
        generation: u64,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = Arc::clone(self);
        // Ends after the grace period.
        runtime.spawn(async move {
            shared.clock.sleep(shared.settings.grace).await;
            let mut state = shared.lock();
            let Some(room) = state.rooms.get_mut(&code) else {
                return;
            };
            if room.expire(&shared.render, member, generation, shared.clock.now_utc()) {
                state.after_leaving(&code, member);
                shared.presence_changed(&mut state, &code);
            }
        });
    }

    /// Sends the Online list and batched notices of a room now, or schedules it:
    /// at most one Online list a second, one batch of notices every few seconds.
    pub(super) fn presence_changed(self: &Arc<Self>, state: &mut State, code: &RoomCode) {
        let Some(room) = state.rooms.get_mut(code) else {
            return;
        };
        let batching = room.has_batch();
        let flush = state.flushes.entry(code.clone()).or_default();
        if flush.scheduled {
            return;
        }
        let now = self.clock.now();
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
            shared.clock.sleep_until(due).await;
            let mut state = shared.lock();
            let state = &mut *state;
            if let Some(flush) = state.flushes.get_mut(&code) {
                flush.scheduled = false;
                flush.last = Some(shared.clock.now());
            }
            if let Some(room) = state.rooms.get_mut(&code) {
                room.flush_batch(&shared.render, shared.clock.now_utc());
                room.flush_online(&shared.render);
            }
        });
    }

    /// Makes a private room with a fresh code (for two strangers when
    /// `pair`, counted against `holder` until it closes); nobody is in it yet.
    pub(super) fn open_room(
        &self,
        state: &mut State,
        pair: Option<[MemberId; 2]>,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        let (open, max) = match pair {
            Some(_) => (state.pair_rooms, self.settings.max_pair_rooms),
            None => (state.private_rooms, self.settings.max_rooms),
        };
        if !rules::fits_one_more(open, max) {
            return Err(ChatError::Full);
        }
        let held = holder.map_or(0, |h| state.held.get(h).copied().unwrap_or(0));
        if holder.is_some() && !rules::fits_one_more(held, self.settings.address_rooms_held) {
            return Err(ChatError::RoomsHeld);
        }
        let code = (0..CODE_TRIES)
            .map(|_| RoomCode::random(self.settings.code_length))
            .find(|code| !state.rooms.contains_key(code))
            .ok_or(ChatError::Full)?;
        let epoch = state.next_epoch(self.clock.now_ms());
        let mut room = Room::new(
            code.clone(),
            false,
            epoch,
            &self.settings.room,
            &self.render,
        );
        room.pair = pair;
        state.rooms.insert(code.clone(), room);
        if pair.is_some() {
            state.pair_rooms += 1;
        } else {
            state.private_rooms += 1;
        }
        if let Some(holder) = holder {
            *state.held.entry(holder.to_owned()).or_default() += 1;
            state.holders.insert(code.clone(), holder.to_owned());
        }
        tracing::info!(room = %crate::logs::RoomTag(code.as_str()), pair = pair.is_some(), "room opened");
        Ok(code)
    }

    /// Puts `member` in the room (announcing it if new); what the page shows.
    pub(super) fn enter(
        self: &Arc<Self>,
        state: &mut State,
        code: &RoomCode,
        member: &Member,
    ) -> Result<Snapshot, ChatError> {
        let room = state.room(code)?;
        if !room.admits(Some(member.id)) {
            // A pair room is for its two strangers only: to others it is no room.
            return Err(ChatError::NoSuchRoom(code.to_string()));
        }
        let removed = room.removed.contains(&member.id);
        rules::may_enter(code, room.is_member(member.id), room.locked, removed)?;
        let max = self.settings.max_members;
        if !room.is_member(member.id) && !rules::fits_one_more(room.member_count(), max) {
            return Err(ChatError::RoomFull);
        }
        if !room.is_member(member.id) && room.name_taken(&member.name, member.id) {
            return Err(ChatError::NameTaken(member.name.clone()));
        }
        let fresh = room.enter(
            &self.render,
            member.id,
            member.author(),
            self.clock.now_utc(),
        );
        let items = room.history();
        let (public, pair, last, online) =
            (room.public, room.pair.is_some(), room.last(), room.online());
        let snapshot = Snapshot {
            code: code.clone(),
            public,
            pair,
            items: state.view(member.id, &member.seed).filter(items),
            last,
            online,
        };
        if let Some(generation) = fresh {
            state
                .members
                .entry(member.id)
                .or_default()
                .rooms
                .insert(code.clone());
            self.presence_changed(state, code);
            self.expire_later(code.clone(), member.id, generation);
        }
        Ok(snapshot)
    }

    /// Pairs whoever can be paired, first come, first served, each two into a
    /// new room where both are present and told whom they are talking to.
    pub(super) fn pair_all(self: &Arc<Self>, state: &mut State) {
        loop {
            let blocks = &state.blocks;
            let blocked =
                |a: MemberId, b: MemberId| blocks.peek(&a).is_some_and(|set| set.contains(&b));
            let next = state
                .queue
                .next_pair(|a, b| rules::may_pair(blocked(a, b), blocked(b, a)));
            let Some((a, b)) = next else { break };
            let code = match self.open_room(state, Some([a.id, b.id]), None) {
                Ok(code) => code,
                Err(_) => {
                    // No room for them: both are out of the queue, none left half-paired.
                    state.dropped_pairs += 1;
                    let now = self.clock.now();
                    if state
                        .warned_full
                        .is_none_or(|at| now - at >= FULL_WARNING_EVERY)
                    {
                        tracing::warn!(
                            dropped = state.dropped_pairs,
                            "no room for a pair: the pool is full or no code was free"
                        );
                        state.dropped_pairs = 0;
                        state.warned_full = Some(now);
                    }
                    state.queue.cancel(a.id);
                    state.queue.cancel(b.id);
                    continue;
                }
            };
            for member in [&a, &b] {
                let _ = self.enter(state, &code, member);
            }
            if let Some(room) = state.rooms.get_mut(&code) {
                let names = [a.name.clone(), b.name.clone()];
                let at = self.clock.now_utc();
                room.publish(&self.render, &Event::Paired { names, at });
            }
            for member in [&a, &b] {
                if let Some(generation) = state.queue.matched(member.id, &code) {
                    self.unqueue_later(member.id, generation);
                }
            }
        }
    }

    /// Starts the grace period of a waiter with no open waiting page.
    pub(super) fn unqueue_later(self: &Arc<Self>, member: MemberId, generation: u64) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let shared = Arc::clone(self);
        // Ends after the grace period.
        runtime.spawn(async move {
            shared.clock.sleep(shared.settings.grace).await;
            shared.lock().queue.expire(member, generation);
        });
    }

    /// A stream of `member` closed.
    pub(super) fn detach(self: &Arc<Self>, code: &RoomCode, member: MemberId) {
        let mut state = self.lock();
        state.streams = state.streams.saturating_sub(1);
        state.close_stream(member);
        let generation = state
            .rooms
            .get_mut(code)
            .and_then(|room| room.detach(member));
        if let Some(generation) = generation {
            self.expire_later(code.clone(), member, generation);
        }
    }
}

/// A full pool of random-chat rooms is logged at most this often.
const FULL_WARNING_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Holds a member present while a stream is open.
pub(super) struct StreamGuard {
    pub(super) shared: Arc<Shared>,
    pub(super) code: RoomCode,
    pub(super) member: MemberId,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.shared.detach(&self.code, self.member);
    }
}

/// Keeps a member queued while a waiting page is open.
pub(super) struct PairGuard {
    pub(super) shared: Arc<Shared>,
    pub(super) member: MemberId,
}

impl Drop for PairGuard {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.close_stream(self.member);
        if let Some(generation) = state.queue.detach(self.member) {
            self.shared.unqueue_later(self.member, generation);
        }
    }
}
