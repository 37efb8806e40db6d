//! What one reader is shown of a room's log: every item rendered once for
//! everyone, but those whose person (`Frame::reach`) the reader ignores and
//! the muted messages of others. A stream skips them, a page load and a
//! resync leave them out; nothing is rendered for one reader but a resync
//! from which something was left out.
//!
//! The list a session ignores is kept where the store keeps its state (so it
//! crosses servers), by avatar seed, with the name each person had, at most
//! `rules::MAX_IGNORED`.

use std::collections::HashSet;
use std::sync::Arc;

use super::event::{Author, Frame, FrameKind, Seed};
use super::rules;

/// One reader's filter: who they are, and whom they ignore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub me: Seed,
    pub ignored: Arc<HashSet<Seed>>,
}

impl View {
    /// A reader who ignores nobody.
    pub fn of(me: Seed) -> Self {
        Self {
            me,
            ignored: Arc::default(),
        }
    }

    /// `me`, ignoring the people of `list`.
    pub fn ignoring(me: Seed, list: &[Author]) -> Self {
        Self {
            me,
            ignored: Arc::new(list.iter().map(|a| a.seed.clone()).collect()),
        }
    }

    /// Whether this reader is shown `frame`: a typing line unless it is
    /// their own or of someone ignored; anything else but a log item or a
    /// deletion is; those unless they are of someone ignored, or reach only
    /// someone else (a deletion reaches whom its message reached, so that
    /// neither its author's name nor the reload of a no-JavaScript log
    /// reaches anyone the message did not).
    pub fn shows(&self, frame: &Frame) -> bool {
        let reach = &frame.reach;
        if frame.kind == FrameKind::Typing {
            // Never to the typer; nor to whoever ignores them.
            return reach
                .whose
                .as_ref()
                .is_some_and(|whose| *whose != self.me && !self.ignored.contains(whose));
        }
        if !matches!(frame.kind, FrameKind::Log | FrameKind::Deletion) {
            return true;
        }
        match &reach.whose {
            Some(whose) if *whose == self.me => true,
            Some(_) if reach.only_whose => false,
            Some(whose) => !self.ignored.contains(whose),
            None => true,
        }
    }

    /// Whether `frame` is a new message that mentions this reader (and is
    /// not their own), so that their stream says so in the tab title.
    pub fn mentioned(&self, frame: &Frame) -> bool {
        frame.kind == FrameKind::Log
            && frame.reach.whose.as_ref() != Some(&self.me)
            && frame.reach.mentions.contains(&self.me)
    }

    /// The items of `items` this reader is shown.
    pub fn filter(&self, items: Vec<Frame>) -> Vec<Frame> {
        items.into_iter().filter(|f| self.shows(f)).collect()
    }
}

/// Adds `person` to an ignore `list` (newest last), or moves them to the
/// end with the name they have now; the oldest go past `MAX_IGNORED`.
pub fn add(list: &mut Vec<Author>, person: Author) {
    list.retain(|a| a.seed != person.seed);
    list.push(person);
    let over = list.len().saturating_sub(rules::MAX_IGNORED);
    list.drain(..over);
}

/// Takes `seed` off an ignore `list`.
pub fn remove(list: &mut Vec<Author>, seed: &Seed) {
    list.retain(|a| a.seed != *seed);
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::chat::{EventId, Name, Reach};

    fn item(whose: Option<&Seed>, only_whose: bool) -> Frame {
        Frame {
            reach: Reach {
                whose: whose.cloned(),
                only_whose,
                mentions: Default::default(),
            },
            ..Frame::new(
                EventId::start(1),
                FrameKind::Log,
                Bytes::new(),
                Bytes::new(),
            )
        }
    }

    /// A typing line reaches neither the typer nor whoever ignores them,
    /// and one of nobody's is shown to nobody.
    #[test]
    fn a_typing_line_is_shown_to_others_who_do_not_ignore_the_typer() {
        let (me, them, other) = (Seed::random(), Seed::random(), Seed::random());
        let typing = |whose: Option<&Seed>| Frame {
            kind: FrameKind::Typing,
            ..item(whose, false)
        };
        let author = Author {
            name: Name::parse("Them", 32).expect("name"),
            seed: them.clone(),
        };
        let ignoring = View::ignoring(me.clone(), &[author]);
        assert!(!ignoring.shows(&typing(Some(&them))), "ignored");
        assert!(ignoring.shows(&typing(Some(&other))));
        assert!(!ignoring.shows(&typing(Some(&me))), "one's own");
        assert!(!View::of(me).shows(&typing(None)), "nobody's");
    }

    #[test]
    fn a_reader_is_not_shown_whom_they_ignore_nor_others_muted_messages() {
        let (me, them, other) = (Seed::random(), Seed::random(), Seed::random());
        let author = Author {
            name: Name::parse("Them", 32).expect("name"),
            seed: them.clone(),
        };
        let view = View::ignoring(me.clone(), &[author]);
        assert!(!view.shows(&item(Some(&them), false)));
        assert!(view.shows(&item(Some(&other), false)));
        assert!(
            view.shows(&item(None, false)),
            "notices of many are nobody's"
        );
        assert!(
            !view.shows(&item(Some(&other), true)),
            "muted: only its author"
        );
        assert!(
            view.shows(&item(Some(&me), true)),
            "a muted person sees their own"
        );
        let online = Frame::new(
            EventId::start(1),
            FrameKind::Online,
            Bytes::new(),
            Bytes::new(),
        );
        assert!(view.shows(&online));
    }

    #[test]
    fn an_ignore_list_keeps_the_newest_hundred_once_each() {
        let mut list = Vec::new();
        let first = Author {
            name: Name::parse("First", 32).expect("name"),
            seed: Seed::random(),
        };
        add(&mut list, first.clone());
        add(&mut list, first.clone());
        assert_eq!(list.len(), 1);
        for _ in 0..rules::MAX_IGNORED {
            let name = Name::parse("Any", 32).expect("name");
            add(
                &mut list,
                Author {
                    name,
                    seed: Seed::random(),
                },
            );
        }
        assert_eq!(list.len(), rules::MAX_IGNORED);
        assert!(!list.contains(&first), "the oldest went first");
        let last = list[list.len() - 1].seed.clone();
        remove(&mut list, &last);
        assert_eq!(list.len(), rules::MAX_IGNORED - 1);
    }
}
