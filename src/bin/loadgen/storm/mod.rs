//! Reconnect storm: N streams in rooms of different sizes (one big room,
//! some middle ones, many pairs) with live traffic, all dropped at once (a
//! server restarted, or one of two killed), coming back as htmx 4's pages
//! do (`page.rs`). Measures how long until every stream is live again from
//! when the server answers, the server's CPU meanwhile, the live traffic's
//! p99 and largest stall while the others come back against its quiet p99,
//! and messages lost (where the history covers the gap, and where it cannot)
//! and duplicated.
//!
//! The rooms are public rooms (`storm-big`, `storm-m0`, ..., `storm-p0`,
//! ...; the server must be started with them, `public_rooms`), since only
//! those outlive a restart of a server keeping everything in memory.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use crate::client::{Conn, Failure, Sources, Target};
use crate::people::{self, Member};
use crate::sse::{message_text, now_micros};
use crate::stats::{Latency, cpu_seconds};

pub mod model;
mod page;
pub mod strike;

use model::{missing, room_sizes};
use page::{PageOf, Route, Seen};

#[derive(Clone, Debug, clap::Args)]
pub struct StormArgs {
    /// Streams held in all (each its own member, page and connection).
    #[arg(long, default_value_t = 10_000)]
    pub streams: usize,
    /// Members of the one big room.
    #[arg(long, default_value_t = 2000)]
    pub big: usize,
    /// Middle-sized rooms.
    #[arg(long, default_value_t = 20)]
    pub middle: usize,
    /// Members of each middle-sized room; the other streams are in pairs.
    #[arg(long, default_value_t = 100)]
    pub middle_size: usize,
    /// Messages a second: a third to the big room, a third round the middle
    /// rooms, a third round the pairs.
    #[arg(long, default_value_t = 30.0)]
    pub rate: f64,
    /// Seconds of quiet traffic before the drop.
    #[arg(long, default_value_t = 5.0)]
    pub quiet: f64,
    /// Seconds of traffic once every stream is back.
    #[arg(long, default_value_t = 3.0)]
    pub after: f64,
    /// Seconds to wait for every stream to come back before giving up.
    #[arg(long, default_value_t = 60.0)]
    pub patience: f64,
    /// Pages being set up at once.
    #[arg(long, default_value_t = 64)]
    pub setup: usize,
}

/// The slugs of the storm's rooms, for the server's `--public-rooms`.
pub fn public_rooms(args: &StormArgs) -> Vec<String> {
    room_sizes(args.streams, args.big, args.middle, args.middle_size)
        .iter()
        .enumerate()
        .map(|(r, size)| slug(r, *size, args))
        .collect()
}

fn slug(r: usize, size: usize, args: &StormArgs) -> String {
    if r == 0 {
        "storm-big".to_owned()
    } else if size == args.middle_size && r <= args.middle {
        format!("storm-m{r}")
    } else {
        format!("storm-p{r}")
    }
}

/// What drops every stream: a restart, or a server killed.
pub trait Disrupt {
    /// Drops the streams (marking in `route` the servers that no longer
    /// answer); returns once a server answers for them again, with the
    /// processes to measure from then on.
    async fn strike(&mut self, route: &Route) -> Result<Struck, String>;
}

pub struct Struck {
    pub answering: Instant,
    /// The servers whose streams were dropped (by index in the route).
    pub dropped: Vec<usize>,
    pub pids: Vec<u32>,
    /// Whether the history covers a message sent at this time (microseconds).
    pub covered_from: u64,
}

/// What a storm measured.
#[derive(Debug, Default, Clone)]
pub struct StormResult {
    pub streams: usize,
    pub setup_failures: usize,
    pub setup_s: f64,
    /// Streams that broke.
    pub dropped: usize,
    pub back: usize,
    /// From the drop until a server answered again.
    pub down_s: f64,
    /// From a server answering until every stream was live (or the last one was).
    pub all_back_s: f64,
    pub half_back_s: f64,
    /// From a page's first try to its stream live again (the server's
    /// part, without hx-sse's wait): median and largest.
    pub answer_p50_s: f64,
    pub answer_max_s: f64,
    pub tries: u64,
    pub reloads: u64,
    pub resyncs: u64,
    /// Server CPU seconds from the drop until every stream was back, and that span.
    pub server_cpu_s: f64,
    pub cpu_span_s: f64,
    /// The load generator's own CPU seconds over the same span: on a shared
    /// machine, what the pages themselves cost.
    pub loadgen_cpu_s: f64,
    pub quiet: Latency,
    pub storm: Latency,
    pub sent: u64,
    pub post_failures: u64,
    pub lost: u64,
    pub lost_uncovered: u64,
    pub duplicated: u64,
    pub first_error: Option<String>,
}

/// Posts confirmed per room: (seq, sent).
type Posted = Arc<Vec<Mutex<Vec<(u32, u64)>>>>;

