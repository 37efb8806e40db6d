//! The room log on its own: bounded history, what a resuming stream is sent,
//! and one render of the whole log per state however many streams ask.

use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::chat::Seed;
use crate::chat::counted::Counted;
use crate::chat::event::{FrameKind, Online, Place};

/// Renders a resync as the number of items it holds.
struct Plain;

impl Render for Plain {
    fn log_item(&self, _: &RoomCode, id: EventId, _: &Event, _: Place) -> Frame {
        frame(id, FrameKind::Log, format!("item {}", id.seq))
    }
    fn online(&self, _: &RoomCode, last: EventId, online: &Online) -> Frame {
        frame(last, FrameKind::Online, format!("online {}", online.total))
    }
    fn resync(&self, _: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        frame(last, FrameKind::Resync, format!("resync {}", items.len()))
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        frame(last, FrameKind::Status, text.to_owned())
    }
}

fn frame(id: EventId, kind: FrameKind, text: String) -> Frame {
    Frame::new(id, kind, Bytes::from(text), Bytes::new())
}

fn log_of(history_len: usize, items: u64) -> RoomLog {
    let code = RoomCode::parse_slug("general").expect("slug");
    let mut log = RoomLog::new(code, EventId::start(7), history_len);
    for seq in 1..=items {
        log.append(frame(
            EventId { epoch: 7, seq },
            FrameKind::Log,
            format!("item {seq}"),
        ));
    }
    log
}

fn texts(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| String::from_utf8_lossy(&f.sse).into_owned())
        .collect()
}

#[test]
fn the_history_keeps_only_the_newest_items() {
    let log = log_of(3, 5);
    assert_eq!(texts(&log.history()), ["item 3", "item 4", "item 5"]);
    assert_eq!(log.last(), EventId { epoch: 7, seq: 5 });
}

#[test]
fn a_resume_gets_what_it_missed_or_else_the_whole_log() {
    let mut log = log_of(3, 5);
    let at = |seq| Some(EventId { epoch: 7, seq });
    let sent = |missed: Missed| texts(&missed.frames(&Plain, &View::of(Seed::random())));
    assert!(sent(log.missed(at(5))).is_empty());
    assert_eq!(sent(log.missed(at(3))), ["item 4", "item 5"]);
    assert_eq!(sent(log.missed(at(2))), ["item 3", "item 4", "item 5"]);
    // Beyond what is kept, another life, the future, or a first connect.
    for after in [at(1), Some(EventId { epoch: 1, seq: 5 }), at(9), None] {
        assert_eq!(sent(log.missed(after)), ["resync 3"], "after {after:?}");
    }
}

#[test]
fn many_streams_resyncing_at_once_share_one_render_per_state() {
    let render = Counted::new(Arc::new(Plain));
    let mut log = log_of(200, 150);
    // Handed out under the store's lock, rendered by many threads at once.
    let handles: Vec<Resync> = (0..64)
        .map(|n| match n % 2 {
            0 => log.resync(),
            _ => match log.missed(None) {
                Missed::Whole(resync) => resync,
                Missed::Items(_) => panic!("a first connect is resynced"),
            },
        })
        .collect();
    let frames: Vec<Frame> = std::thread::scope(|scope| {
        let threads: Vec<_> = handles
            .iter()
            .map(|resync| scope.spawn(|| resync.frame(&render)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("render"))
            .collect()
    });
    assert_eq!(render.resyncs(), 1, "one render for one state of the log");
    assert!(frames.iter().all(|f| f.sse == frames[0].sse));
    assert_eq!(&frames[0].sse[..], b"resync 150");

    // The log grew: the next resync is of the new state, rendered anew once.
    log.publish(&render, &message());
    let again = [log.resync(), log.resync()];
    for resync in &again {
        assert_eq!(&resync.frame(&render).sse[..], b"resync 151");
    }
    assert_eq!(render.resyncs(), 2);
    // A handle taken before it grew still renders the state it was taken at.
    assert_eq!(&handles[0].frame(&render).sse[..], b"resync 150");
    assert_eq!(render.resyncs(), 2);
}

#[test]
fn a_restarted_log_is_empty_and_keeps_its_listeners() {
    let mut log = log_of(10, 4);
    let mut rx = log.receiver();
    log.restart(EventId::start(9));
    assert!(log.history().is_empty());
    log.publish(&Plain, &message());
    let got = rx.try_recv().expect("still listening");
    assert_eq!(got.id, EventId { epoch: 9, seq: 1 });
}

#[test]
fn the_online_list_is_kept_for_later_streams_and_sent_to_open_ones() {
    let mut log = log_of(10, 0);
    let mut rx = log.receiver();
    assert!(log.online().is_none());
    let general = RoomCode::parse_slug("general").expect("slug");
    log.set_online(Plain.online(&general, log.last(), &Online::default()));
    assert_eq!(&rx.try_recv().expect("sent").sse[..], b"online 0");
    assert_eq!(log.online().map(|f| f.kind), Some(FrameKind::Online));
}

fn message() -> Event {
    use crate::chat::{Author, MessageText, Name, Seed};
    Event::Message {
        mentions: Vec::new(),
        author: Author {
            name: Name::parse("Ann", 32).expect("name"),
            seed: Seed::random(),
        },
        text: MessageText::parse("hi", 2000).expect("text"),
        at: time::OffsetDateTime::UNIX_EPOCH,
    }
}

/// Writes each item's place into its frame: "day", "grouped" or "item".
struct Placing;

impl Render for Placing {
    fn log_item(&self, _: &RoomCode, id: EventId, _: &Event, place: Place) -> Frame {
        let what = match (place.new_day, place.grouped) {
            (true, _) => "day",
            (false, true) => "grouped",
            (false, false) => "item",
        };
        frame(id, FrameKind::Log, what.to_owned())
    }
    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame {
        Plain.online(room, last, online)
    }
    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        Plain.resync(room, last, items)
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        Plain.status(last, text)
    }
}

