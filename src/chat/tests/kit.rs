//! What the store tests run on: a plain-text `Render`, and the `Kit` that
//! makes a store (in memory, or on a `redis-server` of the test's own) and
//! moves its clock.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::chat::memory::{MemoryStore, Settings};
use crate::chat::redis::RedisStore;
use crate::chat::redis::testing::{self, RedisServer};
use crate::chat::room::RoomSettings;
use crate::chat::tests::general;
use crate::chat::*;

/// Renders events as short text, so tests can read frames.
pub(crate) struct Plain;

impl Render for Plain {
    fn log_item(&self, _: &RoomCode, id: EventId, event: &Event, _: Place) -> Frame {
        let text = match event {
            // The people it mentions, when any: "Ann: hi @Bob [@Bob]".
            Event::Message {
                author,
                text,
                mentions,
                ..
            } if !mentions.is_empty() => {
                let names: Vec<Name> = mentions.iter().map(|a| a.name.clone()).collect();
                let seeds: Vec<&str> = mentions.iter().map(|a| a.seed.as_str()).collect();
                format!(
                    "{}: {} [@{} {}]",
                    author.name,
                    text.as_str(),
                    join(&names),
                    seeds.join(",")
                )
            }
            Event::Message { author, text, .. } => format!("{}: {}", author.name, text.as_str()),
            Event::Joined { names, more, .. } => format!("joined {} +{more}", join(names)),
            Event::Left { names, more, .. } => format!("left {} +{more}", join(names)),
            Event::Renamed { from, to, .. } => format!("renamed {from} {to}"),
            Event::Paired { names, .. } => format!("paired {}", join(names)),
            Event::StrangerLeft { name, code, .. } => format!("stranger left {name} {code}"),
            Event::Changed { change, .. } => match change {
                Change::Owner(name) => format!("owner {name}"),
                Change::Locked(locked) => format!("locked {locked}"),
                Change::SlowMode(every) => format!("slow {:?}", every.map(|e| e.as_secs())),
                Change::ReadOnly(until) => format!("read-only {}", until.is_some()),
            },
            Event::Deleted {
                author, moderator, ..
            } => format!(
                "{}: [{}]",
                author.name,
                if *moderator { "removed" } else { "deleted" }
            ),
        };
        Frame {
            day: Some(rules::day(event.at())),
            ..Frame::new(
                id,
                FrameKind::Log,
                Bytes::from(text.clone()),
                Bytes::from(text),
            )
        }
    }
    fn online(&self, _: &RoomCode, last: EventId, online: &Online) -> Frame {
        let names: Vec<Name> = online.members.iter().map(|a| a.name.clone()).collect();
        let text = format!("online {} of {}", join(&names), online.total);
        Frame::new(last, FrameKind::Online, Bytes::from(text), Bytes::new())
    }
    fn resync(&self, _: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        Frame::new(
            last,
            FrameKind::Resync,
            Bytes::from(format!("resync {}", items.len())),
            Bytes::new(),
        )
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        Frame::new(
            last,
            FrameKind::Status,
            Bytes::from(format!("status {text}")),
            Bytes::new(),
        )
    }
}

fn join(names: &[Name]) -> String {
    names.iter().map(Name::as_str).collect::<Vec<_>>().join(",")
}

/// Which store a test runs on, and the times it uses: the in-memory store
/// on tokio's paused clock, or a Redis store (on a `redis-server` of the
/// test's own) on a clock that the test moves, with short periods.
pub(crate) struct Kit {
    pub redis: Option<RedisServer>,
    pub grace: Duration,
    pub rate_window: Duration,
    /// What every store of the kit reads the time from.
    pub clock: Clock,
    /// The heartbeats of the Redis stores made, each with its period, to
    /// wait for after moving the clock.
    beats: std::sync::Mutex<Vec<(tokio::sync::watch::Receiver<i64>, Duration)>>,
}

impl Kit {
    pub(crate) fn memory() -> Self {
        Self {
            redis: None,
            grace: Duration::from_secs(15),
            rate_window: Duration::from_secs(10),
            clock: Clock::system(),
            beats: std::sync::Mutex::default(),
        }
    }

