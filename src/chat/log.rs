//! One room's log as streams read it, the same in both stores: the numbered
//! history (bounded), the broadcast channel that streams listen on, the
//! Online list last sent, and what a stream must be sent first (`missed`).
//! Each item's place among the items before it (a new day, a message grouped
//! under the one before) is decided here, as it is numbered, so it is
//! rendered once and kept with the item.
//!
//! The whole log in one frame (the resync a stream gets when it fell too far
//! behind, or comes from an earlier life of the room) is rendered once per
//! state of the log and shared: the store hands out a [`Resync`] under its
//! lock, and the first one rendered outside the lock serves every other
//! stream of the same state. Growing the log starts a new one.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use tokio::sync::broadcast;

use super::code::RoomCode;
use super::event::{Event, EventId, Frame, FrameKind, Reach, Render};
use super::ignore::View;
use super::rules::{self, Tail};

pub struct RoomLog {
    code: RoomCode,
    last: EventId,
    history: VecDeque<Frame>,
    history_len: usize,
    tx: broadcast::Sender<Frame>,
    online: Option<Frame>,
    /// The resync of the log as it stands, once a stream asked for it.
    whole: Option<Resync>,
    /// The last item published in this life of the log, for the next one's
    /// place.
    tail: Option<Tail>,
}

/// The whole log at one state, rendered when first needed, then shared.
#[derive(Clone)]
pub struct Resync(Arc<WholeLog>);

struct WholeLog {
    code: RoomCode,
    last: EventId,
    items: Vec<Frame>,
    frame: OnceLock<Frame>,
}

impl Resync {
    /// The frame: rendered by the first caller of this state, cloned after.
    pub fn frame(&self, render: &dyn Render) -> Frame {
        let whole = &*self.0;
        whole
            .frame
            .get_or_init(|| render.resync(&whole.code, whole.last, &whole.items))
            .clone()
    }

    /// The frame as `view` is shown it: the one shared by everyone when the
    /// reader is shown every item; else rendered for this reader alone.
    pub fn frame_for(&self, render: &dyn Render, view: &View) -> Frame {
        let whole = &*self.0;
        if whole.items.iter().all(|f| view.shows(f)) {
            return self.frame(render);
        }
        let shown: Vec<Frame> = whole
            .items
            .iter()
            .filter(|f| view.shows(f))
            .cloned()
            .collect();
        render.resync(&whole.code, whole.last, &shown)
    }
}

/// What a stream that has shown everything up to some id must be sent first.
pub enum Missed {
    /// The events it missed, maybe none.
    Items(Vec<Frame>),
    /// More than is kept, or from an earlier life: the whole log.
    Whole(Resync),
}

impl Missed {
    /// The frames to send to a reader who sees as `view` says, rendering
    /// the resync if it is one (best outside the store's lock).
    pub fn frames(self, render: &dyn Render, view: &View) -> Vec<Frame> {
        match self {
            Self::Items(items) => view.filter(items),
            Self::Whole(resync) => vec![resync.frame_for(render, view)],
        }
    }
}

impl RoomLog {
    /// An empty log whose next event follows `start`. The channel holds what
    /// a stream may lag behind before it is resynced.
    pub fn new(code: RoomCode, start: EventId, history_len: usize) -> Self {
        Self {
            code,
            last: start,
            history: VecDeque::with_capacity(history_len.min(64)),
            history_len: crate::chat::rules::history_len(history_len),
            tx: broadcast::channel(crate::chat::rules::channel_size(history_len)).0,
            online: None,
            whole: None,
            tail: None,
        }
    }

    pub fn last(&self) -> EventId {
        self.last
    }

    /// Numbers, places, renders (once), keeps and sends an event, a message
    /// reaching everyone (`rules::reach`).
    pub fn publish(&mut self, render: &dyn Render, event: &Event) {
        self.publish_reaching(render, event, rules::reach(event, None, false));
    }

    /// `publish`, for an event that reaches as `reach` says.
    pub fn publish_reaching(&mut self, render: &dyn Render, event: &Event, reach: Reach) {
        self.publish_as(render, self.last.next(), event, reach);
    }

    /// Places, renders (once), keeps and sends an event numbered elsewhere
    /// (by the shared store), after `last`. Every server reads the same
    /// events in the same order, so each places them alike.
    pub fn publish_as(&mut self, render: &dyn Render, id: EventId, event: &Event, reach: Reach) {
        let place = rules::place(self.tail.as_ref(), event);
        self.tail = Some(Tail::of(event));
        let frame = Frame {
            reach,
            place,
            ..render.log_item(&self.code, id, event, place)
        };
        self.append(frame);
    }

