//! The Redis store: several servers share rooms, presence, history and the
//! pairing queue through one Redis. Each server keeps, per room that its
//! streams read, the rendered log and a broadcast channel (`local`); Redis
//! holds the truth, changed only by atomic scripts (`scripts`, the `.lua`
//! files in `lua/`, named keys from `keys`) that check and write state while
//! `chat::rules` decides; one pub/sub connection per server hears that a
//! room's log grew, and a heartbeat task keeps this server's members present
//! and times out those of dead servers (`tasks`). `store` answers the
//! `Store` calls; a room's changes are `rooms`, its decided notices
//! (renames, gathered joins and leaves) `notices`, the stranger queue
//! `queue`, limits and caps counted in Redis `limits`, rooms of an earlier
//! version `doors`. Events are kept as plain fields and rendered by each
//! server once (`codec`).
//!
//! Ids: a room's stream ids are its event ids, `{epoch}-{seq}`, where the
//! epoch is when this life of the room began, so a stream resuming on any
//! server with `Last-Event-ID` reads exactly the gap.

mod codec;
mod conn;
mod control;
mod doors;
mod keys;
mod limits;
mod local;
mod messages;
mod notices;
mod online;
mod queue;
mod reading;
mod reports;
mod rooms;
mod scripts;
mod store;
mod tasks;

#[cfg(test)]
pub(crate) use tasks::RECONNECTING;

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::AsyncCommands;
use tokio::sync::watch;

use super::clock::Clock;
use super::counted::Counted;
use super::memory::Settings;
use super::rules;
use super::{ChatError, MemberId, Render, RoomCode};
use conn::{Conn, Target};
pub use limits::RedisLimits;
use local::Local;
use scripts::Scripts;

/// How long one Redis command may take before it counts as failed.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// How often this server refreshes its members' presence and sweeps
/// expired ones; shorter than the grace period so presence never lapses
/// while a stream is open.
pub fn beat_for(grace: Duration) -> Duration {
    (grace / 3).clamp(Duration::from_millis(100), Duration::from_secs(2))
}

/// The Redis `Store`. Cheap to clone; its tasks stop when the last clone
/// and the last stream of it are gone.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    target: Target,
    conn: Conn,
    scripts: Scripts,
    render: Counted,
    settings: Settings,
    clock: Clock,
    beat: Duration,
    /// This server, among those sharing Redis.
    server: String,
    local: Mutex<Local>,
    /// The pub/sub connection is subscribed: live delivery works.
    listening: AtomicBool,
    /// Redis failed since the last good heartbeat.
    troubled: AtomicBool,
    /// Rooms of an earlier version were given their doors (`doors`).
    doors_checked: AtomicBool,
    messages: AtomicU64,
    /// Wrong room codes tried, per key, counted with the look-up in one
    /// script (`Doors::try_code`).
    guesses: limits::RedisAttempts,
    /// Held (read) by the writes that guards start when they drop; taking it
    /// (write) waits for them, so a page closed here is known closed here.
    pending: Arc<tokio::sync::RwLock<()>>,
    /// When (on `clock`, in ms) the last heartbeat that ended began: a test
    /// that moves the clock waits for a beat that saw it moved.
    beaten: watch::Sender<i64>,
    /// Ends the tasks when the store goes.
    #[cfg_attr(not(test), allow(dead_code))]
    stop: watch::Sender<()>,
}

impl RedisStore {
    /// A store on the Redis at `url`, with this server's pub/sub listener and
    /// heartbeat started. Only a malformed `url` is an error: a Redis that
    /// does not answer yet is tried again and again.
    pub async fn connect(
        url: &str,
        settings: Settings,
        render: Arc<dyn Render>,
    ) -> Result<Self, String> {
        Self::connect_with_clock(url, settings, render, Clock::system()).await
    }

    /// `connect`, with events, presence, paces and timers following `clock`.
    pub async fn connect_with_clock(
        url: &str,
        settings: Settings,
        render: Arc<dyn Render>,
        clock: Clock,
    ) -> Result<Self, String> {
        // The URL may hold a password: it is never logged or shown.
        let target = Target::parse(url, REDIS_TIMEOUT)?;
        // Connected when first used, and again whenever lost: a server
        // started before its Redis serves (with `/healthz` saying 503) and
        // catches up once Redis answers.
        let conn = target.connect(REDIS_TIMEOUT)?;
        let (stop, stopped) = watch::channel(());
        let guesses = limits::RedisAttempts::guesses(conn.clone(), clock.clone(), &settings);
        let inner = Arc::new(Inner {
            target,
            conn,
            scripts: Scripts::new(),
            render: Counted::new(render),
            clock,
            beat: beat_for(settings.grace),
            server: uuid::Uuid::new_v4().simple().to_string(),
            settings,
            local: Mutex::new(Local::default()),
            listening: AtomicBool::new(false),
            troubled: AtomicBool::new(false),
            doors_checked: AtomicBool::new(false),
            messages: AtomicU64::new(0),
            guesses,
            pending: Arc::default(),
            beaten: watch::channel(i64::MIN).0,
            stop,
        });
        if let Err(why) = inner.alive().await {
            tracing::warn!(%why, "Redis does not answer yet: serving, and trying again");
        }
        tasks::start(&inner, stopped);
        Ok(Self { inner })
    }