    /// `None` (after saying so loudly) when `redis-server` is not installed.
    pub(crate) fn redis() -> Option<Self> {
        testing::available().then(|| Self {
            redis: Some(RedisServer::start()),
            grace: Duration::from_secs(1),
            rate_window: Duration::from_secs(1),
            clock: Clock::movable(),
            beats: std::sync::Mutex::default(),
        })
    }

    pub(crate) fn settings(&self, history_len: usize, big_room: usize, rate: u32) -> Settings {
        Settings {
            public_rooms: vec![general()],
            room: RoomSettings {
                history_len,
                big_room,
                notice_names: crate::chat::rules::NOTICE_NAMES,
            },
            grace: self.grace,
            rate_messages: rate,
            rate_window: self.rate_window,
            max_queue: 3,
            max_rooms: 10_000,
            max_pair_rooms: 10_000,
            address_rooms_held: 10_000,
            max_members: 10_000,
            max_streams: 100,
            code_length: crate::chat::code::CODE_LEN,
            guesses: crate::chat::rate::Allowance {
                limit: 1000,
                window: Duration::from_secs(60),
                max_keys: 1000,
            },
        }
    }

    /// A store (on Redis: another server of the same cluster each time).
    pub(crate) async fn make(&self, settings: Settings, render: Arc<dyn Render>) -> Chat {
        match &self.redis {
            None => Arc::new(MemoryStore::with_clock(
                settings,
                render,
                self.clock.clone(),
            )),
            Some(_) => Arc::new(self.redis_store(settings, render).await),
        }
    }

    /// A Redis store (another server of the same cluster each time) on the
    /// kit's clock.
    pub(crate) async fn redis_store(
        &self,
        settings: Settings,
        render: Arc<dyn Render>,
    ) -> RedisStore {
        let url = self.redis.as_ref().expect("a redis kit").url();
        let beat = super::redis::beat_for(settings.grace);
        let store = RedisStore::connect_with_clock(&url, settings, render, self.clock.clone())
            .await
            .expect("the test's redis-server answers");
        self.beats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((store.beats(), beat));
        store
    }

    /// Lets `length` of time pass for the stores. On tokio's paused time it
    /// passes at once; on Redis the clock moves a heartbeat at a time, and
    /// each step waits until every store's heartbeat has seen it (sweeps,
    /// batched notices), so nothing waits in real time.
    pub(crate) async fn pass(&self, length: Duration) {
        if self.redis.is_none() {
            return tokio::time::sleep(length).await;
        }
        let beats = self
            .beats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        // A step no longer than the quickest heartbeat, so each step is seen.
        let step = beats
            .iter()
            .map(|(_, beat)| *beat)
            .min()
            .unwrap_or_else(|| super::redis::beat_for(self.grace));
        let mut left = length;
        while !left.is_zero() {
            let by = step.min(left);
            left -= by;
            self.clock.advance(by);
            let now = self.clock.now_ms();
            for (mut beat, _) in beats.iter().cloned() {
                // A store that is gone (or halted) beats no more.
                let seen = beat.wait_for(|started| *started >= now);
                let _ = tokio::time::timeout(self.patience(), seen).await;
            }
        }
    }

    pub(crate) async fn store_with(&self, history_len: usize, big_room: usize, rate: u32) -> Chat {
        let settings = self.settings(history_len, big_room, rate);
        self.make(settings, Arc::new(Plain)).await
    }

    pub(crate) async fn store(&self) -> Chat {
        self.store_with(200, 50, 1000).await
    }

    /// Long enough for anything timed to have happened (grace periods,
    /// sweeps), even on a machine busy with other tests: waits that succeed
    /// end as soon as they do, so only a failure waits this long.
    pub(crate) fn patience(&self) -> Duration {
        self.grace * 2 + Duration::from_secs(30)
    }

    /// Waits until `check` holds, or patience runs out; whether it held.
    pub(crate) async fn until<F, Fut>(&self, mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + self.patience();
        loop {
            if check().await {
                return true;
            }
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
