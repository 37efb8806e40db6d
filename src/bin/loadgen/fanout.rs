//! Fan-out: R rooms of S subscribers each, M messages a second for T seconds.
//! Each message carries its send time; every subscriber checks that it got
//! each message of its room exactly once and how long it took.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::client::{Conn, Failure, Sources, Target};
use crate::people::{self, Member};
use crate::sse::{End, Events, is_resync, message_text, now_micros, tokens};
use crate::stats::{Latency, cpu_seconds};

#[derive(Clone, Debug, clap::Args)]
pub struct FanoutArgs {
    /// Rooms.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Subscribers per room (each its own member and connection).
    #[arg(long, default_value_t = 1000)]
    pub subscribers: usize,
    /// Messages per second, over all rooms.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds to wait for late deliveries after the last message.
    #[arg(long, default_value_t = 3.0)]
    pub drain: f64,
    /// Connections posting messages at once.
    #[arg(long, default_value_t = 8)]
    pub posters: usize,
    /// Subscribers being set up at once.
    #[arg(long, default_value_t = 64)]
    pub setup: usize,
    /// Server processes whose CPU time while sending is measured (repeat for several).
    #[arg(long = "pid")]
    pub pids: Vec<u32>,
}

/// What a fan-out run measured.
#[derive(Debug, Default, Clone)]
pub struct FanoutResult {
    pub subscribers: usize,
    pub setup_failures: usize,
    pub sent: u64,
    pub post_failures: u64,
    pub expected: u64,
    pub delivered: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub resyncs: u64,
    pub ended_early: u64,
    pub latency: Latency,
    pub delivered_per_s: f64,
    pub setup_s: f64,
    /// Server CPU seconds from the first message to the end of the drain.
    pub server_cpu_s: f64,
    pub messages_metric: Option<u64>,
    pub renders_metric: Option<u64>,
    pub first_error: Option<String>,
}

/// What one subscriber saw.
#[derive(Default)]
struct Seen {
    room: usize,
    got: Vec<u64>,
    unique: u64,
    duplicated: u64,
    resyncs: u64,
    latencies: Vec<u32>,
    ended_early: bool,
}

impl Seen {
    fn record(&mut self, run: u32, event: &[u8]) {
        let resync = is_resync(event);
        if resync {
            self.resyncs += 1;
        }
        let now = now_micros();
        tokens(event, |t| {
            if t.run != run || t.room != self.room {
                return;
            }
            let (word, bit) = (t.seq as usize / 64, t.seq % 64);
            if word >= self.got.len() {
                self.got.resize(word + 1, 0);
            }
            if self.got[word] & (1 << bit) != 0 {
                // A resync repeats what the page has; only a second live
                // delivery is a duplicate.
                if !resync {
                    self.duplicated += 1;
                }
                return;
            }
            self.got[word] |= 1 << bit;
            self.unique += 1;
            let took = now.saturating_sub(t.sent).min(u64::from(u32::MAX));
            self.latencies.push(took as u32);
        });
    }
}

/// Reads a stream until `stop`, handing each event to `on_event`. True when
/// the stream ended before `stop`.
pub async fn read_until(
    events: &mut Events,
    stop: &mut watch::Receiver<bool>,
    mut on_event: impl FnMut(&[u8]),
) -> bool {
    loop {
        if *stop.borrow() {
            return false;
        }
        tokio::select! {
            got = events.next_batch(&mut on_event) => match got {
                Ok(None) => {}
                Ok(Some(End::Closed | End::Eof)) | Err(_) => return true,
            },
            _ = stop.changed() => return false,
        }
    }
}