pub async fn run(
    targets: Vec<Target>,
    sources: Arc<Sources>,
    args: &StormArgs,
    disrupt: &mut impl Disrupt,
) -> Result<StormResult, String> {
    let run = (now_micros() % 1_000_000_000) as u32;
    let sizes = room_sizes(args.streams, args.big, args.middle, args.middle_size);
    let slugs = public_rooms(args);
    let route = Arc::new(Route::new(targets));
    let (stop_tx, stop_rx) = watch::channel(false);
    let setup = Arc::new(Semaphore::new(args.setup.max(1)));
    let back = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut opening = Vec::new();
    let mut n = 0;
    for (r, size) in sizes.iter().enumerate() {
        for m in 0..*size {
            let (route, sources, setup, stop, back) = (
                route.clone(),
                sources.clone(),
                setup.clone(),
                stop_rx.clone(),
                back.clone(),
            );
            let code = slugs[r].clone();
            let home = n % route.targets.len();
            n += 1;
            opening.push(tokio::spawn(async move {
                let (who, events, path) = {
                    let _permit = setup.acquire().await.ok()?;
                    let stub = PageOf {
                        room: r,
                        code: code.clone(),
                        who: Member {
                            cookie: String::new(),
                        },
                        home,
                        run,
                    };
                    match page::open(&route, &sources, &stub, &format!("s{m}")).await {
                        Ok(opened) => opened,
                        Err(why) => return Some(Err(why.to_string())),
                    }
                };
                let page = PageOf {
                    room: r,
                    code,
                    who: who.clone(),
                    home,
                    run,
                };
                let held = tokio::spawn(page::hold(route, sources, page, events, path, stop, back));
                Some(Ok((r, home, who, held)))
            }));
        }
    }
    let mut result = StormResult {
        streams: args.streams,
        ..StormResult::default()
    };
    let mut pages = Vec::new();
    let mut homes = Vec::new();
    let mut posters: Vec<Option<Member>> = vec![None; sizes.len()];
    for task in opening {
        match task.await.ok().flatten() {
            Some(Ok((r, home, who, held))) => {
                posters[r].get_or_insert(who);
                pages.push((r, held));
                homes.push(home);
            }
            Some(Err(why)) => {
                result.setup_failures += 1;
                result.first_error.get_or_insert(why);
            }
            None => result.setup_failures += 1,
        }
    }
    result.setup_s = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Traffic, from before the drop to the end.
    let posted: Posted = Arc::new(sizes.iter().map(|_| Mutex::new(Vec::new())).collect());
    let failures = Arc::new(AtomicU64::new(0));
    let traffic = Traffic {
        rooms: Arc::new(slugs.into_iter().zip(posters).collect()),
        sizes: sizes.clone(),
        seqs: Arc::new(sizes.iter().map(|_| AtomicU32::new(0)).collect()),
        posted: posted.clone(),
        failures: failures.clone(),
        run,
    };
    let (post_stop, post_stop_rx) = watch::channel(false);
    let posting =
        tokio::spawn(traffic.post(args.rate, route.clone(), sources.clone(), post_stop_rx));
    let quiet_from = now_micros() + 1_000_000;
    tokio::time::sleep(Duration::from_secs_f64(args.quiet + 1.0)).await;

    // The drop.
    let struck_at = Instant::now();
    let quiet_to = now_micros();
    let struck = disrupt.strike(&route).await?;
    result.down_s = (struck.answering - struck_at).as_secs_f64();
    let answering_micros = now_micros();
    let cpu_before = cpu_seconds(&struck.pids);
    let own_before = cpu_seconds(&[std::process::id()]);
    // Until every page that broke is live again, or patience runs out.
    let expected = homes.iter().filter(|h| struck.dropped.contains(h)).count();
    let deadline = struck.answering + Duration::from_secs_f64(args.patience);
    while back.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_back = Instant::now();
    result.server_cpu_s = cpu_seconds(&struck.pids) - cpu_before;
    result.loadgen_cpu_s = cpu_seconds(&[std::process::id()]) - own_before;
    result.cpu_span_s = (all_back - struck.answering).as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(args.after)).await;
    // The last messages reach every page before the pages close.
    let _ = post_stop.send(true);
    let _ = posting.await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);

    // What each page saw.
    // The storm: from the server answering until every page is back (one
    // second at least).
    let storm_to = answering_micros + (result.cpu_span_s.max(1.0) * 1e6) as u64;
    let (mut quiet, mut storm, mut back_after) = (Vec::new(), Vec::new(), Vec::new());
    let mut answers = Vec::new();
    for (r, held) in pages {
        let Ok(seen) = held.await else { continue };
        tally(&mut result, &seen, &posted, r, struck.covered_from);
        if let (Some(_), Some(back)) = (seen.dropped, seen.back) {
            back_after.push(
                back.saturating_duration_since(struck.answering)
                    .as_secs_f64(),
            );
            if let Some(tried) = seen.first_try {
                answers.push(back.saturating_duration_since(tried).as_secs_f64());
            }
        }
        for &(at, took) in &seen.ledger.latencies {
            if (quiet_from..quiet_to).contains(&at) {
                quiet.push(took);
            } else if (answering_micros..storm_to).contains(&at) {
                storm.push(took);
            }
        }
    }
    result.quiet = Latency::of(&mut quiet);
    result.storm = Latency::of(&mut storm);
    back_after.sort_by(f64::total_cmp);
    result.all_back_s = back_after.last().copied().unwrap_or(f64::NAN);
    result.half_back_s = back_after
        .get(back_after.len() / 2)
        .copied()
        .unwrap_or(f64::NAN);
    answers.sort_by(f64::total_cmp);
    result.answer_p50_s = answers.get(answers.len() / 2).copied().unwrap_or(f64::NAN);
    result.answer_max_s = answers.last().copied().unwrap_or(f64::NAN);
    result.sent = posted
        .iter()
        .map(|p| p.lock().map_or(0, |p| p.len() as u64))
        .sum();
    result.post_failures = failures.load(Ordering::Relaxed);
    Ok(result)
}

