//! The Redis store: several servers share rooms, presence, history and the
//! pairing queue through one Redis. Each server keeps, per room that its
//! streams read, the rendered log and a broadcast channel (`local`); Redis
//! holds the truth, changed only by atomic scripts (`scripts`); one pub/sub
//! connection per server hears that a room's log grew, and a heartbeat task
//! keeps this server's members present and times out those of dead servers
//! (`tasks`). Events are kept as plain fields and rendered by each server
//! once (`codec`); the stranger queue is `queue`; limits and caps counted in
//! Redis are `limits`.
//!
//! Ids: a room's stream ids are its event ids, `{epoch}-{seq}`, where the
//! epoch is when this life of the room began, so a stream resuming on any
//! server with `Last-Event-ID` reads exactly the gap.

mod codec;
mod limits;
mod local;
mod online;
mod queue;
mod scripts;
mod tasks;

#[cfg(test)]
pub(crate) use tasks::RECONNECTING;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::{broadcast, watch};

use super::clock::Clock;
use super::counted::Counted;
use super::memory::Settings;
use super::{
    Access, ChatError, EventId, Frame, Member, MemberId, MessageText, Name, PairWatch, Pairing,
    Render, RoomCode, RoomSummary, Snapshot, Stats, Store, Subscription,
};
use local::Local;
use scripts::{Scripts, keys};

