//! `Messages` on this store: a room's kept messages are in its `Room`,
//! under the store's one lock.

use async_trait::async_trait;

use super::MemoryStore;
use crate::chat::{ChatError, Deleter, EventId, Messages, RoomCode, Said};

#[async_trait]
impl Messages for MemoryStore {
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