    /// Limits counted in this Redis, shared by every server on it.
    pub fn limits(&self) -> RedisLimits {
        RedisLimits {
            inner: Arc::clone(&self.inner),
        }
    }

    /// When (on the store's clock, in ms) the last heartbeat that ended began.
    #[cfg(test)]
    pub(crate) fn beats(&self) -> watch::Receiver<i64> {
        self.inner.beaten.subscribe()
    }
}

#[cfg(test)]
impl RedisStore {
    /// Stops this server's tasks as if it had died: no more heartbeats,
    /// sweeps or pub/sub.
    pub fn halt(&self) {
        self.inner.stop.send_replace(());
    }

    /// Whether the pub/sub listener is subscribed now.
    pub fn listening(&self) -> bool {
        self.inner
            .listening
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A Redis failure, as people are told it: try again.
fn down(why: redis::RedisError) -> ChatError {
    tracing::warn!(%why, "redis");
    ChatError::Unavailable
}

impl Inner {
    fn conn(&self) -> Conn {
        self.conn.clone()
    }

    fn history_len(&self) -> usize {
        rules::history_len(self.settings.room.history_len)
    }

    /// Now in milliseconds, as scripts are told the time.
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn grace_ms(&self) -> i64 {
        self.settings.grace.as_millis() as i64
    }

    /// How long presence lasts from a heartbeat while a stream is open.
    fn live_ms(&self) -> i64 {
        self.grace_ms().max(3 * self.beat.as_millis() as i64)
    }

    fn is_public(&self, code: &RoomCode) -> bool {
        self.settings.public_rooms.contains(code)
    }

    /// The epoch a public room gets if Redis has lost it ("" for private rooms).
    fn public_epoch(&self, code: &RoomCode) -> String {
        if self.is_public(code) {
            self.now_ms().to_string()
        } else {
            String::new()
        }
    }

    /// Says in Redis that this server lives, for a while.
    async fn alive(&self) -> redis::RedisResult<()> {
        let ttl = 2 * self.live_ms().max(1) as u64;
        self.conn()
            .pset_ex(keys::server(&self.server), 1, ttl)
            .await
    }

    /// Counts a stream of `member` opening (`+1`) or closing (`-1`) here;
    /// false when one more would be too many.
    async fn count_stream(&self, member: MemberId, delta: i64) -> Result<bool, ChatError> {
        self.count_place(&member.0.to_string(), self.settings.max_streams, delta)
            .await
    }

    /// Takes (`+1`) or gives back (`-1`) a place of `key` held on this
    /// server, over all live servers; false when `max` are taken already.
    async fn count_place(&self, key: &str, max: usize, delta: i64) -> Result<bool, ChatError> {
        let counted: i64 = Scripts::call(&self.scripts.streams, keys::streams(key))
            .arg(key)
            .arg(&self.server)
            .arg(max)
            .arg(delta)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        Ok(counted == 1)
    }

    /// Waits for the writes of guards dropped so far.
    async fn settle(&self) {
        let _ = self.pending.write().await;
    }

    /// Runs `write` in the background, as a pending write `settle` waits for.
    fn spawn_pending<F>(&self, write: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let permit = Arc::clone(&self.pending).try_read_owned().ok();
        // Ends after one write.
        runtime.spawn(async move {
            write.await;
            drop(permit);
        });
    }

    /// `member` leaves `code` (`mode` "now", or "expire" if their presence
    /// ran out), then what is kept in other slots follows (`after_leave`).
    /// 0 not present, 1 left, 2 left and the room closed, -1 still present.
    async fn leave_script(
        &self,
        code: &RoomCode,
        member: MemberId,
        mode: &str,
    ) -> Result<i64, ChatError> {
        let now = self.now_ms();
        let mut leave = Scripts::call(&self.scripts.leave, keys::room(code));
        leave
            .arg(code.as_str())
            .arg(member.0.to_string())
            .arg(now)
            .arg(mode)
            .arg(self.history_len());
        scripts::plan(&mut leave, false, self.settings.room.big_room, now);
        scripts::list(&mut leave, &codec::changed_owner(now));
        let got: Vec<i64> = leave.invoke_async(&mut self.conn()).await.map_err(down)?;
        let (left, due) = (got.first().copied().unwrap_or(0), got.get(1).copied());
        if left < 0 {
            // Still present: the sweeper's index follows the room's record.
            if let Some(until) = due {
                let _: Result<(), _> = self
                    .conn()
                    .zadd(keys::PRESENCE, present_key(code, member), until)
                    .await;
            }
            return Ok(left);
        }
        self.after_leave(code, member, left, due.unwrap_or(0))
            .await
            .map_err(down)?;
        Ok(left)
    }

    /// What a leave (or a leave's retry) gives back outside the room's
    /// slot, each step safe to run twice; the sweeper's index entry last,
    /// so that a crash before it has the sweeper run the leave again.
    async fn after_leave(
        &self,
        code: &RoomCode,
        member: MemberId,
        left: i64,
        due: i64,
    ) -> redis::RedisResult<()> {
        let mut conn = self.conn();
        // Closed now, or (a retry) gone since: its place goes back.
        let gone = match left {
            2 => true,
            0 => !self.is_public(code) && !conn.exists::<_, bool>(keys::room(code)).await?,
            _ => false,
        };
        if gone {
            let _: i64 = Scripts::call(&self.scripts.closed, keys::PRIVATE)
                .arg(code.as_str())
                .arg("")
                .invoke_async(&mut conn)
                .await?;
        }
        let mut mine = redis::pipe();
        mine.srem(keys::rooms_of(member), code.as_str())
            .ignore()
            .scard(keys::rooms_of(member));
        let (rooms,): (i64,) = mine.query_async(&mut conn).await?;
        let mut last = redis::pipe();
        if gone {
            last.srem(keys::PAIR_ROOMS, code.as_str()).ignore();
        }
        if due > 0 {
            last.zadd(keys::BATCHES, code.as_str(), due).ignore();
        }
        count_rooms(&mut last, member, rooms);
        last.zrem(keys::PRESENCE, present_key(code, member))
            .ignore();
        last.query_async(&mut conn).await
    }

    /// Before a member enters a room: the sweeper's index (so a step that
    /// fails after it is undone by the sweeper) and the member's rooms; how
    /// many rooms they are then in.
    async fn before_enter(
        &self,
        code: &RoomCode,
        member: MemberId,
        expiry: i64,
    ) -> Result<i64, ChatError> {
        let mut pipe = redis::pipe();
        pipe.zadd_options(
            keys::PRESENCE,
            present_key(code, member),
            expiry,
            &redis::SortedSetAddOptions::add_only(),
        )
        .ignore()
        .sadd(keys::rooms_of(member), code.as_str())
        .ignore()
        .expire(keys::rooms_of(member), rules::KEEP_ROOM.as_secs() as i64)
        .ignore()
        .scard(keys::rooms_of(member));
        let (rooms,): (i64,) = pipe.query_async(&mut self.conn()).await.map_err(down)?;
        Ok(rooms)
    }

    /// After a room's step that let a member in (now in `rooms` rooms) and
    /// may have begun gathering notices (`due`, ms, 0 none).
    async fn after_enter(&self, code: &RoomCode, member: MemberId, rooms: i64, due: i64) {
        let mut pipe = redis::pipe();
        if due > 0 {
            pipe.zadd(keys::BATCHES, code.as_str(), due).ignore();
        }
        count_rooms(&mut pipe, member, rooms);
        if let Err(why) = pipe.query_async::<()>(&mut self.conn()).await {
            down(why);
        }
    }

    /// Keeps `members` present in `code` until `until` (ms), never
    /// shortening: in the room's record, then in the sweeper's index.
    async fn present_until(
        &self,
        code: &RoomCode,
        members: &[MemberId],
        until: i64,
    ) -> redis::RedisResult<()> {
        let mut refresh = Scripts::call(&self.scripts.refresh, keys::room(code));
        refresh.arg(code.as_str()).arg(until);
        for member in members {
            refresh.arg(member.0.to_string());
        }
        let _: i64 = refresh.invoke_async(&mut self.conn()).await?;
        let update = redis::SortedSetAddOptions::update_only(Some(redis::UpdateCheck::GT));
        let mut pipe = redis::pipe();
        for member in members {
            pipe.zadd_options(keys::PRESENCE, present_key(code, *member), until, &update)
                .ignore();
        }
        pipe.query_async(&mut self.conn()).await
    }
}

/// How many rooms `member` is in, for the stats: written as counted from
/// their rooms, so a late or repeated write is harmless.
fn count_rooms(pipe: &mut redis::Pipeline, member: MemberId, rooms: i64) {
    let id = member.0.to_string();
    if rooms > 0 {
        pipe.hset(keys::MEMBERS, id, rooms).ignore();
    } else {
        pipe.hdel(keys::MEMBERS, id).ignore();
    }
}

/// A member's entry in the sweeper's index of presence expiries.
fn present_key(code: &RoomCode, member: MemberId) -> String {
    format!("{code} {}", member.0)
}

#[cfg(test)]
pub(crate) mod testing;
