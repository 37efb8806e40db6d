//! Tests of the domain through the store, with a plain-text `Render` and
//! tokio's paused clock standing in for real time.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::broadcast::error::TryRecvError;

use super::memory::{MemoryStore, Settings};
use super::room::RoomSettings;
use super::*;

/// Renders events as short text, so tests can read frames.
struct Plain;

impl Render for Plain {
    fn log_item(&self, id: EventId, event: &Event) -> Frame {
        let text = match event {
            Event::Message { author, text, .. } => format!("{}: {}", author.name, text.as_str()),
            Event::Joined { names, more, .. } => format!("joined {} +{more}", join(names)),
            Event::Left { names, more, .. } => format!("left {} +{more}", join(names)),
            Event::Renamed { from, to, .. } => format!("renamed {from} {to}"),
            Event::Paired { names, .. } => format!("paired {}", join(names)),
            Event::StrangerLeft { name, code, .. } => format!("stranger left {name} {code}"),
        };
        Frame {
            id,
            kind: FrameKind::Log,
            sse: Bytes::from(text.clone()),
            html: Bytes::from(text),
        }
    }
    fn online(&self, last: EventId, online: &Online) -> Frame {
        let names: Vec<Name> = online.members.iter().map(|a| a.name.clone()).collect();
        let text = format!("online {} of {}", join(&names), online.total);
        Frame {
            id: last,
            kind: FrameKind::Online,
            sse: Bytes::from(text),
            html: Bytes::new(),
        }
    }
    fn resync(&self, last: EventId, items: &[Frame]) -> Frame {
        Frame {
            id: last,
            kind: FrameKind::Resync,
            sse: Bytes::from(format!("resync {}", items.len())),
            html: Bytes::new(),
        }
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        Frame {
            id: last,
            kind: FrameKind::Status,
            sse: Bytes::from(format!("status {text}")),
            html: Bytes::new(),
        }
    }
}

fn join(names: &[Name]) -> String {
    names.iter().map(Name::as_str).collect::<Vec<_>>().join(",")
}

const GRACE: Duration = Duration::from_secs(15);

fn store_with(history_len: usize, big_room: usize, rate: u32) -> MemoryStore {
    let settings = Settings {
        public_rooms: vec![RoomCode::parse_slug("general").expect("slug")],
        room: RoomSettings {
            history_len,
            big_room,
        },
        grace: GRACE,
        rate_messages: rate,
        rate_window: Duration::from_secs(10),
        max_queue: 3,
        max_rooms: 10_000,
        max_members: 10_000,
        max_streams: 100,
    };
    MemoryStore::new(settings, Arc::new(Plain))
}

fn store() -> MemoryStore {
    store_with(200, 50, 1000)
}

fn member(name: &str) -> Member {
    Member {
        id: MemberId::random(),
        name: Name::parse(name, 32).expect("name"),
        seed: Seed::random(),
    }
}

fn general() -> RoomCode {
    RoomCode::parse_slug("general").expect("slug")
}

fn say(text: &str) -> MessageText {
    MessageText::parse(text, 2000).expect("text")
}

/// The text of every frame waiting in a receiver.
fn drain(rx: &mut tokio::sync::broadcast::Receiver<Frame>) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(frame) => out.push(String::from_utf8_lossy(&frame.sse).into_owned()),
            Err(TryRecvError::Lagged(_)) => out.push("LAGGED".into()),
            Err(_) => return out,
        }
    }
}

