//! `Attempts`: how often each key (a client address, say) did something in a
//! sliding window, to slow down guessing. Memory stays bounded however many
//! keys come: stale ones are swept, and past `max_keys` the oldest is dropped.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Counts attempts per key in a sliding window, wherever the store keeps
/// its state: in memory (`Attempts`), or in Redis, so the count holds
/// across servers.
#[async_trait::async_trait]
pub trait Limiter: Send + Sync + 'static {
    /// How long `key` must wait before it may try again, if it used up its attempts.
    async fn wait(&self, key: &str) -> Option<Duration>;
    /// Counts an attempt of `key`.
    async fn record(&self, key: &str);
}

#[async_trait::async_trait]
impl Limiter for Attempts<String> {
    async fn wait(&self, key: &str) -> Option<Duration> {
        Attempts::wait(self, &key.to_owned())
    }
    async fn record(&self, key: &str) {
        Attempts::record(self, key.to_owned());
    }
}

pub struct Attempts<K> {
    limit: usize,
    window: Duration,
    max_keys: usize,
    seen: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K: Hash + Eq + Clone> Attempts<K> {
    /// At most `limit` attempts per key in any `window`, for at most `max_keys` keys.
    pub fn new(limit: usize, window: Duration, max_keys: usize) -> Self {
        Self {
            limit: limit.max(1),
            window,
            max_keys: max_keys.max(1),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must wait before it may try again, if it used up its attempts.
    pub fn wait(&self, key: &K) -> Option<Duration> {
        let now = Instant::now();
        let mut seen = self.lock();
        let times = seen.get_mut(key)?;
        self.forget_old(times, now);
        let oldest = *times.front()?;
        (times.len() >= self.limit).then(|| self.window.saturating_sub(now - oldest))
    }

    /// Counts an attempt of `key`.
    pub fn record(&self, key: K) {
        let now = Instant::now();
        let mut seen = self.lock();
        if !seen.contains_key(&key) && seen.len() >= self.max_keys {
            seen.retain(|_, times| times.back().is_some_and(|t| now - *t < self.window));
            if seen.len() >= self.max_keys {
                // Still full of live keys: make room by dropping the stalest.
                let stalest = seen
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(k, _)| k.clone());
                if let Some(stalest) = stalest {
                    seen.remove(&stalest);
                }
            }
        }
        let times = seen.entry(key).or_default();
        self.forget_old(times, now);
        if times.len() >= self.limit {
            times.pop_front();
        }
        times.push_back(now);
    }

    /// How many keys are remembered now.
    pub fn keys(&self) -> usize {
        self.lock().len()
    }

    fn forget_old(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, VecDeque<Instant>>> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_key_waits_once_its_attempts_are_used_up() {
        let attempts = Attempts::new(3, Duration::from_secs(60), 100);
        for _ in 0..3 {
            assert_eq!(attempts.wait(&"a"), None);
            attempts.record("a");
        }
        let wait = attempts.wait(&"a").expect("used up");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        assert_eq!(attempts.wait(&"b"), None, "others are not slowed");
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert_eq!(attempts.wait(&"a"), None, "the window slid past");
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded_however_many_keys_come() {
        let attempts = Attempts::new(3, Duration::from_secs(60), 10);
        for n in 0..1000 {
            attempts.record(n);
        }
        assert!(attempts.keys() <= 10);
        attempts.record(999);
        attempts.record(999);
        assert!(attempts.wait(&999).is_some(), "the newest key is kept");
    }
}
