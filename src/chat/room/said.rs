//! A room's kept messages as their own pages show them, and deleting one:
//! who sent each (never shown) beside what the log keeps.

use time::OffsetDateTime;

use super::Room;
use crate::chat::ChatError;
use crate::chat::event::{Event, EventId, Render};
use crate::chat::rules;
use crate::chat::safety::{Deleter, Said};

impl Room {
    /// The kept message `id`, deleted or not.
    pub fn message(&self, id: EventId) -> Option<Said> {
        let said = self.said.iter().find(|said| said.id == id)?;
        self.log.keeps(id).then(|| said.clone())
    }

    /// `by` deletes the kept message `id` `now`, if the rules let them: its
    /// text is forgotten, and what stands in its place is sent to every
    /// page. Deleting a deleted message does nothing.
    pub fn delete(
        &mut self,
        render: &dyn Render,
        id: EventId,
        by: Deleter,
        now: OffsetDateTime,
    ) -> Result<(), ChatError> {
        let kept = self.log.keeps(id);
        let said = self
            .said
            .iter_mut()
            .find(|said| said.id == id && kept)
            .ok_or(ChatError::NoSuchMessage)?;
        if said.text.is_none() {
            return Ok(());
        }
        rules::may_delete(said.member, said.at, by, now)?;
        said.text = None;
        let event = Event::Deleted {
            author: said.author.clone(),
            at: said.at,
            moderator: by == Deleter::Moderator,
        };
        let next = self.log.last().next();
        self.log.delete_as(render, next, id, &event);
        Ok(())
    }
}