fn log_texts(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .items
        .iter()
        .map(|f| String::from_utf8_lossy(&f.html).into_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn entering_twice_announces_once() {
    let chat = store();
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let snapshot = chat.enter(&general(), &ann).await.expect("enter again");
    assert_eq!(log_texts(&snapshot), ["joined Ann +0"]);
}

#[tokio::test(start_paused = true)]
async fn two_members_hear_each_other_live() {
    let chat = store();
    let (ann, bob) = (member("Ann"), member("Bob"));
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    chat.enter(&general(), &bob).await.expect("enter");
    chat.post(&general(), bob.id, say("hi Ann"))
        .await
        .expect("post");
    let got = drain(&mut sub.rx);
    assert!(got.contains(&"joined Bob +0".to_owned()), "{got:?}");
    assert!(got.contains(&"Bob: hi Ann".to_owned()), "{got:?}");
}

#[tokio::test(start_paused = true)]
async fn a_resume_gets_exactly_what_was_missed_in_order() {
    let chat = store();
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    for n in 0..5 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
    let after_two = EventId {
        seq: snap.last.seq + 2,
        ..snap.last
    };
    let sub = chat
        .subscribe(&general(), ann.id, Some(after_two))
        .await
        .expect("subscribe");
    let texts: Vec<_> = sub
        .backlog
        .iter()
        .map(|f| String::from_utf8_lossy(&f.sse).into_owned())
        .collect();
    assert_eq!(texts, ["Ann: m2", "Ann: m3", "Ann: m4", "online Ann of 1"]);
}

#[tokio::test(start_paused = true)]
async fn a_resume_from_beyond_the_history_gets_the_whole_log() {
    let chat = store_with(3, 50, 1000);
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    for n in 0..5 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
    let sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    assert_eq!(sub.backlog[0].kind, FrameKind::Resync);
    assert_eq!(&sub.backlog[0].sse[..], b"resync 3");
    // An id from another life of the room, or from the future, is resynced too.
    for stale in [
        EventId { epoch: 1, seq: 1 },
        EventId {
            seq: 999,
            ..snap.last
        },
    ] {
        let sub = chat
            .subscribe(&general(), ann.id, Some(stale))
            .await
            .expect("subscribe");
        assert_eq!(sub.backlog[0].kind, FrameKind::Resync);
    }
}

#[tokio::test(start_paused = true)]
async fn the_history_keeps_only_the_newest() {
    let chat = store_with(3, 50, 1000);
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    for n in 0..5 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(log_texts(&snap), ["Ann: m2", "Ann: m3", "Ann: m4"]);
    let ids: Vec<u64> = snap.items.iter().map(|f| f.id.seq).collect();
    assert_eq!(
        ids,
        [4, 5, 6],
        "ids keep counting while the ring drops the oldest"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reload_within_grace_makes_no_notice() {
    let chat = store();
    let (ann, bob) = (member("Ann"), member("Bob"));
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut watcher = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    chat.enter(&general(), &bob).await.expect("enter");
    let first = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe");
    drop(first); // the reload closes the stream...
    tokio::time::sleep(Duration::from_secs(5)).await;
    let second = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe"); // ...and opens another
    tokio::time::sleep(GRACE * 2).await;
    let got = drain(&mut watcher.rx);
    assert!(!got.iter().any(|t| t.starts_with("left")), "{got:?}");
    drop(second);
    tokio::time::sleep(GRACE + Duration::from_secs(1)).await;
    let got = drain(&mut watcher.rx);
    assert!(got.contains(&"left Bob +0".to_owned()), "{got:?}");
}

#[tokio::test(start_paused = true)]
async fn a_member_who_never_connects_leaves_after_grace() {
    let chat = store();
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(chat.public_rooms().await[0].members, 1);
    tokio::time::sleep(GRACE + Duration::from_secs(1)).await;
    assert_eq!(chat.public_rooms().await[0].members, 0);
}

#[tokio::test(start_paused = true)]
async fn several_streams_are_one_member() {
    let chat = store();
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let a = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("tab 1");
    let b = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("tab 2");
    assert_eq!(chat.public_rooms().await[0].members, 1);
    drop(a);
    tokio::time::sleep(GRACE * 2).await;
    assert_eq!(
        chat.public_rooms().await[0].members,
        1,
        "one tab still open"
    );
    assert_eq!(chat.stats().await.streams, 1);
    drop(b);
}

#[tokio::test(start_paused = true)]
async fn leave_is_immediate_and_ends_the_members_streams() {
    let chat = store();
    let (ann, bob) = (member("Ann"), member("Bob"));
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut watcher = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    chat.enter(&general(), &bob).await.expect("enter");
    let mut bobs = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe");
    chat.leave(&general(), bob.id).await.expect("leave");
    assert!(drain(&mut watcher.rx).contains(&"left Bob +0".to_owned()));
    assert!(
        bobs.here.changed().await.is_err(),
        "Bob's stream is told he left"
    );
    assert_eq!(
        chat.post(&general(), bob.id, say("still here?")).await,
        Err(ChatError::NotMember)
    );
    assert_eq!(
        chat.subscribe(&general(), bob.id, None).await.err(),
        Some(ChatError::NotMember)
    );
}

#[tokio::test(start_paused = true)]
async fn a_private_room_goes_with_its_last_member_and_public_rooms_stay() {
    let chat = store();
    let ann = member("Ann");
    let code = chat.create_room(&ann).await.expect("create");
    assert_eq!(chat.resolve(code.as_str()).await, Ok(code.clone()));
    let mut sub = chat
        .subscribe(&code, ann.id, None)
        .await
        .expect("subscribe");
    chat.enter(&general(), &ann).await.expect("enter");
    chat.leave(&general(), ann.id).await.expect("leave");
    assert!(chat.resolve("general").await.is_ok());
    drain(&mut sub.rx);
    let rx_closed = {
        let guard = sub.guard;
        drop(guard);
        tokio::time::sleep(GRACE + Duration::from_secs(1)).await;
        loop {
            match sub.rx.try_recv() {
                Ok(_) => continue, // her own leave notice
                Err(e) => break matches!(e, TryRecvError::Closed),
            }
        }
    };
    assert!(rx_closed, "the room's channel is gone");
    assert_eq!(
        chat.resolve(code.as_str()).await,
        Err(ChatError::NoSuchRoom(code.to_string()))
    );
    assert_eq!(chat.stats().await.rooms, 1);
    assert_eq!(chat.stats().await.members, 0);
}

#[tokio::test(start_paused = true)]
async fn codes_resolve_in_any_case_and_unknown_ones_say_what_was_typed() {
    let chat = store();
    let ann = member("Ann");
    let code = chat.create_room(&ann).await.expect("create");
    let lower = code.as_str().to_lowercase();
    assert_eq!(chat.resolve(&format!(" {lower} ")).await, Ok(code));
    assert_eq!(chat.resolve("General").await, Ok(general()));
    let err = chat.resolve("ZZZZ").await.expect_err("unknown");
    assert_eq!(err.to_string(), "No room with code ZZZZ");
}

#[tokio::test(start_paused = true)]
async fn a_rename_is_announced_in_every_room_and_old_messages_keep_their_name() {
    let chat = store();
    let ann = member("Ann");
    let code = chat.create_room(&ann).await.expect("create");
    chat.enter(&general(), &ann).await.expect("enter");
    chat.post(&general(), ann.id, say("before"))
        .await
        .expect("post");
    chat.rename(ann.id, &Name::parse("Annie", 32).expect("name"))
        .await;
    for room in [&code, &general()] {
        let renamed = Member {
            name: Name::parse("Annie", 32).expect("name"),
            ..ann.clone()
        };
        let snap = chat.enter(room, &renamed).await.expect("enter");
        assert!(
            log_texts(&snap).contains(&"renamed Ann Annie".to_owned()),
            "{room}"
        );
        assert_eq!(snap.online.members[0].name.as_str(), "Annie");
    }
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    assert!(log_texts(&snap).contains(&"Ann: before".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn posting_too_fast_is_refused_until_the_window_passes() {
    let chat = store_with(200, 50, 3);
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    for n in 0..3 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("within the limit");
    }
    let refused = chat.post(&general(), ann.id, say("one too many")).await;
    assert!(matches!(refused, Err(ChatError::TooFast(_))), "{refused:?}");
    tokio::time::sleep(Duration::from_secs(10)).await;
    chat.post(&general(), ann.id, say("later"))
        .await
        .expect("window passed");
}

#[tokio::test(start_paused = true)]
async fn the_online_list_is_sent_at_most_once_a_second() {
    let chat = store();
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    for n in 0..20 {
        chat.enter(&general(), &member(&format!("P{n}")))
            .await
            .expect("enter");
    }
    let onlines = |got: &[String]| got.iter().filter(|t| t.starts_with("online")).count();
    assert!(onlines(&drain(&mut sub.rx)) <= 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let got = drain(&mut sub.rx);
    assert_eq!(onlines(&got), 1, "{got:?}");
    assert!(
        got.iter().any(|t| t.ends_with("of 21")),
        "the last list counts everyone: {got:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn joins_in_a_big_room_are_batched_into_one_notice() {
    let chat = store_with(200, 3, 1000);
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    for n in 0..10 {
        chat.enter(&general(), &member(&format!("P{n}")))
            .await
            .expect("enter");
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let joins: Vec<String> = drain(&mut sub.rx)
        .into_iter()
        .filter(|t| t.starts_with("joined"))
        .collect();
    // Up to three members is a small room; from the fourth on, joins are gathered.
    assert_eq!(joins, ["joined P0 +0", "joined P1 +0", "joined P2,P3 +6"]);
}

#[tokio::test(start_paused = true)]
async fn each_message_is_rendered_once_whoever_listens() {
    let chat = store();
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(
            chat.subscribe(&general(), ann.id, None)
                .await
                .expect("subscribe"),
        );
    }
    let before = chat.stats().await.renders;
    for n in 0..10 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
    assert_eq!(chat.stats().await.renders - before, 10);
}

mod pairing;
