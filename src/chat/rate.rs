//! `Attempts`: how often each key (a client address, say) did something in a
//! sliding window, to slow down guessing. Memory stays bounded however many
//! keys come: stale ones are swept, and past `max_keys` the oldest is dropped.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
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

/// Places per key (open streams of one client address, say), at most `max`
/// at once, counted wherever the store keeps its state.
#[async_trait::async_trait]
pub trait Places: Send + Sync + 'static {
    /// A place for one more of `key`, held until the guard drops; `None` when
    /// `key` has all its places taken.
    async fn take(&self, key: &str) -> Option<Box<dyn Send + Sync>>;
}

/// `Places` in this server's memory.
pub struct MemoryPlaces {
    max: usize,
    taken: Arc<Mutex<HashMap<String, usize>>>,
}

impl MemoryPlaces {
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            taken: Arc::default(),
        }
    }
}

/// Gives a place back when dropped.
struct MemoryPlace {
    taken: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

fn lock_taken(
    taken: &Mutex<HashMap<String, usize>>,
) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
    taken
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait::async_trait]
impl Places for MemoryPlaces {
    async fn take(&self, key: &str) -> Option<Box<dyn Send + Sync>> {
        let mut taken = lock_taken(&self.taken);
        let count = taken.entry(key.to_owned()).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Box::new(MemoryPlace {
            taken: Arc::clone(&self.taken),
            key: key.to_owned(),
        }))
    }
}

impl Drop for MemoryPlace {
    fn drop(&mut self) {
        let mut taken = lock_taken(&self.taken);
        if let Some(count) = taken.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                taken.remove(&self.key);
            }
        }
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

    #[tokio::test]
    async fn places_are_given_back() {
        let places = MemoryPlaces::new(2);
        let a = places.take("x").await.expect("first");
        let _b = places.take("x").await.expect("second");
        assert!(places.take("x").await.is_none(), "two at once");
        assert!(places.take("y").await.is_some(), "per key");
        drop(a);
        assert!(places.take("x").await.is_some(), "given back");
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
