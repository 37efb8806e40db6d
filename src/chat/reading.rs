//! How far each person has read each room, and the typing line of random
//! chat. Both are kept where the store keeps its rooms: what a person has
//! seen survives a reload on another server, and a typing line reaches the
//! other stranger on whichever server their page is open.

use async_trait::async_trait;

use super::{ChatError, EventId, Member, MemberId, RoomCode};

/// What each person has seen of each room, and who is typing.
#[async_trait]
pub trait Reading: Send + Sync + 'static {
    /// The last item of `code` that `member` was shown (by a page load or a
    /// stream), as last noted; `None` before anything was.
    async fn seen(&self, code: &RoomCode, member: MemberId) -> Result<Option<EventId>, ChatError>;

    /// `member` was shown `code` up to `shown`: noted unless something later
    /// is already (`rules::moves_seen`), kept `rules::KEEP_SEEN` (or, in one
    /// server's memory, for the `rules::KEPT_SEEN` places noted last).
    async fn saw(&self, code: &RoomCode, member: MemberId, shown: EventId)
    -> Result<(), ChatError>;

    /// `member` is typing in the random-chat room `code`: the other
    /// stranger's streams, on every server, get the typing line (never the
    /// typer's). `NoTyping` in any other room, `NotMember` when `member` is
    /// not in it.
    async fn typing(&self, code: &RoomCode, member: &Member) -> Result<(), ChatError>;
}
