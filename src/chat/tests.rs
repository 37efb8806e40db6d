//! Tests of the domain through the store, with a plain-text `Render` and a
//! clock the test moves: tokio's paused time for the in-memory store, a
//! movable `Clock` for Redis (see `Kit::pass`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::memory::{MemoryStore, Settings};
use super::rate::Key;
use super::redis::RedisStore;
use super::redis::testing::{self, RedisServer};
use super::room::RoomSettings;
use super::*;
use kit::{Kit, Plain};

/// Runs each named test (an `async fn(Kit)`) on both stores: always on the
/// in-memory one, and on Redis when `redis-server` is installed.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod on_memory {
            $(
                #[tokio::test(start_paused = true)]
                async fn $name() {
                    super::$name(super::Kit::memory()).await
                }
            )*
        }
        mod on_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(kit) = super::Kit::redis() else { return };
                    super::$name(kit).await
                }
            )*
        }
    };
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

/// `who` enters the general room and listens from there on.
async fn listen(chat: &dyn Store, who: &Member) -> Subscription {
    let snap = chat.enter(&general(), who).await.expect("enter");
    chat.subscribe(&general(), who.id, Some(snap.last))
        .await
        .expect("subscribe")
}

/// `n` more people enter the general room: P0, P1...
async fn crowd(chat: &dyn Store, n: usize) {
    for n in 0..n {
        chat.enter(&general(), &member(&format!("P{n}")))
            .await
            .expect("enter");
    }
}

/// Receives until a frame reads `wanted`, or nothing comes for a long while;
/// everything received.
async fn hear(rx: &mut tokio::sync::broadcast::Receiver<Frame>, wanted: &str) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
            Ok(Ok(frame)) => {
                let text = String::from_utf8_lossy(&frame.sse).into_owned();
                let done = text == wanted;
                got.push(text);
                if done {
                    return got;
                }
            }
            Ok(Err(RecvError::Lagged(_))) => got.push("LAGGED".into()),
            _ => return got,
        }
    }
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

async fn entering_twice_announces_once(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let snapshot = chat.enter(&general(), &ann).await.expect("enter again");
    assert_eq!(log_texts(&snapshot), ["joined Ann +0"]);
}

async fn two_members_hear_each_other_live(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut sub = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    chat.post(&general(), bob.id, say("hi Ann"))
        .await
        .expect("post");
    let got = drain(&mut sub.rx);
    assert!(got.contains(&"joined Bob +0".to_owned()), "{got:?}");
    assert!(got.contains(&"Bob: hi Ann".to_owned()), "{got:?}");
}

