//! How far each person has read a room, and who is typing in random chat:
//! what counts as seen, where the "New since you were last here" divider
//! goes, and the paces of the typing line. Both stores and the pages ask
//! these.

use std::time::Duration;

use crate::chat::event::{EventId, Frame, FrameKind, Seed};

/// An open stream notes the last item it showed at most this often (and
/// once more when it ends), so a busy room costs one write per stream per
/// this long, not one per item.
pub const SEEN_EVERY: Duration = Duration::from_secs(2);
/// How long a shared store keeps what a session has seen after its last
/// change: as long as the session's cookie lives.
pub const KEEP_SEEN: Duration = Duration::from_secs(30 * 86_400);
/// Most (session, room) places a store in one server's memory keeps: past
/// that, the one noted longest ago is let go (its room then opens with no
/// divider, as on a first visit).
pub const KEPT_SEEN: usize = 100_000;

/// A page sends "typing" at most once per this long while its person types.
pub const TYPING_EVERY: Duration = Duration::from_secs(3);
/// The other person's "{name} is typing…" line goes after this long
/// without a new one (the stylesheet hides it), or when the typer's
/// message arrives.
pub const TYPING_SHOWN: Duration = Duration::from_secs(5);
/// Typing signals one member may send per minute (a page sends at most 20).
pub const TYPING_PER_MINUTE: usize = 30;
/// Typing signals one client address may send per minute, over all its
/// sessions.
pub const TYPING_PER_ADDRESS: usize = 300;

/// Where the "New since you were last here" divider goes on a page of
/// `items` for the reader whose avatar is `me` and who was last shown the
/// room up to `seen`: before the first log item of someone else after
/// `seen` and after the reader's own last message (who writes has read
/// what came before: a page reloaded by a plain form's send shows nothing
/// as new that its stream had shown but not yet noted). `None` on a first
/// visit (nothing noted) and when nothing is new.
pub fn first_unseen(items: &[Frame], seen: Option<EventId>, me: &Seed) -> Option<EventId> {
    let mine = |frame: &&Frame| frame.reach.whose.as_ref() == Some(me);
    let logged = || items.iter().filter(|frame| frame.kind == FrameKind::Log);
    let own_last = logged().filter(mine).map(|frame| frame.id).max();
    let from = seen?.max(own_last.unwrap_or(EventId::start(0)));
    logged()
        .filter(|frame| frame.id > from)
        .find(|frame| !mine(frame))
        .map(|frame| frame.id)
}

/// Whether noting `shown` moves what was seen (`noted`) forward: it never
/// goes back, so a tab that closes late does not undo what another showed.
pub fn moves_seen(noted: Option<EventId>, shown: EventId) -> bool {
    noted.is_none_or(|noted| shown > noted)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::chat::event::Reach;

    fn item(seq: u64, whose: &Seed) -> Frame {
        Frame {
            reach: Reach {
                whose: Some(whose.clone()),
                only_whose: false,
                mentions: Default::default(),
            },
            ..Frame::new(
                EventId { epoch: 1, seq },
                FrameKind::Log,
                Bytes::new(),
                Bytes::new(),
            )
        }
    }

    #[test]
    fn the_divider_goes_before_the_first_item_of_someone_else_after_what_was_seen_and_written() {
        let (me, ann) = (Seed::random(), Seed::random());
        let items = [
            item(1, &ann),
            item(2, &me),
            item(3, &ann),
            item(4, &me),
            item(5, &ann),
        ];
        let at = |seq| Some(EventId { epoch: 1, seq });
        assert_eq!(first_unseen(&items, None, &me), None, "first visit");
        assert_eq!(first_unseen(&items, at(5), &me), None, "nothing new");
        assert_eq!(
            first_unseen(&items, at(0), &me),
            at(5),
            "what came before one's own message was read"
        );
        assert_eq!(
            first_unseen(&items[..2], at(0), &me),
            None,
            "own items are not new"
        );
        assert_eq!(first_unseen(&items[..1], at(0), &me), at(1));
        let (older_life, newer_life) = (EventId { epoch: 0, seq: 9 }, EventId { epoch: 2, seq: 0 });
        assert_eq!(first_unseen(&items[..1], Some(older_life), &me), at(1));
        assert_eq!(first_unseen(&items, Some(newer_life), &me), None);
    }

    #[test]
    fn what_was_seen_never_goes_back() {
        let id = |seq| EventId { epoch: 1, seq };
        assert!(moves_seen(None, id(1)));
        assert!(moves_seen(Some(id(1)), id(2)));
        assert!(!moves_seen(Some(id(2)), id(2)));
        assert!(!moves_seen(Some(id(3)), id(2)));
    }
}
