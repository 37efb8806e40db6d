//! What the storm's clients do and count, apart from the network, so it can
//! be tested on its own: htmx 4's reconnect delays (hx-sse), the rooms'
//! sizes, and each page's ledger of messages (lost, duplicated, latencies).

use std::time::Duration;

use crate::sse::Token;

/// The reconnect delays of htmx 4.0.1's hx-sse (`dist/ext/hx-sse.js`): after
/// a stream ends, `attempt` is 1 and the wait `base × 2^(attempt − 1)`, at
/// most `max`, moved by a random ±`jitter` of itself; each failed try
/// (connection refused, an answer that is not 2xx) adds one to `attempt`,
/// an answered one sets it back to 0. A `retry:` line (on a message with
/// data) replaces `base` for the rest of the page's life.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub base_ms: f64,
    pub max_ms: f64,
    pub jitter: f64,
}

impl Backoff {
    /// What livechat's pages run with: hx-sse's defaults (500 ms, ±30 %) and
    /// the page's `reconnectMaxDelay` of 7 s (`views/layout.rs`).
    pub const PAGE: Self = Self {
        base_ms: 500.0,
        max_ms: 7000.0,
        jitter: 0.3,
    };

    /// The wait before try `attempt` (1 for the first after a stream ended),
    /// given `unit`, a uniform random number in [0, 1) (`Math.random()`).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30) as i32;
        let delay = (self.base_ms * 2f64.powi(exponent)).min(self.max_ms);
        let moved = delay + (unit * 2.0 - 1.0) * delay * self.jitter;
        Duration::from_secs_f64(moved.max(0.0) / 1000.0)
    }

    /// After a `retry: N` line.
    pub fn retry(&mut self, ms: f64) {
        self.base_ms = ms;
    }
}

/// A small random number maker (xorshift), one per page, so that runs do
/// not share a lock.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The rooms of a storm: one big room, `middle` rooms of `middle_size`, and
/// the other streams in rooms of two. Sizes, biggest first.
pub fn room_sizes(streams: usize, big: usize, middle: usize, middle_size: usize) -> Vec<usize> {
    let big = big.min(streams);
    let mut sizes = vec![big];
    let mut left = streams - big;
    for _ in 0..middle {
        if left < middle_size.max(2) {
            break;
        }
        sizes.push(middle_size);
        left -= middle_size;
    }
    sizes.extend(std::iter::repeat_n(2, left / 2));
    if left % 2 == 1 {
        sizes[0] += 1;
    }
    sizes.retain(|n| *n > 0);
    sizes
}

/// What one page saw of its room's messages.
#[derive(Default)]
pub struct Ledger {
    got: Vec<u64>,
    pub duplicated: u64,
    /// Live deliveries of messages sent while this page's stream was open:
    /// (delivered at, took), in microseconds.
    pub latencies: Vec<(u64, u32)>,
    /// The oldest message of the last whole log the page got (a page load,
    /// a resync): older ones had left the room's history by then.
    pub history_from: Option<u32>,
}

/// How a message reached the page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Via {
    /// A frame of the open stream, sent as it happened or as the resume's gap.
    Live,
    /// A page load or a resync of the whole log: repeats what the page had.
    Whole,
}

impl Ledger {
    /// Notes `token`, delivered at `now` by `via` on a stream open since
    /// `open_since` (all in microseconds).
    pub fn record(&mut self, token: Token, via: Via, open_since: u64, now: u64) {
        let (word, bit) = (token.seq as usize / 64, token.seq % 64);
        if word >= self.got.len() {
            self.got.resize(word + 1, 0);
        }
        if self.got[word] & (1 << bit) != 0 {
            // The whole log repeats what the page has; only a second
            // delivery on the stream is a duplicate.
            if via == Via::Live {
                self.duplicated += 1;
            }
            return;
        }
        self.got[word] |= 1 << bit;
        // Only what was sent while the stream was open measures the live
        // traffic; a resume's gap waited for the page on purpose.
        if via == Via::Live && token.sent >= open_since {
            let took = now.saturating_sub(token.sent).min(u64::from(u32::MAX));
            self.latencies.push((now, took as u32));
        }
    }

    /// A whole log arrived whose oldest message is `oldest` (if any).
    pub fn whole_from(&mut self, oldest: Option<u32>) {
        if oldest.is_some() {
            self.history_from = oldest;
        }
    }

    /// Whether the room's history still held message `seq` when the page
    /// last got it whole.
    pub fn in_history(&self, seq: u32) -> bool {
        self.history_from.is_none_or(|from| seq >= from)
    }