/// Tries at finding an unused private code before giving up.
const CODE_TRIES: usize = 64;
/// Codes offered to one pairing script.
const PAIR_CODES: usize = 8;
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
    client: redis::Client,
    conn: ConnectionManager,
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
    messages: AtomicU64,
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
        let client = redis::Client::open(url).map_err(|e| format!("--redis: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        // Connected when first used, and again whenever lost: a server
        // started before its Redis serves (with `/healthz` saying 503) and
        // catches up once Redis answers.
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| format!("--redis: {e}"))?;
        let (stop, stopped) = watch::channel(());
        let inner = Arc::new(Inner {
            client,
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
            messages: AtomicU64::new(0),
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
}

/// A Redis failure, as people are told it: try again.
fn down(why: redis::RedisError) -> ChatError {
    tracing::warn!(%why, "redis");
    ChatError::Unavailable
}

impl Inner {
    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    fn history_len(&self) -> usize {
        self.settings.room.history_len.max(1)
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
        let counted: i64 = self
            .scripts
            .streams
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

    async fn leave_script(
        &self,
        code: &RoomCode,
        member: MemberId,
        mode: &str,
    ) -> Result<i64, ChatError> {
        self.scripts
            .leave
            .arg(code.as_str())
            .arg(member.0.to_string())
            .arg(self.now_ms())
            .arg(mode)
            .arg(self.history_len())
            .arg(self.settings.room.big_room)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn public_rooms(&self) -> Vec<RoomSummary> {
        let public = &self.inner.settings.public_rooms;
        let mut pipe = redis::pipe();
        for code in public {
            pipe.zcard(keys::present(code));
        }
        let counts: Vec<usize> = pipe
            .query_async(&mut self.inner.conn())
            .await
            .unwrap_or_else(|why| {
                tracing::warn!(%why, "redis");
                vec![0; public.len()]
            });
        public
            .iter()
            .zip(counts)
            .map(|(code, members)| RoomSummary {
                code: code.clone(),
                members,
            })
            .collect()
    }

    async fn create_room(
        &self,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        let inner = &self.inner;
        for _ in 0..CODE_TRIES {
            let code = RoomCode::random(inner.settings.code_length);
            let now = inner.now_ms();
            let made: i64 = inner
                .scripts
                .create
                .arg(code.as_str())
                .arg(now)
                .arg(inner.settings.max_rooms)
                .arg(member.id.0.to_string())
                .arg(codec::author(&member.seed, &member.name))
                .arg(now + inner.grace_ms())
                .arg(inner.history_len())
                .arg(now)
                .arg(holder.unwrap_or_default())
                .arg(inner.settings.address_rooms_held)
                .invoke_async(&mut inner.conn())
                .await
                .map_err(down)?;
            match made {
                1 => {
                    tracing::info!(room = %crate::logs::RoomTag(&code), "room opened");
                    return Ok(code);
                }
                -1 => return Err(ChatError::Full),
                -2 => return Err(ChatError::RoomsHeld),
                _ => continue,
            }
        }
        Err(ChatError::Full)
    }

    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError> {
        let inner = &self.inner;
        if let Some(slug) = RoomCode::parse_slug(typed).filter(|slug| inner.is_public(slug)) {
            return Ok(slug);
        }
        let code = RoomCode::parse_private(typed)
            .ok_or_else(|| ChatError::NoSuchRoom(typed.to_owned()))?;
        let exists: bool = inner.conn().exists(keys::room(&code)).await.map_err(down)?;
        exists
            .then_some(code)
            .ok_or_else(|| ChatError::NoSuchRoom(typed.to_owned()))
    }

    async fn leads(
        &self,
        code: &RoomCode,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<bool, ChatError> {
        let inner = &self.inner;
        match access {
            Access::Enter if inner.is_public(code) => Ok(true),
            Access::Enter => {
                // One read, whether the room is missing or a pair's.
                let (epoch, pair): (Option<String>, Option<String>) = redis::cmd("HMGET")
                    .arg(keys::room(code))
                    .arg("epoch")
                    .arg("pair")
                    .query_async(&mut inner.conn())
                    .await
                    .map_err(down)?;
                let admitted = match pair {
                    None => true,
                    Some(pair) => member.is_some_and(|member| {
                        let member = member.0.to_string();
                        pair.split(' ').any(|one| one == member)
                    }),
                };
                Ok(epoch.is_some() && admitted)
            }
            Access::Member => {
                let Some(member) = member else {
                    return Ok(false);
                };
                let present: Option<f64> = inner
                    .conn()
                    .zscore(keys::present(code), member.0.to_string())
                    .await
                    .map_err(down)?;
                Ok(present.is_some())
            }
        }
    }

    async fn try_code(
        &self,
        guesses: &dyn super::rate::Limiter,
        keys: &[super::rate::Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<Result<bool, Duration>, ChatError> {
        let public = code.is_some_and(|code| self.inner.is_public(code));
        match guesses.as_any().downcast_ref::<limits::RedisAttempts>() {
            Some(counted) => counted.try_code(keys, code, member, access, public).await,
            None => {
                super::try_code_then_forgive(self, guesses, keys, code, member, access, public)
                    .await
            }
        }
    }

    async fn enter(&self, code: &RoomCode, member: &Member) -> Result<Snapshot, ChatError> {
        let inner = &self.inner;
        let now = inner.now_ms();
        let entered: i64 = inner
            .scripts
            .enter
            .arg(code.as_str())
            .arg(member.id.0.to_string())
            .arg(codec::author(&member.seed, &member.name))
            .arg(now + inner.grace_ms())
            .arg(inner.history_len())
            .arg(now)
            .arg(inner.public_epoch(code))
            .arg(inner.settings.max_members)
            .arg(inner.settings.room.big_room)
            .invoke_async(&mut inner.conn())
            .await
            .map_err(down)?;
        match entered {
            -1 => return Err(ChatError::NoSuchRoom(code.to_string())),
            -2 => return Err(ChatError::RoomFull),
            _ => {}
        }
        inner.sync(code).await?;
        let online = inner.read_online(code).await?;
        let public = inner.is_public(code);
        let pair: bool = !public
            && inner
                .conn()
                .hexists(keys::room(code), "pair")
                .await
                .map_err(down)?;
        let (items, last) = inner.local_log(code).ok_or(ChatError::Unavailable)?;
        Ok(Snapshot {
            code: code.clone(),
            public,
            pair,
            items,
            last,
            online,
        })
    }

    async fn subscribe(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError> {
        let inner = &self.inner;
        let present: Option<f64> = inner
            .conn()
            .zscore(keys::present(code), member.0.to_string())
            .await
            .map_err(down)?;
        if present.is_none() {
            return Err(ChatError::NotMember);
        }
        inner.sync(code).await?;
        let online = inner.online_frame(code).await?;
        if !inner.count_stream(member, 1).await? {
            return Err(ChatError::TooManyStreams);
        }
        let tap = match inner.attach(code, member, after, online) {
            Ok(tap) => tap,
            Err(why) => {
                let _ = inner.count_stream(member, -1).await;
                return Err(why);
            }
        };
        // Present from now on, however long the page stays.
        let _: Result<(), _> = inner
            .conn()
            .zadd_options(
                keys::PRESENCE,
                format!("{code} {}", member.0),
                inner.now_ms() + inner.live_ms(),
                &redis::SortedSetAddOptions::update_only(Some(redis::UpdateCheck::GT)),
            )
            .await;
        // A resync is rendered here, outside the lock of this server's rooms.
        let (backlog, rx, here) = tap.open(&inner.render);
        Ok(Subscription {
            backlog,
            rx,
            here,
            guard: Box::new(local::StreamGuard {
                inner: Arc::clone(inner),
                code: code.clone(),
                member,
            }),
        })
    }

    async fn resync(&self, code: &RoomCode) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        self.inner.whole_log(code)
    }

    async fn post(
        &self,
        code: &RoomCode,
        member: MemberId,
        text: MessageText,
    ) -> Result<(), ChatError> {
        let inner = &self.inner;
        let got: Vec<i64> = inner
            .scripts
            .say
            .arg(code.as_str())
            .arg(member.0.to_string())
            .arg(inner.now_ms())
            .arg(inner.settings.rate_window.as_millis() as i64)
            .arg(inner.settings.rate_messages)
            .arg(inner.history_len())
            .arg(text.as_str())
            .invoke_async(&mut inner.conn())
            .await
            .map_err(down)?;
        match got.as_slice() {
            [1] => {}
            [-2, wait] => {
                return Err(ChatError::TooFast(Duration::from_millis(
                    (*wait).max(0) as u64
                )));
            }
            [-3] => return Err(ChatError::NoSuchRoom(code.to_string())),
            _ => return Err(ChatError::NotMember),
        }
        inner.messages.fetch_add(1, Ordering::Relaxed);
        // Posted is posted: this server's streams get it when pub/sub says so,
        // or now, whichever is first.
        let _ = inner.sync_if_local(code).await;
        Ok(())
    }

    async fn leave(&self, code: &RoomCode, member: MemberId) -> Result<(), ChatError> {
        let inner = &self.inner;
        match inner.leave_script(code, member, "now").await? {
            0 => Err(ChatError::NotMember),
            _ => {
                // Their streams here get their leave notice, then end.
                let _ = inner.sync_if_local(code).await;
                inner.gone(code, member);
                Ok(())
            }
        }
    }

    async fn rename(&self, member: MemberId, to: &Name) -> Result<(), ChatError> {
        let inner = &self.inner;
        let codes: Vec<String> = inner
            .conn()
            .smembers(keys::rooms_of(member))
            .await
            .map_err(down)?;
        for code in codes.iter().filter_map(|c| RoomCode::from_path(c)) {
            let _: i64 = inner
                .scripts
                .rename
                .arg(code.as_str())
                .arg(member.0.to_string())
                .arg(to.as_str())
                .arg(inner.history_len())
                .arg(inner.now_ms())
                .invoke_async(&mut inner.conn())
                .await
                .map_err(down)?;
            let _ = inner.sync_if_local(&code).await;
        }
        Ok(())
    }

    async fn queue(&self, member: &Member) -> Result<Pairing, ChatError> {
        self.inner.queue(member).await
    }

    async fn cancel(&self, member: MemberId) {
        self.inner.cancel(member).await;
    }

    async fn pairing(&self, member: MemberId) -> Option<Pairing> {
        // Redis away: whoever asks is told to wait, not sent off the page.
        self.inner
            .read_pairing(member)
            .await
            .unwrap_or(Some(Pairing::Waiting))
    }

    async fn watch_pairing(&self, member: MemberId) -> Result<Option<PairWatch>, ChatError> {
        self.inner.watch_pairing(member).await
    }

    async fn stats(&self) -> Stats {
        let inner = &self.inner;
        let mut pipe = redis::pipe();
        pipe.scard(keys::PRIVATE)
            .scard(keys::PAIR_ROOMS)
            .hlen(keys::MEMBERS)
            .zcard(keys::QUEUE);
        let (private, pairs, members, queue): (usize, usize, usize, usize) = pipe
            .query_async(&mut inner.conn())
            .await
            .unwrap_or_default();
        Stats {
            rooms: private + pairs + inner.settings.public_rooms.len(),
            members,
            streams: inner.lock().streams,
            messages: inner.messages.load(Ordering::Relaxed),
            renders: inner.render.count(),
            resyncs: inner.render.resyncs(),
            queue,
        }
    }

    fn limiter(
        &self,
        name: &str,
        limit: usize,
        window: Duration,
        _max_keys: usize,
    ) -> Arc<dyn super::rate::Limiter> {
        Arc::new(limits::RedisAttempts {
            conn: self.inner.conn(),
            clock: self.inner.clock.clone(),
            name: name.to_owned(),
            limit,
            window,
        })
    }

    fn places(&self, name: &str, max: usize) -> Arc<dyn super::rate::Places> {
        Arc::new(limits::RedisPlaces {
            inner: Arc::clone(&self.inner),
            name: name.to_owned(),
            max,
        })
    }

    async fn health(&self) -> Result<(), String> {
        let inner = &self.inner;
        let ping = redis::cmd("PING")
            .query_async::<String>(&mut inner.conn())
            .await;
        match ping {
            Err(why) => Err(format!("redis does not answer: {why}")),
            Ok(_) if !inner.listening.load(Ordering::Relaxed) => {
                Err("redis answers, but live updates are reconnecting".to_owned())
            }
            Ok(_) => Ok(()),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing;
