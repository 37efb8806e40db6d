//! Churn: people join a room (the join form, then the room page) and leave it again, as fast as they can (or at
//! a set rate), while watchers with the room open count the join and leave
//! notices they are shown. Big rooms batch notices ("c1, c2 and 37 others
//! joined"): every person named or counted is one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::client::{Conn, Sources, Target};
use crate::fanout::{open_member, read_until};
use crate::people;
use crate::sse::{count_notices, is_resync};
use crate::stats::Latency;

#[derive(Clone, Debug, clap::Args)]
pub struct ChurnArgs {
    /// People watching the room, who must see every notice.
    #[arg(long, default_value_t = 20)]
    pub watchers: usize,
    /// People joining and leaving at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Join/leave cycles per second; 0: as fast as possible.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Seconds of churning.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds to wait for the last (batched) notices.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
}

#[derive(Debug, Default, Clone)]
pub struct ChurnResult {
    pub cycles: u64,
    pub cycles_per_s: f64,
    pub joins: u64,
    pub leaves: u64,
    pub failures: u64,
    /// Notices of people a watcher was not shown, over all watchers.
    pub missed: u64,
    /// People a watcher was shown more often than they came or went.
    pub extra: u64,
    pub watchers_ended_early: u64,
    /// Times a watcher fell too far behind and was sent the whole log
    /// (which cannot hold every notice of a fast churn).
    pub resyncs: u64,
    pub cycle_latency: Latency,
    pub first_error: Option<String>,
}

pub async fn run(
    targets: &[Target],
    sources: Arc<Sources>,
    args: &ChurnArgs,
) -> Result<ChurnResult, String> {
    let first = targets.first().ok_or("give at least one --target")?;
    let mut conn = Conn::open(first, sources.pick())
        .await
        .map_err(|e| e.to_string())?;
    let (code, owner) = people::create(&mut conn, "w0")
        .await
        .map_err(|e| format!("creating the room: {e}"))?;
    drop(conn);
    let counting = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut watchers = Vec::new();
    for w in 0..args.watchers.max(1) {
        let target = targets[w % targets.len()].clone();
        let who = (w == 0).then(|| owner.clone());
        let mut events = open_member(&target, &sources, &code, who, &format!("w{w}"))
            .await
            .map_err(|e| format!("watcher {w}: {e}"))?;
        let (counting, mut stop) = (counting.clone(), stop_rx.clone());
        watchers.push(tokio::spawn(async move {
            let mut counts = (0, 0);
            let mut resyncs = 0;
            let ended = read_until(&mut events, &mut stop, |event| {
                if is_resync(event) {
                    resyncs += 1;
                }
                if counting.load(Ordering::Relaxed) {
                    count_notices(event, &mut counts);
                }
            })
            .await;
            (counts, resyncs, ended)
        }));
    }
    // The watchers' own arrivals are announced before counting starts.
    // (Past 50 members they are batched, every 3 s.)
    let settle = if args.watchers > 50 { 4 } else { 1 };
    tokio::time::sleep(Duration::from_secs(settle)).await;
    counting.store(true, Ordering::Relaxed);

    let next = Arc::new(AtomicU64::new(0));
    let joins = Arc::new(AtomicU64::new(0));
    let leaves = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.seconds);
    let mut churners = Vec::new();
    for c in 0..args.concurrency.max(1) {
        let (next, joins, leaves, failures) = (
            next.clone(),
            joins.clone(),
            leaves.clone(),
            failures.clone(),
        );
        let (sources, target, code, rate) = (
            sources.clone(),
            targets[c % targets.len()].clone(),
            code.clone(),
            args.rate,
        );
        churners.push(tokio::spawn(async move {
            let mut conn: Option<Conn> = None;
            let mut took = Vec::new();
            let mut error = None;
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if rate > 0.0 {
                    tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / rate))
                        .await;
                }
                if Instant::now() >= deadline {
                    break;
                }
                let began = Instant::now();
                let c = match conn.as_mut() {
                    Some(c) => c,
                    None => match Conn::open(&target, sources.pick()).await {
                        Ok(c) => conn.insert(c),
                        Err(why) => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            error.get_or_insert(why.to_string());
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                };
                // As a browser: the join form, then the room page it leads to.
                let joined = match people::join(c, &code, &format!("c{k}")).await {
                    Ok(who) => people::page(c, &code, &who).await.map(|_| who),
                    Err(why) => Err(why),
                };
                let who = match joined {
                    Ok(who) => who,
                    Err(why) => {
                        conn = None;
                        failures.fetch_add(1, Ordering::Relaxed);
                        error.get_or_insert(why.to_string());
                        continue;
                    }
                };
                joins.fetch_add(1, Ordering::Relaxed);
                match people::leave(c, &code, &who).await {
                    Ok(()) => {
                        leaves.fetch_add(1, Ordering::Relaxed);
                        took.push(began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                    }
                    Err(why) => {
                        conn = None;
                        failures.fetch_add(1, Ordering::Relaxed);
                        error.get_or_insert(why.to_string());
                    }
                }
            }
            (took, error)
        }));
    }
    let mut took = Vec::new();
    let mut first_error = None;
    for task in churners {
        if let Ok((t, e)) = task.await {
            took.extend(t);
            if let Some(e) = e {
                first_error.get_or_insert(e);
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(args.drain)).await;
    let _ = stop_tx.send(true);
    let (joins, leaves) = (
        joins.load(Ordering::Relaxed),
        leaves.load(Ordering::Relaxed),
    );
    let mut result = ChurnResult {
        cycles: leaves,
        cycles_per_s: leaves as f64 / elapsed,
        joins,
        leaves,
        failures: failures.load(Ordering::Relaxed),
        cycle_latency: Latency::of(&mut took),
        first_error,
        ..ChurnResult::default()
    };
    for watcher in watchers {
        let Ok(((joined, left), resyncs, ended)) = watcher.await else {
            result.watchers_ended_early += 1;
            continue;
        };
        result.watchers_ended_early += u64::from(ended);
        result.resyncs += resyncs;
        result.missed += joins.saturating_sub(joined) + leaves.saturating_sub(left);
        result.extra += joined.saturating_sub(joins) + left.saturating_sub(leaves);
    }
    Ok(result)
}