    pub fn has(&self, seq: u32) -> bool {
        let (word, bit) = (seq as usize / 64, seq % 64);
        self.got.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

/// Messages a page should have and has not: `(covered, uncovered)`, where
/// a message is covered when the history could give it back: sent in the
/// life of the log the page came back to (`covered(sent)`), and still in
/// the history when the page last got the log whole.
pub fn missing(
    ledger: &Ledger,
    posted: &[(u32, u64)],
    covered: impl Fn(u64) -> bool,
) -> (u64, u64) {
    let mut lost = (0, 0);
    for &(seq, sent) in posted {
        if !ledger.has(seq) {
            if covered(sent) && ledger.in_history(seq) {
                lost.0 += 1;
            } else {
                lost.1 += 1;
            }
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(seq: u32, sent: u64) -> Token {
        Token {
            run: 1,
            room: 0,
            seq,
            sent,
        }
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_pages_maximum() {
        let mid = |attempt| Backoff::PAGE.delay(attempt, 0.5).as_millis();
        assert_eq!(
            [1, 2, 3, 4, 5, 9].map(mid),
            [500, 1000, 2000, 4000, 7000, 7000]
        );
    }

    #[test]
    fn jitter_moves_a_delay_by_up_to_thirty_percent_either_way() {
        let at = |unit| Backoff::PAGE.delay(2, unit).as_secs_f64();
        assert!((at(0.0) - 0.7).abs() < 1e-9);
        assert!((at(0.999_999) - 1.3).abs() < 1e-3);
        let mut rng = Rng::new(7);
        let delays: Vec<f64> = (0..10_000)
            .map(|_| Backoff::PAGE.delay(1, rng.unit()).as_secs_f64())
            .collect();
        assert!(delays.iter().all(|d| (0.35..=0.65).contains(d)));
        let mean = delays.iter().sum::<f64>() / delays.len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
        // Spread, not bunched: some in each tenth of the range.
        for tenth in 0..10 {
            let low = 0.35 + 0.03 * f64::from(tenth);
            assert!(delays.iter().any(|d| (low..low + 0.03).contains(d)));
        }
    }

    #[test]
    fn a_retry_line_becomes_the_base_and_the_maximum_still_holds() {
        let mut backoff = Backoff::PAGE;
        backoff.retry(3000.0);
        assert_eq!(backoff.delay(1, 0.5).as_millis(), 3000);
        assert_eq!(backoff.delay(2, 0.5).as_millis(), 6000);
        assert_eq!(backoff.delay(3, 0.5).as_millis(), 7000);
        assert_eq!(backoff.delay(1, 0.0).as_millis(), 2100);
    }

    #[test]
    fn rooms_hold_every_stream_big_first_then_middle_then_pairs() {
        let sizes = room_sizes(10_000, 2000, 20, 100);
        assert_eq!(sizes.iter().sum::<usize>(), 10_000);
        assert_eq!(sizes[0], 2000);
        assert_eq!(sizes[1..21], [100; 20]);
        assert!(sizes[21..].iter().all(|n| *n == 2));
        assert_eq!(room_sizes(11, 5, 1, 4).iter().sum::<usize>(), 11);
        assert_eq!(room_sizes(3, 10, 2, 4), [3]);
    }

    #[test]
    fn a_whole_log_repeating_what_the_page_has_is_no_duplicate() {
        let mut ledger = Ledger::default();
        ledger.record(token(0, 100), Via::Live, 0, 150);
        ledger.record(token(1, 200), Via::Live, 0, 260);
        ledger.record(token(0, 100), Via::Whole, 0, 300);
        ledger.record(token(1, 200), Via::Whole, 0, 300);
        assert_eq!(ledger.duplicated, 0);
        ledger.record(token(1, 200), Via::Live, 0, 400);
        assert_eq!(ledger.duplicated, 1);
        assert_eq!(ledger.latencies, [(150, 50), (260, 60)]);
    }

    #[test]
    fn only_messages_sent_while_the_stream_was_open_time_the_live_traffic() {
        let mut ledger = Ledger::default();
        // Sent at 100 while the page was away; its stream came back at 500.
        ledger.record(token(0, 100), Via::Live, 500, 520);
        ledger.record(token(1, 600), Via::Live, 500, 610);
        ledger.record(token(2, 700), Via::Whole, 500, 900);
        assert_eq!(ledger.latencies, [(610, 10)]);
        assert!(ledger.has(0) && ledger.has(1) && ledger.has(2) && !ledger.has(3));
    }

    #[test]
    fn lost_counts_each_posted_message_not_seen_by_whether_history_covers_it() {
        let mut ledger = Ledger::default();
        ledger.record(token(0, 10), Via::Live, 0, 11);
        ledger.record(token(3, 40), Via::Whole, 0, 50);
        let posted = [(0, 10), (1, 20), (2, 30), (3, 40), (4, 50)];
        // History covers what was sent from 25 on (a restart at 25).
        assert_eq!(missing(&ledger, &posted, |sent| sent >= 25), (2, 1));
        assert_eq!(missing(&ledger, &posted, |_| true), (3, 0));
        // A page load whose oldest message is 2: 1 had left the history.
        ledger.whole_from(Some(2));
        assert_eq!(missing(&ledger, &posted, |_| true), (2, 1));
        ledger.whole_from(None);
        assert_eq!(missing(&ledger, &posted, |_| true), (2, 1));
    }
}
