//! A change that spans several slots (so that it can run on Redis Cluster)
//! is several steps: one cut short between two, as when a server stops
//! there, is finished or undone later, and nothing stays held for ever.

use super::*;
use crate::chat::redis::testing::{Conn, connect};

/// Redis, as the kit's stores share it.
fn redis(kit: &Kit) -> Conn {
    connect(&kit.redis.as_ref().expect("a redis kit").url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leave_cut_short_after_the_rooms_step_is_finished_by_the_sweeper() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let settings = Settings {
        address_rooms_held: 1,
        ..kit.settings(200, 50, 1000)
    };
    let a = kit.redis_store(settings, Arc::new(Plain)).await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let code = a.create_room(&ann, Some("10.0.0.1")).await.expect("room");
    assert_eq!(
        a.create_room(&bob, Some("10.0.0.1")).await,
        Err(ChatError::RoomsHeld)
    );
    // The room's step of Ann's leave closed it (its keys gone), and the
    // server stopped before giving back the room's place and Ann's entries.
    let mut conn = redis(&kit);
    for part in ["r", "s", "o", "e", "a", "n"] {
        let _: () = ::redis::AsyncCommands::del(&mut conn, format!("lc:{{{code}}}:{part}"))
            .await
            .expect("DEL");
    }
    kit.pass(kit.grace * 2).await;
    let given_back = kit
        .until(|| async { a.create_room(&bob, Some("10.0.0.1")).await.is_ok() })
        .await;
    assert!(
        given_back,
        "the sweeper finished the leave: the place is back"
    );
    let rooms: Vec<String> =
        ::redis::AsyncCommands::smembers(&mut conn, format!("lc:{{m:{}}}:mr", ann.id.0))
            .await
            .expect("SMEMBERS");
    assert!(rooms.is_empty(), "Ann is in no room: {rooms:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_rooms_place_whose_room_was_never_made_is_given_back() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let settings = Settings {
        address_rooms_held: 1,
        ..kit.settings(200, 50, 1000)
    };
    let a = kit.redis_store(settings, Arc::new(Plain)).await;
    // The place was taken (`reserve.lua`), and the server stopped before
    // making the room.
    let mut conn = redis(&kit);
    let taken = format!("10.0.0.1 {}", kit.clock.now_ms());
    let _: () = ::redis::AsyncCommands::hset(&mut conn, "lc:{priv}:rooms", "ZZZZ", taken)
        .await
        .expect("HSET");
    let _: () = ::redis::AsyncCommands::sadd(&mut conn, "lc:{priv}:held:10.0.0.1", "ZZZZ")
        .await
        .expect("SADD");
    let ann = member("Ann");
    assert_eq!(
        a.create_room(&ann, Some("10.0.0.1")).await,
        Err(ChatError::RoomsHeld)
    );
    kit.pass(Duration::from_secs(61)).await;
    let given_back = kit
        .until(|| async { a.create_room(&ann, Some("10.0.0.1")).await.is_ok() })
        .await;
    assert!(given_back, "a place without its room lapses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_held_for_a_room_never_made_are_matched_again() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let a = kit
        .redis_store(kit.settings(200, 50, 1000), Arc::new(Plain))
        .await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    assert_eq!(a.queue(&ann).await, Ok(Pairing::Waiting));
    let _ann_waits = a
        .watch_pairing(ann.id)
        .await
        .expect("caps")
        .expect("queued");
    // Ann was held for a pair room (`pair.lua`), and the server stopped
    // before making it.
    let mut conn = redis(&kit);
    let held = format!("~{}", kit.clock.now_ms());
    let _: () = ::redis::AsyncCommands::hset(
        &mut conn,
        format!("lc:{{q}}:w:{}", ann.id.0),
        "matched",
        held,
    )
    .await
    .expect("HSET");
    assert_eq!(a.queue(&bob).await, Ok(Pairing::Waiting), "Ann is held");
    let _bob_waits = a
        .watch_pairing(bob.id)
        .await
        .expect("caps")
        .expect("queued");
    kit.pass(Duration::from_secs(11)).await;
    let paired = kit
        .until(|| async { matches!(a.queue(&bob).await, Ok(Pairing::Matched(_))) })
        .await;
    assert!(paired, "the hold lapsed and they are paired");
}
