//! Attempts and places counted in Redis, so a limit holds however many
//! servers they are spread over: attempts as one sorted set of times per
//! key, expiring with its window; places as counts per server, of live
//! servers only (see the `STREAMS` script).

use std::sync::Arc;
use std::time::Duration;

use super::conn::Conn;
use async_trait::async_trait;
use redis::AsyncCommands;

use super::{Inner, keys};
use crate::chat::memory::Settings;
use crate::chat::rate::{Attempt, Key, Limiter, Places};
use crate::chat::rules;
use crate::chat::{Access, ChatError, Clock, Limits, MemberId, RoomCode};

/// Limits counted in Redis (`RedisStore::limits`), shared by every server
/// on it.
pub struct RedisLimits {
    pub(super) inner: Arc<Inner>,
}

impl Limits for RedisLimits {
    fn limiter(
        &self,
        name: &str,
        limit: usize,
        window: Duration,
        _max_keys: usize,
    ) -> Arc<dyn Limiter> {
        Arc::new(RedisAttempts {
            conn: self.inner.conn(),
            name: name.to_owned(),
            limit,
            window,
            clock: self.inner.clock.clone(),
        })
    }

    fn places(&self, name: &str, max: usize) -> Arc<dyn Places> {
        Arc::new(RedisPlaces {
            inner: Arc::clone(&self.inner),
            name: name.to_owned(),
            max,
        })
    }
}

pub struct RedisAttempts {
    conn: Conn,
    clock: Clock,
    name: String,
    limit: usize,
    window: Duration,
}

impl RedisAttempts {
    /// The count of wrong room codes that `settings` allow, which the store
    /// keeps beside its look-up (`Doors::try_code`).
    pub(super) fn guesses(conn: Conn, clock: Clock, settings: &Settings) -> Self {
        Self {
            conn,
            clock,
            name: "join".to_owned(),
            limit: settings.guesses.limit,
            window: settings.guesses.window,
        }
    }

    fn key(&self, key: &str) -> String {
        keys::limit(&self.name, key)
    }

    fn window_ms(&self) -> i64 {
        self.window.as_millis() as i64
    }
}

pub struct RedisPlaces {
    inner: Arc<Inner>,
    name: String,
    max: usize,
}

/// Gives a place back when dropped.
struct RedisPlace {
    inner: Arc<Inner>,
    key: String,
}

#[async_trait]
impl Places for RedisPlaces {
    async fn take(&self, key: &str) -> Option<Box<dyn Send + Sync>> {
        let key = format!("{}:{key}", self.name);
        match self.inner.count_place(&key, self.max, 1).await {
            Ok(true) => Some(Box::new(RedisPlace {
                inner: Arc::clone(&self.inner),
                key,
            })),
            Ok(false) => None,
            // Redis away: the stream itself cannot start, and says why.
            Err(_) => Some(Box::new(())),
        }
    }
}

impl Drop for RedisPlace {
    fn drop(&mut self) {
        let inner = Arc::clone(&self.inner);
        let key = std::mem::take(&mut self.key);
        self.inner.spawn_pending(async move {
            let _ = inner.count_place(&key, 0, -1).await;
        });
    }
}

static TAKE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/take.lua")));

static TRY_CODE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/try_code.lua")));

impl RedisAttempts {
    /// `Doors::try_code` on Redis: the look-up in the room's slot, then one
    /// script in the limits' slot that counts (or refuses).
    pub async fn try_code(
        &self,
        keys: &[Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
        public: bool,
    ) -> Result<Result<bool, Duration>, ChatError> {
        let mut script = TRY_CODE_SCRIPT.prepare_invoke();
        for key in keys {
            script.key(self.key(&key.name));
        }
        // The look-up first, in the room's own slot: whether the door has
        // one of the person's passes (`rules::Door`), or the member is
        // present. A public room admits anyone without a look, and a miss
        // there is no guess: its code is no secret. The script then counts
        // (or refuses) in the limits' slot, taking the look-up's answer.
        let known_hit = public && access == Access::Enter;
        let hit = if known_hit {
            true
        } else {
            match (code, access, member) {
                (None, _, _) => false,
                (Some(code), Access::Enter, _) => {
                    let fields: Vec<String> = rules::passes_of(member)
                        .iter()
                        .map(|pass| keys::pass(pass))
                        .collect();
                    let found: Vec<Option<String>> = redis::cmd("HMGET")
                        .arg(keys::room(code))
                        .arg(fields)
                        .query_async(&mut self.conn.clone())
                        .await
                        .map_err(super::down)?;
                    found.iter().any(Option::is_some)
                }
                (Some(code), Access::Member, Some(member)) => {
                    let present: Option<f64> = self
                        .conn
                        .clone()
                        .zscore(keys::present(code), member.0.to_string())
                        .await
                        .map_err(super::down)?;
                    present.is_some()
                }
                (Some(_), Access::Member, None) => false,
            }
        };
        let tried: redis::RedisResult<i64> = script
            .arg(self.clock.now_ms())
            .arg(self.window_ms())
            .arg(uuid::Uuid::new_v4().simple().to_string())
            .arg(if public { "" } else { "1" })
            .arg(if hit { "1" } else { "" })
            .arg(
                keys.iter()
                    .map(|key| self.limit.max(1).saturating_mul(key.scale))
                    .collect::<Vec<_>>(),
            )
            .invoke_async(&mut self.conn.clone())
            .await;
        match tried {
            Ok(-1) => Ok(Ok(true)),
            Ok(wait) if wait >= 0 => Ok(Err(Duration::from_millis(wait as u64))),
            Ok(_) => Ok(Ok(false)),
            Err(why) => Err(super::down(why)),
        }
    }
}

#[async_trait]
impl Limiter for RedisAttempts {
    async fn take_scaled(&self, key: &str, scale: usize) -> Result<Attempt, Duration> {
        let key = self.key(key);
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let taken: redis::RedisResult<i64> = TAKE_SCRIPT
            .key(&key)
            .arg(self.clock.now_ms())
            .arg(self.window_ms())
            .arg(self.limit.max(1).saturating_mul(scale.max(1)))
            .arg(&unique)
            .invoke_async(&mut self.conn.clone())
            .await;
        match taken {
            Ok(wait) if wait >= 0 => Err(Duration::from_millis(wait as u64)),
            Ok(_) => {
                let conn = self.conn.clone();
                Ok(Attempt::undone_by(move || {
                    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                        return;
                    };
                    // Ends after one command.
                    runtime.spawn(async move {
                        let forgiven: redis::RedisResult<()> =
                            conn.clone().zrem(&key, &unique).await;
                        if let Err(why) = forgiven {
                            tracing::warn!(%why, "redis limiter");
                        }
                    });
                }))
            }
            Err(why) => {
                // Letting one through beats refusing everyone while Redis is away.
                tracing::warn!(%why, "redis limiter");
                Ok(Attempt::uncounted())
            }
        }
    }
}
