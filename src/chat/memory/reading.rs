//! `Reading` on this store: what each member has seen of each room is kept
//! beside the rooms (the places noted last, `rules::KEPT_SEEN`), and a
//! typing line goes straight to the room's streams.

use async_trait::async_trait;

use super::MemoryStore;
use crate::chat::{ChatError, EventId, Member, MemberId, Reading, Render, RoomCode, rules};

#[async_trait]
impl Reading for MemoryStore {
    async fn seen(&self, code: &RoomCode, member: MemberId) -> Result<Option<EventId>, ChatError> {
        let mut state = self.shared.lock();
        Ok(state.read.get(&(member, code.clone())).copied())
    }

    async fn saw(
        &self,
        code: &RoomCode,
        member: MemberId,
        shown: EventId,
    ) -> Result<(), ChatError> {
        let mut state = self.shared.lock();
        let place = (member, code.clone());
        if rules::moves_seen(state.read.peek(&place).copied(), shown) {
            state.read.put(place, shown);
        }
        Ok(())
    }

    async fn typing(&self, code: &RoomCode, member: &Member) -> Result<(), ChatError> {
        let mut state = self.shared.lock();
        let room = state.room(code)?;
        if room.pair.is_none() {
            return Err(ChatError::NoTyping);
        }
        let author = room.author_of(member.id).ok_or(ChatError::NotMember)?;
        let frame = crate::chat::Frame {
            reach: crate::chat::Reach {
                whose: Some(author.seed.clone()),
                only_whose: false,
                mentions: Default::default(),
            },
            ..self.shared.render.typing(code, room.last(), author)
        };
        room.tell(frame);
        Ok(())
    }
}
