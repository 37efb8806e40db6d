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
use crate::chat::rate::{Limiter, Places};

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

#[async_trait]
impl Limiter for RedisAttempts {
    async fn wait(&self, key: &str) -> Option<Duration> {
        let now = now_ms();
        let key = self.key(key);
        let counted: redis::RedisResult<((), usize, Vec<(String, i64)>)> = redis::pipe()
            .zrembyscore(&key, "-inf", now - self.window_ms())
            .zcard(&key)
            .zrange_withscores(&key, 0, 0)
            .query_async(&mut self.conn.clone())
            .await;
        match counted {
            Ok((_, count, oldest)) if count >= self.limit.max(1) => {
                let oldest = oldest.first().map_or(now, |(_, at)| *at);
                let wait = (oldest + self.window_ms() - now).max(0);
                Some(Duration::from_millis(wait as u64))
            }
            Ok(_) => None,
            Err(why) => {
                // Letting one through beats refusing everyone while Redis is away.
                tracing::warn!(%why, "redis limiter");
                None
            }
        }
    }

    async fn record(&self, key: &str) {
        let now = now_ms();
        let key = self.key(key);
        let unique = format!("{now}:{}", uuid::Uuid::new_v4().simple());
        let recorded: redis::RedisResult<()> = redis::pipe()
            .zadd(&key, unique, now)
            .ignore()
            .pexpire(&key, self.window_ms())
            .ignore()
            .query_async(&mut self.conn.clone())
            .await;
        if let Err(why) = recorded {
            tracing::warn!(%why, "redis limiter");
        }
    }
}
