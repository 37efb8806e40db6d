//! The two tasks of each server: the pub/sub listener (one connection,
//! reconnecting with backoff, catching every followed room up after a
//! reconnect) and the heartbeat (keeps this server's members present and
//! queued, times out whoever's presence ran out, whichever server they were
//! on, and forgets rooms nobody here reads).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use tokio::sync::watch;
use tokio::time::Instant;

use super::scripts::Scripts;
use super::{Inner, keys};
use crate::chat::rules::KEEP_ROOM;
use crate::chat::{MemberId, Pairing, RoomCode, Seed};

/// Most expired presences (or waiters) one sweep handles; the rest wait a beat.
const SWEEP_BATCH: isize = 200;
/// A room nobody here has read for this long is forgotten here.
const FORGET_AFTER: Duration = Duration::from_secs(30);
/// How often a room read here has its keys' expiry pushed back.
const KEEP_EVERY: Duration = Duration::from_secs(600);
/// How often the pub/sub connection is checked, and how long its answer may take.
const PING_EVERY: Duration = Duration::from_secs(5);
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest wait between tries at the pub/sub connection.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub(crate) const RECONNECTING: &str =
    "Live updates are reconnecting: what is sent meanwhile will show once they are back…";

pub(super) fn start(inner: &Arc<Inner>, stopped: watch::Receiver<()>) {
    let weak = Arc::downgrade(inner);
    let nodes = inner.target.pubsub_nodes();
    let mut stop = stopped.clone();
    // Ends when the store is dropped.
    tokio::spawn(async move {
        tokio::select! {
            () = listen(weak, nodes) => {}
            _ = stop.changed() => {}
        }
    });
    let weak = Arc::downgrade(inner);
    let beat = inner.beat;
    let mut stop = stopped;
    // Ends when the store is dropped.
    let clock = inner.clock.clone();
    tokio::spawn(async move {
        // The first beat at once, then one a beat after the last ended, on
        // the store's clock.
        let mut next = clock.now();
        loop {
            tokio::select! {
                () = clock.sleep_until(next) => {}
                _ = stop.changed() => {
                    // No beat will come: whoever waits for one waits no more.
                    if let Some(inner) = weak.upgrade() {
                        inner.beaten.send_replace(i64::MAX);
                    }
                    return;
                }
            }
            let Some(inner) = weak.upgrade() else { return };
            let started = inner.now_ms();
            if let Err(why) = heartbeat(&inner).await {
                tracing::warn!(%why, "redis heartbeat");
                inner.troubled.store(true, Ordering::Relaxed);
            }
            next = clock.now() + beat;
            inner.beaten.send_replace(started);
        }
    });
}

