//! `Control` on this store: each room's owner, lock, removed members, slow
//! mode and read-only time are kept with the room (`Room`); bans and the
//! address each member was last seen from with the store's state. Entering
//! and posting ask `rules` about them under the same lock (`shared::enter`,
//! `Rooms::post`).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::MemoryStore;
use crate::chat::rules::{self, KEEP_ROOM};
use crate::chat::{Change, ChatError, Control, Event, MemberId, RoomCode, RoomRules, Seed};

/// Addresses of members kept before those of a day ago, then those in no
/// room, are let go: memory stays bounded whoever comes.
const SEEN_KEPT: usize = 100_000;

#[async_trait]
impl Control for MemoryStore {
    async fn owner(&self, code: &RoomCode) -> Result<Option<MemberId>, ChatError> {
        Ok(self.shared.lock().room(code)?.owner)
    }

    async fn ban(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        let mut state = self.shared.lock();
        let address = state.seen.get(&member).map(|(key, _)| key.clone());
        match until.map(rules::to_ms) {
            Some(until) => {
                state.bans.insert(member, until);
                if let Some(address) = address {
                    state.address_bans.insert(address, until);
                }
            }
            None => {
                state.bans.remove(&member);
                if let Some(address) = address {
                    state.address_bans.remove(&address);
                }
            }
        }
        Ok(())
    }

    async fn slow_mode(&self, code: &RoomCode, every: Option<Duration>) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        let every = every.filter(|every| !every.is_zero());
        let ms = every.map(|every| i64::try_from(every.as_millis()).unwrap_or(i64::MAX));
        if room.slow_ms == ms {
            return Ok(());
        }
        room.slow_ms = ms;
        room.last_post.clear();
        let change = Change::SlowMode(every);
        let at = shared.clock.now_utc();
        room.publish(&shared.render, &Event::Changed { change, at });
        Ok(())
    }

    async fn read_only(
        &self,
        code: &RoomCode,
        until: Option<OffsetDateTime>,
    ) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        let ms = until.map(rules::to_ms);
        if room.read_only_ms == ms {
            return Ok(());
        }
        room.read_only_ms = ms;
        let change = Change::ReadOnly(until);
        let at = shared.clock.now_utc();
        room.publish(&shared.render, &Event::Changed { change, at });
        Ok(())
    }

    async fn room_rules(&self, code: &RoomCode) -> Result<RoomRules, ChatError> {
        let shared = &self.shared;
        let now = shared.now_ms();
        let mut state = shared.lock();
        let room = state.room(code)?;
        Ok(RoomRules {
            owner: room.owner,
            locked: room.locked,
            slow: room
                .slow_ms
                .map(|ms| Duration::from_millis(ms.max(0) as u64)),
            read_only: room
                .read_only_ms
                .filter(|until| *until > now)
                .map(rules::from_ms),
        })
    }

    async fn remove(&self, code: &RoomCode, by: MemberId, seed: &Seed) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        if room.owner != Some(by) {
            return Err(ChatError::NotOwner);
        }
        let member = room.by_seed(seed).ok_or(ChatError::NotMember)?;
        if member == by {
            return Err(ChatError::RemoveSelf);
        }
        // Kept out before they go, so their streams' last words find it.
        room.removed.insert(member);
        room.leave(&shared.render, member, shared.clock.now_utc());
        state.after_leaving(code, member);
        shared.presence_changed(&mut state, code);
        Ok(())
    }

    async fn lock(&self, code: &RoomCode, by: MemberId, locked: bool) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        if room.owner != Some(by) {
            return Err(ChatError::NotOwner);
        }
        if room.locked == locked {
            return Ok(());
        }
        room.locked = locked;
        let change = Change::Locked(locked);
        let at = shared.clock.now_utc();
        room.publish(&shared.render, &Event::Changed { change, at });
        Ok(())
    }

    async fn removed(&self, code: &RoomCode, member: MemberId) -> Result<bool, ChatError> {
        let state = self.shared.lock();
        Ok(state
            .rooms
            .get(code)
            .is_some_and(|room| room.removed.contains(&member)))
    }

    async fn cleared(&self, member: MemberId, address: Option<&str>) -> Result<(), ChatError> {
        let shared = &self.shared;
        let now_ms = shared.now_ms();
        let now = shared.clock.now();
        let mut state = shared.lock();
        let state = &mut *state;
        rules::may_act(now_ms, state.bans.get(&member).copied())?;
        if let Some(address) = address {
            rules::may_act(now_ms, state.address_bans.get(address).copied())?;
            if state.seen.len() >= SEEN_KEPT {
                state
                    .seen
                    .retain(|_, (_, at)| now.duration_since(*at) < KEEP_ROOM);
                state.bans.retain(|_, until| *until > now_ms);
                state.address_bans.retain(|_, until| *until > now_ms);
            }
            if state.seen.len() >= SEEN_KEPT {
                // Still full of the last day's: those in a room now stay.
                let members = &state.members;
                state.seen.retain(|member, _| members.contains_key(member));
            }
            state.seen.insert(member, (address.to_owned(), now));
        }
        Ok(())
    }
}