fn tally(result: &mut StormResult, seen: &Seen, posted: &Posted, room: usize, covered_from: u64) {
    if seen.dropped.is_some() {
        result.dropped += 1;
    }
    if seen.back.is_some() {
        result.back += 1;
    }
    result.tries += u64::from(seen.tries);
    result.reloads += u64::from(seen.reloads);
    result.resyncs += seen.resyncs;
    result.duplicated += seen.ledger.duplicated;
    if let Some(e) = &seen.first_error {
        result.first_error.get_or_insert_with(|| e.clone());
    }
    if let Ok(posted) = posted[room].lock() {
        let (lost, uncovered) = missing(&seen.ledger, &posted, |sent| sent >= covered_from);
        result.lost += lost;
        result.lost_uncovered += uncovered;
    }
}

/// The live traffic: one poster per room (its first member), posting in
/// turn to the big room, the next middle room and the next pair.
struct Traffic {
    rooms: Arc<Vec<(String, Option<Member>)>>,
    sizes: Vec<usize>,
    seqs: Arc<Vec<AtomicU32>>,
    posted: Posted,
    failures: Arc<AtomicU64>,
    run: u32,
}

impl Traffic {
    /// The room of message `k`.
    fn room_of(&self, k: u64) -> usize {
        let middle = self.sizes.iter().skip(1).take_while(|s| **s > 2).count();
        let pairs = self.sizes.len() - 1 - middle;
        let turn = k / 3;
        match k % 3 {
            1 if middle > 0 => 1 + (turn % middle as u64) as usize,
            2 if pairs > 0 => 1 + middle + (turn % pairs as u64) as usize,
            _ => 0,
        }
    }

    async fn post(
        self,
        rate: f64,
        route: Arc<Route>,
        sources: Arc<Sources>,
        stop: watch::Receiver<bool>,
    ) {
        let posters = 8usize;
        let this = Arc::new(self);
        let start = Instant::now();
        let tasks: Vec<_> = (0..posters)
            .map(|p| {
                let (this, route, sources, stop) =
                    (this.clone(), route.clone(), sources.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut conn: Option<Conn> = None;
                    let mut k = p as u64;
                    while !*stop.borrow() {
                        tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / rate))
                            .await;
                        let r = this.room_of(k);
                        k += posters as u64;
                        let (code, Some(who)) = &this.rooms[r] else {
                            continue;
                        };
                        let (_, target) = route.pick(p);
                        if conn.is_none() {
                            conn = Conn::open(target, sources.pick()).await.ok();
                        }
                        let Some(c) = conn.as_mut() else {
                            this.failures.fetch_add(1, Ordering::Relaxed);
                            continue;
                        };
                        let seq = this.seqs[r].fetch_add(1, Ordering::Relaxed);
                        match this.post_one(c, r, code, who, seq).await {
                            Ok(sent) => {
                                if let Ok(mut posted) = this.posted[r].lock() {
                                    posted.push((seq, sent));
                                }
                            }
                            Err(_) => {
                                conn = None;
                                this.failures.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    }

    /// Posts; a poster the server no longer has in the room (a restart of
    /// the memory store) loads the room's page, which enters it, and posts
    /// again. The send time.
    async fn post_one(
        &self,
        conn: &mut Conn,
        r: usize,
        code: &str,
        who: &Member,
        seq: u32,
    ) -> Result<u64, Failure> {
        let sent = now_micros();
        let text = message_text(self.run, r, seq, sent);
        match people::post(conn, code, who, &text).await {
            Ok(()) => Ok(sent),
            Err(Failure::Http(_)) => {
                people::page(conn, code, who).await?;
                let sent = now_micros();
                let text = message_text(self.run, r, seq, sent);
                people::post(conn, code, who, &text).await.map(|()| sent)
            }
            Err(e) => Err(e),
        }
    }
}
