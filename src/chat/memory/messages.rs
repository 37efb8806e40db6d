//! `Messages` on this store: a room's kept messages are in its `Room`; whom
//! each session ignores and who is muted are kept beside the rooms; all
//! under the store's one lock, and open streams follow an ignore at once.

use std::collections::HashSet;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::MemoryStore;
use crate::chat::{
    Author, ChatError, Deleter, EventId, Member, MemberId, Messages, Person, RoomCode, Said, Seed,
    ignore, rules,
};

/// A mute said to end further off than the clock can hold ends after this.
const FOREVER: std::time::Duration = std::time::Duration::from_secs(100 * 365 * 86_400);

#[async_trait]
impl Messages for MemoryStore {
    async fn person(&self, code: &RoomCode, seed: &Seed) -> Result<Option<Person>, ChatError> {
        let mut state = self.shared.lock();
        let room = state.room(code)?;
        Ok(room.person(seed).map(|(member, author)| Person {
            author: author.clone(),
            member,
        }))
    }

    async fn mute(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        let clock = &self.shared.clock;
        // Kept on the clock timers follow, so that it runs out by itself.
        let left = until.map(|until| (until - clock.now_utc()).max(time::Duration::ZERO));
        let mut state = self.shared.lock();
        match left {
            Some(left) => {
                // However far off `until` is, the deadline is one the clock holds.
                let now = clock.now();
                let deadline = now
                    .checked_add(left.unsigned_abs())
                    .unwrap_or(now + FOREVER);
                state.mutes.insert(member, deadline)
            }
            None => state.mutes.remove(&member),
        };
        Ok(())
    }

    async fn ignore(&self, me: &Member, person: &Author) -> Result<(), ChatError> {
        rules::may_ignore(&me.seed, &person.seed)?;
        let mut state = self.shared.lock();
        ignore::add(
            state.ignored.get_or_insert_mut(me.id, Vec::new),
            person.clone(),
        );
        state.ignored_changed(me.id);
        Ok(())
    }

    async fn unignore(&self, me: MemberId, seed: &Seed) -> Result<(), ChatError> {
        let mut state = self.shared.lock();
        if let Some(list) = state.ignored.get_mut(&me) {
            ignore::remove(list, seed);
            if list.is_empty() {
                state.ignored.pop(&me);
            }
        }
        state.ignored_changed(me);
        Ok(())
    }

    async fn block(&self, me: MemberId, code: &RoomCode) -> Result<(), ChatError> {
        let mut state = self.shared.lock();
        let pair = state.rooms.get(code).and_then(|room| room.pair);
        let Some(other) = pair
            .filter(|pair| pair.contains(&me))
            .and_then(|pair| pair.into_iter().find(|m| *m != me))
        else {
            return Err(ChatError::NotMember);
        };
        let blocked = state.blocks.get_or_insert_mut(me, HashSet::new);
        if !rules::fits_one_more(blocked.len(), rules::MAX_BLOCKED)
            && let Some(any) = blocked.iter().next().copied()
        {
            blocked.remove(&any);
        }
        blocked.insert(other);
        Ok(())
    }

    async fn ignored(&self, me: MemberId) -> Result<Vec<Author>, ChatError> {
        Ok(self
            .shared
            .lock()
            .ignored
            .peek(&me)
            .cloned()
            .unwrap_or_default())
    }

    async fn message(&self, code: &RoomCode, id: EventId) -> Result<Option<Said>, ChatError> {
        let mut state = self.shared.lock();
        Ok(state.room(code)?.message(id))
    }

    async fn delete(&self, code: &RoomCode, id: EventId, by: Deleter) -> Result<(), ChatError> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let room = state.room(code)?;
        room.delete(&shared.render, id, by, shared.clock.now_utc())
    }
}
