//! The one clock both stores read: wall time for events, milliseconds for
//! what Redis keeps (presence, windows, batches), and sleeping for timers.
//!
//! In production it is the system's (tokio's timers, so the in-memory
//! store's tests run on tokio's paused time). Tests of the Redis store
//! cannot pause tokio: every Redis round trip would let paused time jump to
//! the next timer. They use a clock that runs with real time and that the
//! test moves forward at will (`advance`): sleepers on it wake at once when
//! their deadline is passed, and every time it reports moves with it.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;

/// Cheap to clone; clones share the same time.
#[derive(Clone, Default)]
pub struct Clock {
    /// How far a test moved this clock ahead of real time; `None` for the
    /// system clock.
    ahead: Option<Arc<watch::Sender<Duration>>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that runs with real time and that `advance` moves forward.
    pub fn movable() -> Self {
        Self {
            ahead: Some(Arc::new(watch::channel(Duration::ZERO).0)),
        }
    }

    /// Moves a movable clock forward by `by` (nothing on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Some(ahead) = &self.ahead {
            ahead.send_modify(|ahead| *ahead += by);
        }
    }

    fn ahead(&self) -> Duration {
        self.ahead.as_ref().map_or(Duration::ZERO, |a| *a.borrow())
    }

    /// Now, for timers and paces.
    pub fn now(&self) -> Instant {
        Instant::now() + self.ahead()
    }

    /// Now, for what events say and when rooms began.
    pub fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.ahead()
    }

    /// Now in milliseconds since 1970, for what Redis keeps.
    pub fn now_ms(&self) -> i64 {
        (self.now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Sleeps for `length` of this clock's time.
    pub async fn sleep(&self, length: Duration) {
        self.sleep_until(self.now() + length).await;
    }

    /// Sleeps until this clock reads `deadline`.
    pub async fn sleep_until(&self, deadline: Instant) {
        let Some(ahead) = &self.ahead else {
            return tokio::time::sleep_until(deadline).await;
        };
        let mut moved = ahead.subscribe();
        loop {
            let by = *moved.borrow_and_update();
            let Some(real) = deadline.checked_sub(by) else {
                return;
            };
            tokio::select! {
                () = tokio::time::sleep_until(real) => return,
                changed = moved.changed() => {
                    if changed.is_err() {
                        // Nobody can move it any more: real time alone.
                        return tokio::time::sleep_until(real).await;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_system_clock_follows_tokio_time() {
        let clock = Clock::system();
        let start = clock.now();
        clock.sleep(Duration::from_secs(30)).await;
        assert!(clock.now() - start >= Duration::from_secs(30));
        clock.advance(Duration::from_secs(60)); // nothing on the system clock
        assert!(clock.now() - start < Duration::from_secs(60));
    }

    #[tokio::test]
    async fn moving_a_clock_wakes_its_sleepers_and_moves_every_reading() {
        let clock = Clock::movable();
        let (start, start_ms, start_utc) = (clock.now(), clock.now_ms(), clock.now_utc());
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3600)).await }
        });
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(3600));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woken at once")
            .expect("sleeper");
        assert!(clock.now() - start >= Duration::from_secs(3600));
        assert!(clock.now_ms() - start_ms >= 3_600_000);
        assert!(clock.now_utc() - start_utc >= time::Duration::hours(1));
    }

    #[tokio::test]
    async fn a_movable_clock_still_runs_with_real_time() {
        let clock = Clock::movable();
        clock.advance(Duration::from_secs(10));
        let start = std::time::Instant::now();
        clock.sleep(Duration::from_millis(30)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));
    }
}