/// Runs the scenario. Subscribers spread round-robin over `targets`.
pub async fn run(
    targets: &[Target],
    sources: Arc<Sources>,
    args: &FanoutArgs,
) -> Result<FanoutResult, String> {
    let first = targets.first().ok_or("give at least one --target")?;
    let run_id = (now_micros() % 1_000_000_000) as u32;
    let setup_started = Instant::now();
    let rooms = Arc::new(people::create_rooms(first, &sources, args.rooms).await?);
    let (stop_tx, stop_rx) = watch::channel(false);
    let setup = Arc::new(Semaphore::new(args.setup.max(1)));
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let mut subs = Vec::new();
    // The publishers' own pages stay open, as a sender's browser would.
    let mut total = 0;
    for (r, (code, publisher)) in rooms.iter().enumerate() {
        let target = first.clone();
        subs.push(spawn_subscriber(
            target,
            sources.clone(),
            code.clone(),
            r,
            Some(publisher.clone()),
            format!("p{r}"),
            run_id,
            false,
            setup.clone(),
            ready_tx.clone(),
            stop_rx.clone(),
        ));
        total += 1;
    }
    let mut n = 0;
    for s in 0..args.subscribers {
        for (r, (code, _)) in rooms.iter().enumerate() {
            let target = targets[n % targets.len()].clone();
            n += 1;
            subs.push(spawn_subscriber(
                target,
                sources.clone(),
                code.clone(),
                r,
                None,
                format!("s{r}x{s}"),
                run_id,
                true,
                setup.clone(),
                ready_tx.clone(),
                stop_rx.clone(),
            ));
            total += 1;
        }
    }
    drop(ready_tx);
    let mut setup_failures = 0;
    let mut first_error = None;
    for _ in 0..total {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(why)) => {
                setup_failures += 1;
                first_error.get_or_insert(why);
            }
            None => break,
        }
    }
    let setup_s = setup_started.elapsed().as_secs_f64();
    // Let join notices and Online lists of the set-up settle.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Publish.
    let sent: Arc<Vec<AtomicU32>> = Arc::new((0..args.rooms).map(|_| AtomicU32::new(0)).collect());
    let post_failures = Arc::new(AtomicU64::new(0));
    let total_messages = (args.rate * args.seconds).round() as u64;
    let cpu_before = cpu_seconds(&args.pids);
    let start = Instant::now();
    let posters = args.posters.clamp(1, 256);
    let mut poster_tasks = Vec::new();
    for p in 0..posters {
        let (rooms, sent, failures, sources, target) = (
            rooms.clone(),
            sent.clone(),
            post_failures.clone(),
            sources.clone(),
            // Publishers post to every server in turn.
            targets[p % targets.len()].clone(),
        );
        let plan = Posting {
            rate: args.rate,
            total: total_messages,
            posters,
            start,
            run_id,
        };
        poster_tasks.push(tokio::spawn(post_share(
            p, plan, rooms, sent, failures, sources, target,
        )));
    }
    for task in poster_tasks {
        if let Ok(Some(why)) = task.await {
            first_error.get_or_insert(why);
        }
    }
    let sending = start.elapsed().as_secs_f64().max(args.seconds);
    tokio::time::sleep(Duration::from_secs_f64(args.drain)).await;
    let _ = stop_tx.send(true);
    let server_cpu_s = cpu_seconds(&args.pids) - cpu_before;

    let mut result = FanoutResult {
        server_cpu_s,
        subscribers: args.rooms * args.subscribers,
        setup_failures,
        post_failures: post_failures.load(Ordering::Relaxed),
        setup_s,
        ..FanoutResult::default()
    };
    let sent: Vec<u64> = sent
        .iter()
        .map(|n| u64::from(n.load(Ordering::Relaxed)))
        .collect();
    result.sent = sent.iter().sum();
    let mut latencies = Vec::new();
    for sub in subs {
        let Ok(Some(seen)) = sub.await else { continue };
        let expected = sent[seen.room];
        result.expected += expected;
        result.delivered += seen.unique;
        result.lost += expected.saturating_sub(seen.unique);
        result.duplicated += seen.duplicated;
        result.resyncs += seen.resyncs;
        result.ended_early += u64::from(seen.ended_early);
        latencies.extend_from_slice(&seen.latencies);
    }
    // Subscribers that never connected lost everything too.
    result.lost += setup_failures as u64 * result.sent / args.rooms.max(1) as u64;
    result.latency = Latency::of(&mut latencies);
    result.delivered_per_s = result.delivered as f64 / sending;
    result.first_error = first_error;
    if let Ok(mut conn) = Conn::open(first, sources.pick()).await {
        result.messages_metric = people::metric(&mut conn, "livechat_messages_total").await;
        result.renders_metric = people::metric(&mut conn, "livechat_renders_total").await;
    }
    Ok(result)
}

/// When and how fast every poster posts.
#[derive(Clone, Copy)]
struct Posting {
    rate: f64,
    total: u64,
    posters: usize,
    start: Instant,
    run_id: u32,
}

/// Poster `p` posts messages `p`, `p + posters`, ... on schedule, round the
/// rooms, reconnecting after a failure; its first error.
async fn post_share(
    p: usize,
    plan: Posting,
    rooms: Arc<Vec<(String, Member)>>,
    sent: Arc<Vec<AtomicU32>>,
    failures: Arc<AtomicU64>,
    sources: Arc<Sources>,
    target: Target,
) -> Option<String> {
    let mut conn: Option<Conn> = None;
    let mut error = None;
    let mut k = p as u64;
    while k < plan.total {
        let at = plan.start + Duration::from_secs_f64(k as f64 / plan.rate);
        tokio::time::sleep_until(at).await;
        let room = (k % rooms.len() as u64) as usize;
        let seq = (k / rooms.len() as u64) as u32;
        let (code, publisher) = &rooms[room];
        let text = message_text(plan.run_id, room, seq, now_micros());
        let done = match conn.as_mut() {
            Some(c) => people::post(c, code, publisher, &text).await,
            None => match Conn::open(&target, sources.pick()).await {
                Ok(c) => people::post(conn.insert(c), code, publisher, &text).await,
                Err(e) => Err(e),
            },
        };
        match done {
            Ok(()) => {
                sent[room].fetch_add(1, Ordering::Relaxed);
            }
            Err(why) => {
                conn = None;
                failures.fetch_add(1, Ordering::Relaxed);
                error.get_or_insert(why.to_string());
            }
        }
        k += plan.posters as u64;
    }
    error
}

#[allow(clippy::too_many_arguments)]
fn spawn_subscriber(
    target: Target,
    sources: Arc<Sources>,
    code: String,
    room: usize,
    who: Option<Member>,
    name: String,
    run_id: u32,
    measured: bool,
    setup: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<Result<(), String>>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Option<Seen>> {
    tokio::spawn(async move {
        let opened = {
            let _permit = setup.acquire().await.ok()?;
            open_member(&target, &sources, &code, who, &name).await
        };
        let mut events = match opened {
            Ok(events) => events,
            Err(why) => {
                let _ = ready.send(Err(why.to_string()));
                return None;
            }
        };
        let _ = ready.send(Ok(()));
        drop(ready);
        let mut seen = Seen {
            room,
            ..Seen::default()
        };
        let ended = read_until(&mut events, &mut stop, |event| {
            if measured {
                seen.record(run_id, event);
            }
        })
        .await;
        seen.ended_early = ended;
        measured.then_some(seen)
    })
}

/// A person's connection: joins (unless already a member) and opens the stream.
pub async fn open_member(
    target: &Target,
    sources: &Sources,
    code: &str,
    who: Option<Member>,
    name: &str,
) -> Result<Events, Failure> {
    let mut conn = Conn::open(target, sources.pick()).await?;
    let who = match who {
        Some(who) => who,
        None => people::join(&mut conn, code, name).await?,
    };
    people::stream(conn, code, &who).await
}