/// Listens to pub/sub for as long as the store lives, reconnecting.
async fn listen(weak: Weak<Inner>, nodes: Vec<redis::Client>) {
    let mut backoff = Duration::from_millis(50);
    // On a cluster, any node hears every publish: when one fails, the next.
    for client in nodes.iter().cycle() {
        match subscribe(client).await {
            Ok(pubsub) => {
                backoff = Duration::from_millis(50);
                let Some(inner) = weak.upgrade() else { return };
                if !inner.listening.swap(true, Ordering::Relaxed) {
                    inner.tell_streams("");
                }
                if let Err(why) = inner.open_old_doors().await {
                    tracing::warn!(%why, "redis: rooms of an earlier version");
                }
                // Whatever was said while nobody listened is in the logs.
                for code in inner.local_rooms() {
                    let _ = inner.sync(&code).await;
                }
                drop(inner);
                let (mut sink, mut messages) = pubsub.split();
                let mut check = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
                loop {
                    tokio::select! {
                        msg = messages.next() => {
                            let Some(msg) = msg else { break };
                            let Some(inner) = weak.upgrade() else { return };
                            let Ok(payload) = msg.get_payload::<String>() else {
                                continue;
                            };
                            heard(&inner, msg.get_channel_name(), &payload);
                        }
                        _ = check.tick() => {
                            // A connection that went silently dead answers nothing.
                            let pong = tokio::time::timeout(PING_TIMEOUT, sink.ping::<redis::Value>()).await;
                            if !matches!(pong, Ok(Ok(_))) {
                                break;
                            }
                        }
                    }
                }
            }
            Err(why) => tracing::warn!(%why, "redis pub/sub"),
        }
        let Some(inner) = weak.upgrade() else { return };
        inner.troubled.store(true, Ordering::Relaxed);
        if inner.listening.swap(false, Ordering::Relaxed) {
            tracing::warn!("redis pub/sub lost: reconnecting");
            inner.tell_streams(RECONNECTING);
        }
        drop(inner);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Subscribes on one node, or gives up after `PING_TIMEOUT`: a node that takes
/// the connection and never answers (frozen, cut off) must not hold the
/// listener, which then tries the next seed.
async fn subscribe(client: &redis::Client) -> redis::RedisResult<redis::aio::PubSub> {
    match tokio::time::timeout(PING_TIMEOUT, subscribed(client)).await {
        Ok(done) => done,
        Err(_) => Err(redis::RedisError::from(std::io::Error::from(
            std::io::ErrorKind::TimedOut,
        ))),
    }
}

async fn subscribed(client: &redis::Client) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(keys::EVENTS).await?;
    pubsub.subscribe(keys::PAIRS).await?;
    pubsub.subscribe(keys::GONE).await?;
    pubsub.subscribe(keys::IGNORES).await?;
    pubsub.subscribe(keys::TYPING).await?;
    Ok(pubsub)
}

/// One pub/sub message: a room's log grew, or someone was matched.
fn heard(inner: &Arc<Inner>, channel: &str, payload: &str) {
    if channel == keys::PAIRS {
        let matched = payload.split_once(' ').and_then(|(member, code)| {
            Some((
                MemberId(uuid::Uuid::parse_str(member).ok()?),
                RoomCode::from_path(code)?,
            ))
        });
        if let Some((member, code)) = matched {
            inner.matched(member, code);
        }
        return;
    }
    if channel == keys::GONE {
        let gone = payload.split_once(' ').and_then(|(code, member)| {
            Some((
                RoomCode::from_path(code)?,
                MemberId(uuid::Uuid::parse_str(member).ok()?),
            ))
        });
        if let Some((code, member)) = gone {
            inner.gone(&code, member);
        }
        return;
    }
    if channel == keys::TYPING {
        if let Some((code, who)) = super::reading::parse_typing(payload) {
            inner.typing_heard(&code, &who);
        }
        return;
    }
    if channel == keys::IGNORES {
        let mut parts = payload.split(' ');
        let member = parts.next().and_then(|m| uuid::Uuid::parse_str(m).ok());
        let seed = parts.next().and_then(Seed::parse);
        if let (Some(member), Some(seed)) = (member, seed) {
            inner.ignores_changed(MemberId(member), seed, parts.next() == Some("on"));
        }
        return;
    }
    let Some(code) = RoomCode::from_path(payload) else {
        return;
    };
    match inner.lock().rooms.get_mut(&code) {
        // A read already asked for will see this too.
        Some(room) if room.wanted => return,
        Some(room) => room.wanted = true,
        None => return,
    }
    let inner = Arc::clone(inner);
    // Ends when the room is read.
    tokio::spawn(async move {
        let _ = inner.sync(&code).await;
    });
}

/// One beat: refresh, sweep, forget.
async fn heartbeat(inner: &Arc<Inner>) -> redis::RedisResult<()> {
    let (attached, waiting, kept) = {
        let now = inner.clock.now();
        let mut local = inner.lock();
        local.rooms.retain(|_, room| {
            !(room.idle() && now - room.used > FORGET_AFTER && room.streams() == 0)
        });
        // What streams no longer open here were shown.
        local.views.retain(|_, view| view.receiver_count() > 0);
        // Rooms read here keep their keys alive, however quiet they are.
        let kept: Vec<RoomCode> = local
            .rooms
            .iter_mut()
            .filter(|(_, room)| room.streams() > 0)
            .filter(|(_, room)| room.kept.is_none_or(|at| now - at > KEEP_EVERY))
            .map(|(code, room)| {
                room.kept = Some(now);
                code.clone()
            })
            .collect();
        let attached: Vec<(RoomCode, Vec<MemberId>)> = local
            .rooms
            .iter()
            .map(|(code, room)| (code.clone(), room.attached().collect::<Vec<_>>()))
            .filter(|(_, members)| !members.is_empty())
            .collect();
        let waiting: Vec<MemberId> = local.watchers.keys().copied().collect();
        (attached, waiting, kept)
    };
    let mut conn = inner.conn();
    let now = inner.now_ms();
    let mut pipe = redis::pipe();
    pipe.cmd("PING").ignore();
    for code in &kept {
        for key in [
            keys::room(code),
            keys::log(code),
            keys::present(code),
            keys::authors(code),
            keys::names(code),
        ] {
            pipe.expire(key, KEEP_ROOM.as_secs() as i64).ignore();
        }
    }
    pipe.query_async::<()>(&mut conn).await?;
    // One step per room (its own slot), sent together.
    let refreshed = attached
        .iter()
        .map(|(code, members)| inner.present_until(code, members, now + inner.live_ms()));
    for done in futures_util::future::join_all(refreshed).await {
        done?;
    }
    inner.alive().await?;
    give_back_unmade_rooms(inner, now).await?;
    // Sent together: the connection pipelines them.
    for chunk in waiting.chunks(SWEEP_BATCH as usize) {
        let beats = chunk.iter().map(|member| inner.waiting(*member, true));
        let heard = futures_util::future::join_all(beats).await;
        for (member, now) in chunk.iter().zip(heard) {
            if let Ok(Some(Pairing::Matched(code))) = now {
                inner.matched(*member, code);
            }
        }
    }
    // After Redis was out of reach, every presence looks expired: sweep only
    // once every live server has had time to refresh its own.
    let hold = {
        let mut hold = inner.lock();
        if inner.troubled.swap(false, Ordering::Relaxed) {
            let live = Duration::from_millis(inner.live_ms() as u64);
            hold.sweep_after = Some(inner.clock.now() + live + inner.beat);
        }
        hold.sweep_after
            .is_some_and(|after| inner.clock.now() < after)
    };
    if hold {
        return Ok(());
    }
    let expired: Vec<String> = conn
        .zrangebyscore_limit(keys::PRESENCE, "-inf", now, 0, SWEEP_BATCH)
        .await?;
    for key in expired {
        let Some((code, member)) = key.split_once(' ') else {
            let _: () = conn.zrem(keys::PRESENCE, &key).await?;
            continue;
        };
        let (Some(code), Ok(member)) = (RoomCode::from_path(code), uuid::Uuid::parse_str(member))
        else {
            let _: () = conn.zrem(keys::PRESENCE, &key).await?;
            continue;
        };
        let left = inner.leave_script(&code, MemberId(member), "expire").await;
        if left.is_ok_and(|left| left > 0) {
            let _ = inner.sync_if_local(&code).await;
        }
    }
    let due: Vec<(String, String)> = conn
        .zrangebyscore_limit_withscores(keys::BATCHES, "-inf", now, 0, SWEEP_BATCH)
        .await?;
    for (code, due) in due {
        let Some(code) = RoomCode::from_path(&code) else {
            let _: () = conn.zrem(keys::BATCHES, &code).await?;
            continue;
        };
        if inner.flush_gathered(&code, &due).await.is_ok() {
            let _ = inner.sync_if_local(&code).await;
        }
    }
    let unqueued: Vec<String> = conn
        .zrangebyscore_limit(keys::QUEUE_EXPIRY, "-inf", now, 0, SWEEP_BATCH)
        .await?;
    for member in unqueued {
        let _: i64 = Scripts::call(&inner.scripts.unqueue, keys::QUEUE)
            .arg(&member)
            .arg(now)
            .invoke_async(&mut conn)
            .await?;
    }
    Ok(())
}

/// How long a private room's place may wait for its room to be made
/// (`reserve.lua`, then `create.lua`) before it counts as never made.
const UNMADE_AFTER: i64 = 60_000;

/// Gives back the places of private rooms that were never made (a server
/// stopped between taking the place and making the room), a few a beat.
async fn give_back_unmade_rooms(inner: &Arc<Inner>, now: i64) -> redis::RedisResult<()> {
    let mut conn = inner.conn();
    let some: Vec<String> = redis::cmd("HRANDFIELD")
        .arg(keys::PRIVATE)
        .arg(10)
        .arg("WITHVALUES")
        .query_async(&mut conn)
        .await?;
    for pair in some.chunks_exact(2) {
        let Some((_, at)) = pair[1].rsplit_once(' ') else {
            continue;
        };
        let Ok(at_ms) = at.parse::<i64>() else {
            continue;
        };
        let Some(code) = RoomCode::from_path(&pair[0]) else {
            continue;
        };
        if at_ms + UNMADE_AFTER > now {
            continue;
        }
        let made: bool = conn.exists(keys::room(&code)).await?;
        if !made {
            let _: i64 = Scripts::call(&inner.scripts.closed, keys::PRIVATE)
                .arg(code.as_str())
                .arg(at)
                .invoke_async(&mut conn)
                .await?;
        }
    }
    Ok(())
}