    /// The kept message `target` is replaced by `event` (what stands in a
    /// deleted message's place), rendered once in the same place; then the
    /// frame `id` (after `last`) that tells open pages so is kept and sent.
    /// A message no longer kept here is rendered as it would stand alone,
    /// for pages that may still show it. True when it was kept.
    pub fn delete_as(
        &mut self,
        render: &dyn Render,
        id: EventId,
        target: EventId,
        event: &Event,
    ) -> bool {
        let code = &self.code;
        let kept = self
            .history
            .iter_mut()
            .find(|frame| frame.id == target && frame.kind == FrameKind::Log);
        let was_kept = kept.is_some();
        let place = kept.as_ref().map(|frame| frame.place).unwrap_or_default();
        // What stands in its place, and the frame that swaps it, reach whom
        // the message reached (not the ignorers of its author, not everyone
        // when it was muted).
        // What stands in its place mentions nobody.
        let reach = kept.as_ref().map_or_else(
            || rules::reach(event, None, false),
            |frame| Reach {
                mentions: Default::default(),
                ..frame.reach.clone()
            },
        );
        let item = Frame {
            place,
            reach: reach.clone(),
            ..render.log_item(code, target, event, place)
        };
        if let Some(frame) = kept {
            *frame = item.clone();
        }
        let deletion = Frame {
            reach,
            ..render.deletion(code, id, &item)
        };
        self.append(deletion);
        was_kept
    }

    /// Whether the log item `id` is kept.
    pub fn keeps(&self, id: EventId) -> bool {
        self.history
            .iter()
            .any(|frame| frame.id == id && frame.kind == FrameKind::Log)
    }

    /// Keeps and sends a frame already numbered and rendered (after `last`).
    pub fn append(&mut self, frame: Frame) {
        self.skip_to(frame.id);
        if self.history.len() >= self.history_len {
            self.history.pop_front();
        }
        self.history.push_back(frame.clone());
        let _ = self.tx.send(frame); // Err only means that nobody is listening
    }

    /// The log's last id is now `id`, though nothing was kept for it (an
    /// entry that could not be read).
    pub fn skip_to(&mut self, id: EventId) {
        self.last = id;
        self.whole = None;
    }

    /// The log starts anew after `start` (a new life of the room); open
    /// receivers stay, to be sent the new log whole.
    pub fn restart(&mut self, start: EventId) {
        self.history.clear();
        self.tail = None;
        self.skip_to(start);
    }

    /// Sends a frame that is no log item (a status line).
    pub fn send(&self, frame: Frame) {
        let _ = self.tx.send(frame);
    }

    /// The Online list now: kept for streams that open later, and sent.
    pub fn set_online(&mut self, frame: Frame) {
        self.online = Some(frame.clone());
        let _ = self.tx.send(frame);
    }

    /// The Online list sent last, if any.
    pub fn online(&self) -> Option<&Frame> {
        self.online.as_ref()
    }

    /// A receiver for what is sent from now on.
    pub fn receiver(&self) -> broadcast::Receiver<Frame> {
        self.tx.subscribe()
    }

    pub fn receivers(&self) -> usize {
        self.tx.receiver_count()
    }

    /// The log as it stands, for a page load.
    pub fn history(&self) -> Vec<Frame> {
        self.history.iter().cloned().collect()
    }

    /// The whole log as it stands, shared with every other stream that asks
    /// before it grows.
    pub fn resync(&mut self) -> Resync {
        let code = &self.code;
        let last = self.last;
        let history = &self.history;
        self.whole
            .get_or_insert_with(|| {
                Resync(Arc::new(WholeLog {
                    code: code.clone(),
                    last,
                    items: history.iter().cloned().collect(),
                    frame: OnceLock::new(),
                }))
            })
            .clone()
    }

    /// What a stream that has shown everything up to `after` must be sent
    /// first: nothing, the events it missed, or (when it missed more than
    /// is kept, or comes from an earlier life of the room) the whole log.
    pub fn missed(&mut self, after: Option<EventId>) -> Missed {
        match after {
            Some(after) if after == self.last => Missed::Items(Vec::new()),
            Some(after) if self.has_all_after(after) => Missed::Items(
                self.history
                    .iter()
                    .filter(|f| f.id > after)
                    .cloned()
                    .collect(),
            ),
            _ => Missed::Whole(self.resync()),
        }
    }

    /// True when the history holds every event after `after`.
    fn has_all_after(&self, after: EventId) -> bool {
        if after.epoch != self.last.epoch || after > self.last {
            return false;
        }
        let oldest_kept = self.history.front().map_or(self.last.next(), |f| f.id);
        after.seq + 1 >= oldest_kept.seq
    }
}

#[cfg(test)]
mod tests;
