//! Attempts and places counted in Redis, so a limit holds however many
//! servers they are spread over: attempts as one sorted set of times per
//! key, expiring with its window; places as counts per server, of live
//! servers only (see the `STREAMS` script).

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use std::sync::Arc;

use super::Inner;
use super::codec::now_ms;
use crate::chat::rate::{Attempt, Limiter, Places};
use redis::AsyncCommands;

pub struct RedisAttempts {
    pub conn: ConnectionManager,
    pub name: String,
    pub limit: usize,
    pub window: Duration,
}

impl RedisAttempts {
    fn key(&self, key: &str) -> String {
        format!("lc:lim:{}:{key}", self.name)
    }

    fn window_ms(&self) -> i64 {
        self.window.as_millis() as i64
    }
}

pub struct RedisPlaces {
    pub inner: Arc<Inner>,
    pub name: String,
    pub max: usize,
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

/// Forgets attempts older than the window, then counts one more unless the
/// key has used up its attempts, all in one step. `KEYS[1]`: the key's set;
/// `ARGV`: now (ms), window (ms), limit, this attempt's unique name. Returns
/// -1 when counted, else the milliseconds to wait.
const TAKE: &str = r#"
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
"#;

static TAKE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(TAKE));

#[async_trait]
impl Limiter for RedisAttempts {
    async fn take(&self, key: &str) -> Result<Attempt, Duration> {
        let key = self.key(key);
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let taken: redis::RedisResult<i64> = TAKE_SCRIPT
            .key(&key)
            .arg(now_ms())
            .arg(self.window_ms())
            .arg(self.limit.max(1))
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