async fn a_resume_gets_exactly_what_was_missed_in_order(kit: Kit) {
    let chat = kit.store().await;
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

async fn a_resume_from_beyond_the_history_gets_the_whole_log(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
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

async fn the_history_keeps_only_the_newest(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
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

async fn a_reload_within_grace_makes_no_notice(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut watcher = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    let first = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe");
    drop(first); // the reload closes the stream...
    kit.pass(kit.grace / 3).await;
    let second = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe"); // ...and opens another
    kit.pass(kit.grace * 2).await;
    let got = drain(&mut watcher.rx);
    assert!(!got.iter().any(|t| t.starts_with("left")), "{got:?}");
    drop(second);
    kit.pass(kit.grace * 2).await;
    let got = hear(&mut watcher.rx, "left Bob +0").await;
    assert!(got.contains(&"left Bob +0".to_owned()), "{got:?}");
}

async fn a_member_who_never_connects_leaves_after_grace(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(chat.public_rooms().await[0].members, 1);
    kit.pass(kit.grace * 2).await;
    let gone = kit
        .until(|| async { chat.public_rooms().await[0].members == 0 })
        .await;
    assert!(gone, "Ann left after the grace period");
}

async fn page_loads_without_a_stream_do_not_keep_a_member(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let gone = kit
        .until(|| async {
            let gone = chat.public_rooms().await[0].members == 0;
            if !gone {
                chat.enter(&general(), &ann).await.expect("reload");
            }
            gone
        })
        .await;
    assert!(gone, "only an open stream keeps a member present");
}

async fn several_streams_are_one_member(kit: Kit) {
    let chat = kit.store().await;
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
    kit.pass(kit.grace * 2).await;
    assert_eq!(
        chat.public_rooms().await[0].members,
        1,
        "one tab still open"
    );
    assert_eq!(chat.stats().await.streams, 1);
    drop(b);
}

async fn leave_is_immediate_and_ends_the_members_streams(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut watcher = listen(&*chat, &ann).await;
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

async fn a_private_room_goes_with_its_last_member_and_public_rooms_stay(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
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
        loop {
            match tokio::time::timeout(kit.patience(), sub.rx.recv()).await {
                Ok(Ok(_)) => continue, // her own leave notice
                Ok(Err(e)) => break matches!(e, RecvError::Closed),
                Err(_) => break false,
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

async fn codes_resolve_in_any_case_and_unknown_ones_say_what_was_typed(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
    let lower = code.as_str().to_lowercase();
    assert_eq!(chat.resolve(&format!(" {lower} ")).await, Ok(code));
    assert_eq!(chat.resolve("General").await, Ok(general()));
    let err = chat.resolve("ZZZZ").await.expect_err("unknown");
    assert_eq!(err.to_string(), "No room with code ZZZZ");
}

/// A code leads where a person may go, and nowhere else: a missing room and
/// a random-chat room of two others look the same.
async fn a_code_leads_only_where_the_person_may_go(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let code = chat.create_room(&ann, None).await.expect("create");
    let leads = |code: RoomCode, who: Option<&Member>, access| {
        let (chat, who) = (chat.clone(), who.map(|m| m.id));
        async move { chat.leads(&code, who, access).await.expect("answers") }
    };
    assert!(leads(code.clone(), Some(&ann), Access::Member).await);
    assert!(!leads(code.clone(), Some(&bob), Access::Member).await);
    assert!(!leads(code.clone(), None, Access::Member).await);
    assert!(leads(code.clone(), Some(&bob), Access::Enter).await);
    assert!(leads(code.clone(), None, Access::Enter).await);
    let missing = RoomCode::parse_private("ZZZZZZZZZZZZ").expect("a code");
    for access in [Access::Enter, Access::Member] {
        assert!(!leads(missing.clone(), Some(&ann), access).await);
        assert!(!leads(missing.clone(), None, access).await);
    }
    assert!(leads(general(), None, Access::Enter).await);
    assert!(!leads(general(), Some(&cy), Access::Member).await);
    chat.enter(&general(), &cy).await.expect("enter");
    assert!(leads(general(), Some(&cy), Access::Member).await);
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    for access in [Access::Enter, Access::Member] {
        assert!(leads(pair.clone(), Some(&ann), access).await);
        assert!(leads(pair.clone(), Some(&bob), access).await);
        assert!(!leads(pair.clone(), Some(&cy), access).await, "{access:?}");
        assert!(!leads(pair.clone(), None, access).await, "{access:?}");
    }
}

/// A try at a code counts only when it misses, in the same step as the
/// look-up: many right codes at once never use up the budget, and past the
/// limit every code is refused, a right one too.
async fn a_try_at_a_code_counts_only_misses_and_then_refuses_every_code(kit: Kit) {
    let settings = Settings {
        guesses: rate::Allowance {
            limit: 3,
            window: Duration::from_secs(60),
            max_keys: 100,
        },
        ..kit.settings(200, 50, 1000)
    };
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let (ann, bob, eve) = (member("Ann"), member("Bob"), member("Eve"));
    let code = chat.create_room(&ann, None).await.expect("create");
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    let keys = vec![Key::new("a:192.0.2.1"), Key::new(format!("m:{}", eve.id.0))];
    let try_code = |code: Option<RoomCode>, access| {
        let (chat, keys) = (chat.clone(), keys.clone());
        async move {
            chat.try_code(&keys, code.as_ref(), Some(eve.id), access)
                .await
                .expect("answers")
        }
    };
    let hits = (0..40).map(|n| {
        let access = if n % 2 == 0 {
            Access::Enter
        } else {
            Access::Member
        };
        let code = if n % 2 == 0 { code.clone() } else { general() };
        try_code(Some(code), access)
    });
    chat.enter(&general(), &eve).await.expect("enter");
    let hits = futures_util::future::join_all(hits).await;
    assert!(hits.iter().all(|hit| *hit == Ok(true)), "{hits:?}");
    for _ in 0..10 {
        let outside = chat
            .try_code(&keys, Some(&general()), Some(bob.id), Access::Member)
            .await;
        assert_eq!(
            outside,
            Ok(Ok(false)),
            "not in a public room: no secret, no count"
        );
    }
    let missing = RoomCode::parse_private("ZZZZZZZZZZZ").expect("a code");
    assert_eq!(try_code(Some(pair), Access::Enter).await, Ok(false));
    assert_eq!(try_code(Some(missing), Access::Enter).await, Ok(false));
    assert_eq!(try_code(None, Access::Member).await, Ok(false));
    let Err(wait) = try_code(Some(code.clone()), Access::Enter).await else {
        panic!("a right code is refused too, past the limit")
    };
    assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
    let elsewhere = [Key::new("a:192.0.2.2")];
    assert_eq!(
        chat.try_code(&elsewhere, Some(&code), None, Access::Enter)
            .await,
        Ok(Ok(true)),
        "another address without the member is not slowed"
    );
}

/// New rooms, private and random-chat, get codes as long as configured.
async fn new_codes_are_as_long_as_configured(kit: Kit) {
    let settings = Settings {
        code_length: 9,
        ..kit.settings(200, 50, 1000)
    };
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let code = chat.create_room(&ann, None).await.expect("create");
    assert_eq!(code.as_str().len(), 9, "{code}");
    assert_eq!(chat.resolve(&code.as_str().to_lowercase()).await, Ok(code));
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    assert_eq!(pair.as_str().len(), 9, "{pair}");
    assert!(RoomCode::from_path(pair.as_str()).is_some());
}

async fn a_rename_is_announced_in_every_room_and_old_messages_keep_their_name(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
    chat.enter(&general(), &ann).await.expect("enter");
    chat.post(&general(), ann.id, say("before"))
        .await
        .expect("post");
    chat.rename(ann.id, &Name::parse("Annie", 32).expect("name"))
        .await
        .expect("renamed");
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

async fn posting_too_fast_is_refused_until_the_window_passes(kit: Kit) {
    let chat = kit.store_with(200, 50, 3).await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let _present = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("subscribe");
    for n in 0..3 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("within the limit");
    }
    let refused = chat.post(&general(), ann.id, say("one too many")).await;
    assert!(matches!(refused, Err(ChatError::TooFast(_))), "{refused:?}");
    kit.pass(kit.rate_window).await;
    chat.post(&general(), ann.id, say("later"))
        .await
        .expect("window passed");
}

#[tokio::test(start_paused = true)]
async fn the_online_list_is_sent_at_most_once_a_second() {
    // Counted against the paused clock, so only in memory; the Redis store
    // coalesces the same way per server (see `online_counts_everyone`).
    let kit = Kit::memory();
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 20).await;
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

async fn joins_in_a_big_room_are_batched_into_one_notice(kit: Kit) {
    let chat = kit.store_with(200, 3, 1000).await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    for n in 0..10 {
        chat.enter(&general(), &member(&format!("P{n}")))
            .await
            .expect("enter");
    }
    let joins: Vec<String> = hear(&mut sub.rx, "joined P2,P3 +6")
        .await
        .into_iter()
        .filter(|t| t.starts_with("joined"))
        .collect();
    // Up to three members is a small room; from the fourth on, joins are gathered.
    assert_eq!(joins, ["joined P0 +0", "joined P1 +0", "joined P2,P3 +6"]);
}

async fn each_message_is_rendered_once_whoever_listens(kit: Kit) {
    let chat = kit.store().await;
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

async fn many_streams_resyncing_at_once_render_the_log_once(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    for n in 0..5 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
    let before = chat.stats().await.resyncs;
    let room = general();
    // Streams resuming from beyond the history, and streams that fell behind.
    let (subs, resyncs) = tokio::join!(
        futures_util::future::join_all((0..20).map(|_| chat.subscribe(
            &room,
            ann.id,
            Some(snap.last)
        ))),
        futures_util::future::join_all((0..20).map(|_| chat.resync(&room))),
    );
    for sub in subs {
        let sub = sub.expect("subscribe");
        assert_eq!(&sub.backlog[0].sse[..], b"resync 3");
    }
    for resync in resyncs {
        let (frame, _) = resync.expect("the room is followed");
        assert_eq!(&frame.sse[..], b"resync 3");
    }
    assert_eq!(
        chat.stats().await.resyncs - before,
        1,
        "one render of the whole log for one state of it"
    );
    chat.post(&general(), ann.id, say("m5"))
        .await
        .expect("post");
    let _sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    assert_eq!(chat.stats().await.resyncs - before, 2, "the log grew");
}

async fn online_counts_everyone(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 20).await;
    let got = hear(
        &mut sub.rx,
        "online Ann,P0,P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P12,P13,P14,P15,P16,P17,P18,P19 of 21",
    )
    .await;
    assert!(
        got.iter().any(|t| t.ends_with("of 21")),
        "the last list counts everyone, in order of arrival: {got:?}"
    );
}

on_both_stores!(
    entering_twice_announces_once,
    two_members_hear_each_other_live,
    a_resume_gets_exactly_what_was_missed_in_order,
    a_resume_from_beyond_the_history_gets_the_whole_log,
    the_history_keeps_only_the_newest,
    a_reload_within_grace_makes_no_notice,
    a_member_who_never_connects_leaves_after_grace,
    page_loads_without_a_stream_do_not_keep_a_member,
    several_streams_are_one_member,
    leave_is_immediate_and_ends_the_members_streams,
    a_private_room_goes_with_its_last_member_and_public_rooms_stay,
    codes_resolve_in_any_case_and_unknown_ones_say_what_was_typed,
    a_code_leads_only_where_the_person_may_go,
    a_try_at_a_code_counts_only_misses_and_then_refuses_every_code,
    new_codes_are_as_long_as_configured,
    a_rename_is_announced_in_every_room_and_old_messages_keep_their_name,
    posting_too_fast_is_refused_until_the_window_passes,
    online_counts_everyone,
    joins_in_a_big_room_are_batched_into_one_notice,
    each_message_is_rendered_once_whoever_listens,
    many_streams_resyncing_at_once_render_the_log_once,
);

mod cluster;
mod doors;
mod kit;
mod limits;
mod notices;
mod pairing;
