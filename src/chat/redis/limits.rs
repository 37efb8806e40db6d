//! Attempts and places counted in Redis, so a limit holds however many
//! servers they are spread over: attempts as one sorted set of times per
//! key, expiring with its window; places as counts per server, of live
//! servers only (see the `STREAMS` script).

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use std::sync::Arc;

use super::Inner;
use super::scripts::keys;
use crate::chat::rate::{Attempt, Key, Limiter, Places};
use crate::chat::{Access, ChatError, MemberId, RoomCode};
use redis::AsyncCommands;

pub struct RedisAttempts {
    pub conn: ConnectionManager,
    pub clock: crate::chat::Clock,
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

/// One try at a room code (see `Store::try_code`): refuses when a key has
/// used up its misses, else looks the code up and counts a miss against
/// every key, all in one step. `KEYS`: the keys' sets. `ARGV`: now (ms),
/// window (ms), (unused), this try's unique name, what is asked (`enter`,
/// `member`, or `none` for what is not a code), the room's hash key, its
/// presence key, the member ('' for none), '1' for a public room, then each
/// key's limit.
/// Returns -1 for a hit, -2 for a miss (counted), -3 for a miss at a public
/// room (not counted: its code is no secret), else the milliseconds to wait. The look-up reads the same for a missing room and a pair of others.
const TRY_CODE: &str = r#"
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[9 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
end
local ask, member = ARGV[5], ARGV[8]
local hit = false
if ask == 'enter' then
  local room = redis.call('HMGET', ARGV[6], 'epoch', 'pair')
  local admitted = (not room[2]) or (member ~= '' and string.find(room[2], member, 1, true) ~= nil)
  hit = ARGV[9] == '1' or (room[1] ~= false and admitted)
elseif ask == 'member' then
  hit = member ~= '' and redis.call('ZSCORE', ARGV[7], member) ~= false
end
if hit then return -1 end
if ARGV[9] == '1' then return -3 end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
end
return -2
"#;

static TRY_CODE_SCRIPT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(TRY_CODE));

impl RedisAttempts {
    /// `Store::try_code` on Redis, in one script.
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
        let ask = match (code, access) {
            (None, _) => "none",
            (Some(_), Access::Enter) => "enter",
            (Some(_), Access::Member) => "member",
        };
        let (room, present) = code.map_or((String::new(), String::new()), |code| {
            (keys::room(code), keys::present(code))
        });
        let tried: redis::RedisResult<i64> = script
            .arg(self.clock.now_ms())
            .arg(self.window_ms())
            .arg(self.limit.max(1))
            .arg(uuid::Uuid::new_v4().simple().to_string())
            .arg(ask)
            .arg(room)
            .arg(present)
            .arg(member.map(|m| m.0.to_string()).unwrap_or_default())
            .arg(if public { "1" } else { "" })
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

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
