//! A `Render` that counts what it renders, so `/metrics` can show that each
//! message was rendered once (per look of its readers), and each state of a
//! log resynced once (per look).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Event, EventId, Frame, Online, Place, Render, RoomCode};

pub struct Counted {
    inner: Arc<dyn Render>,
    log_items: Arc<AtomicU64>,
    resyncs: Arc<AtomicU64>,
}

impl Counted {
    pub fn new(inner: Arc<dyn Render>) -> Self {
        Self {
            inner,
            log_items: Arc::new(AtomicU64::new(0)),
            resyncs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Log items rendered so far, once for the default look and once for
    /// each other look a reader of it has.
    pub fn count(&self) -> u64 {
        self.log_items.load(Ordering::Relaxed)
    }

    /// Whole logs rendered so far (for streams that fell behind).
    pub fn resyncs(&self) -> u64 {
        self.resyncs.load(Ordering::Relaxed)
    }
}

impl Render for Counted {
    fn log_item(&self, room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame {
        self.log_items.fetch_add(1, Ordering::Relaxed);
        let frame = self.inner.log_item(room, id, event, place);
        let count = self.log_items.clone();
        Frame {
            looks: frame.looks.clone().counted(move || {
                count.fetch_add(1, Ordering::Relaxed);
            }),
            ..frame
        }
    }
    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame {
        self.inner.online(room, last, online)
    }
    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        self.resyncs.fetch_add(1, Ordering::Relaxed);
        let frame = self.inner.resync(room, last, items);
        let count = self.resyncs.clone();
        Frame {
            looks: frame.looks.clone().counted(move || {
                count.fetch_add(1, Ordering::Relaxed);
            }),
            ..frame
        }
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        self.inner.status(last, text)
    }
    fn deletion(&self, room: &RoomCode, id: EventId, item: &Frame) -> Frame {
        self.inner.deletion(room, id, item)
    }
    fn typing(&self, room: &RoomCode, last: EventId, who: &super::event::Author) -> Frame {
        self.inner.typing(room, last, who)
    }
}
