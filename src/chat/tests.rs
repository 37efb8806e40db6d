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

/// `who` posts `n` messages to the general room: "m0", "m1", and so on.
async fn post_numbered(chat: &dyn Store, who: &Member, n: usize) {
    for n in 0..n {
        chat.post(&general(), who.id, say(&format!("m{n}")))
            .await
            .expect("post");
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

mod cluster;
mod codes;
mod control;
mod deleting;
mod dividers;
mod doors;
mod ignoring;
mod kit;
mod limits;
mod mentions;
mod messages;
mod names;
mod notices;
mod pairing;
mod presence;
mod reading;
mod reports;
mod streams;
