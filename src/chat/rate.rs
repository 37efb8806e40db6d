//! Limits per key (a client address, a member): `Limiter` counts attempts
//! in a sliding window, `Places` counts what is held at once. Memory stays
//! bounded however many keys come: past `max_keys` the key used least
//! recently is forgotten, without scanning the others.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lru::LruCache;

use super::rules;
use tokio::time::Instant;

/// Counts attempts per key in a sliding window, wherever the store keeps
/// its state: in memory (`Attempts`), or in Redis, so the count holds
/// across servers.
#[async_trait::async_trait]
pub trait Limiter: Send + Sync + 'static {
    /// Counts an attempt of `key` now, or says how long `key` must wait if it
    /// used up its attempts. Checking and counting are one step, so a burst of
    /// attempts at once cannot all pass the check.
    async fn take(&self, key: &str) -> Result<Attempt, Duration> {
        self.take_scaled(key, 1).await
    }

    /// `take` for a key that may make `scale` times the limiter's attempts
    /// (a whole network, say, beside each of its addresses).
    async fn take_scaled(&self, key: &str, scale: usize) -> Result<Attempt, Duration>;
}

/// How many attempts each key may make in any window, and how many keys are
/// remembered at once where memory is the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub limit: usize,
    pub window: Duration,
    pub max_keys: usize,
}

/// Limits counted in this server's memory: right for one server alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryLimits;

impl crate::chat::Limits for MemoryLimits {
    fn limiter(
        &self,
        _name: &str,
        limit: usize,
        window: Duration,
        max_keys: usize,
    ) -> Arc<dyn Limiter> {
        Arc::new(Attempts::new(limit, window, max_keys))
    }

    fn places(&self, _name: &str, max: usize) -> Arc<dyn Places> {
        Arc::new(MemoryPlaces::new(max))
    }
}

/// A key to count attempts by, which may make `scale` times the limiter's
/// attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub scale: usize,
}

impl Key {
    /// A key with the limiter's own limit.
    pub fn new(name: impl Into<String>) -> Self {
        Self::scaled(name, 1)
    }

    /// A key that may make `scale` times the limiter's attempts.
    pub fn scaled(name: impl Into<String>, scale: usize) -> Self {
        Self {
            name: name.into(),
            scale: scale.max(1),
        }
    }
}

/// An attempt counted by [`Limiter::take`]. It stays counted unless
/// [`Attempt::forgive`] takes it back (a code that led somewhere, a refused
/// form that changed nothing).
#[must_use = "an attempt stays counted; forgive it if it should not count"]
pub struct Attempt(Option<Box<dyn FnOnce() + Send>>);

impl Attempt {
    /// An attempt that nothing counted (no key, or the count is out of reach).
    pub fn uncounted() -> Self {
        Self(None)
    }

    /// An attempt that `undo` takes back.
    pub fn undone_by(undo: impl FnOnce() + Send + 'static) -> Self {
        Self(Some(Box::new(undo)))
    }

    /// Takes the attempt back: it no longer counts.
    pub fn forgive(mut self) {
        if let Some(undo) = self.0.take() {
            undo();
        }
    }

    /// Keeps the attempt counted (the same as dropping it, said out loud).
    pub fn keep(self) {}
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
        if !rules::fits_one_more(*count, self.max) {
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

/// `Limiter` in this server's memory.
pub struct Attempts {
    limit: usize,
    window: Duration,
    seen: Arc<Mutex<LruCache<String, Times>>>,
    next: AtomicU64,
}

/// The attempts of one key in the window, oldest first, each with its number.
type Times = VecDeque<(Instant, u64)>;

impl Attempts {
    /// Attempts as `allowance` says.
    pub fn allowing(allowance: Allowance) -> Self {
        Self::new(allowance.limit, allowance.window, allowance.max_keys)
    }

    /// At most `limit` attempts per key in any `window`, for at most `max_keys` keys.
    pub fn new(limit: usize, window: Duration, max_keys: usize) -> Self {
        let max_keys = NonZeroUsize::new(max_keys).unwrap_or(NonZeroUsize::MIN);
        Self {
            limit: limit.max(1),
            window,
            seen: Arc::new(Mutex::new(LruCache::new(max_keys))),
            next: AtomicU64::new(0),
        }
    }

    /// How many keys are remembered now.
    pub fn keys(&self) -> usize {
        lock_seen(&self.seen).len()
    }
}

fn lock_seen(
    seen: &Mutex<LruCache<String, Times>>,
) -> std::sync::MutexGuard<'_, LruCache<String, Times>> {
    seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait::async_trait]
impl Limiter for Attempts {
    async fn take_scaled(&self, key: &str, scale: usize) -> Result<Attempt, Duration> {
        let limit = self.limit.saturating_mul(scale.max(1));
        let now = Instant::now();
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        {
            let mut seen = lock_seen(&self.seen);
            // Past `max_keys`, this forgets the key used least recently.
            let times = seen.get_or_insert_mut(key.to_owned(), VecDeque::new);
            while times.front().is_some_and(|(t, _)| now - *t >= self.window) {
                times.pop_front();
            }
            if !rules::fits_one_more(times.len(), limit) {
                let oldest = times.front().map_or(now, |(t, _)| *t);
                return Err(self.window.saturating_sub(now - oldest));
            }
            times.push_back((now, number));
        }
        let (seen, key) = (Arc::clone(&self.seen), key.to_owned());
        Ok(Attempt::undone_by(move || {
            if let Some(times) = lock_seen(&seen).peek_mut(&key) {
                times.retain(|(_, n)| *n != number);
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_key_waits_once_its_attempts_are_used_up() {
        let attempts = Attempts::new(3, Duration::from_secs(60), 100);
        for _ in 0..3 {
            attempts.take("a").await.expect("within the limit").keep();
        }
        let wait = attempts.take("a").await.err().expect("used up");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        assert!(attempts.take("b").await.is_ok(), "others are not slowed");
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert!(attempts.take("a").await.is_ok(), "the window slid past");
    }

    #[tokio::test(start_paused = true)]
    async fn a_forgiven_attempt_does_not_count() {
        let attempts = Attempts::new(2, Duration::from_secs(60), 100);
        for _ in 0..10 {
            let attempt = attempts
                .take("a")
                .await
                .expect("forgiven ones free their place");
            attempt.forgive();
        }
        attempts.take("a").await.expect("one").keep();
        attempts.take("a").await.expect("two").keep();
        assert!(attempts.take("a").await.is_err(), "two kept: used up");
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
            attempts
                .take(&n.to_string())
                .await
                .expect("fresh key")
                .keep();
        }
        assert!(attempts.keys() <= 10);
        for _ in 0..3 {
            let _ = attempts.take("999").await;
        }
        assert!(
            attempts.take("999").await.is_err(),
            "the newest key is kept"
        );
    }
}