fn said_at(author: &crate::chat::Author, at: time::OffsetDateTime) -> Event {
    Event::Message {
        mentions: Vec::new(),
        author: author.clone(),
        text: crate::chat::MessageText::parse("hi", 10).expect("text"),
        at,
    }
}

#[test]
fn the_log_places_each_item_after_the_one_before_and_a_restart_opens_a_day() {
    use time::macros::datetime;
    let ann = crate::chat::Author {
        name: crate::chat::Name::parse("Ann", 32).expect("name"),
        seed: crate::chat::Seed::random(),
    };
    let mut log = log_of(10, 0);
    log.publish(&Placing, &said_at(&ann, datetime!(2026-12-03 07:46 UTC)));
    log.publish(&Placing, &said_at(&ann, datetime!(2026-12-03 07:47 UTC)));
    log.publish(&Placing, &said_at(&ann, datetime!(2026-12-04 00:00 UTC)));
    // Numbered elsewhere (the shared store), placed alike.
    let next = log.last().next();
    let said = said_at(&ann, datetime!(2026-12-04 00:01 UTC));
    log.publish_as(&Placing, next, &said, rules::reach(&said, None, false));
    assert_eq!(texts(&log.history()), ["day", "grouped", "day", "grouped"]);
    // A new life of the log knows nothing before it: its first item opens a day.
    log.restart(EventId::start(9));
    log.publish(&Placing, &said_at(&ann, datetime!(2026-12-04 00:02 UTC)));
    assert_eq!(texts(&log.history()), ["day"]);
}

#[test]
fn a_message_says_whom_it_mentions_and_what_stands_in_its_place_nobody() {
    use crate::chat::ignore::View;
    let ann = crate::chat::Author {
        name: crate::chat::Name::parse("Ann", 32).expect("name"),
        seed: crate::chat::Seed::random(),
    };
    let bob = crate::chat::Author {
        name: crate::chat::Name::parse("Bob", 32).expect("name"),
        seed: crate::chat::Seed::random(),
    };
    let cat = crate::chat::Seed::random();
    let said = Event::Message {
        mentions: vec![bob.clone(), ann.clone()],
        author: ann.clone(),
        text: crate::chat::MessageText::parse("hi @Bob", 10).expect("text"),
        at: time::OffsetDateTime::UNIX_EPOCH,
    };
    let mut log = log_of(10, 0);
    log.publish(&Placing, &said);
    let id = log.last();
    let item = log.history().pop().expect("the message");
    assert_eq!(*item.reach.mentions, [bob.seed.clone(), ann.seed.clone()]);
    assert!(
        View::of(bob.seed.clone()).mentioned(&item),
        "Bob is mentioned"
    );
    assert!(!View::of(cat).mentioned(&item), "Cat is not");
    assert!(
        !View::of(ann.seed.clone()).mentioned(&item),
        "nor its author"
    );

    let gone = Event::Deleted {
        author: ann.clone(),
        at: time::OffsetDateTime::UNIX_EPOCH,
        moderator: false,
    };
    let next = log.last().next();
    assert!(log.delete_as(&Placing, next, id, &gone));
    for frame in log.history() {
        assert!(frame.reach.mentions.is_empty(), "{frame:?}");
        assert!(!View::of(bob.seed.clone()).mentioned(&frame));
    }
}
