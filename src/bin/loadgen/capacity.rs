//! Capacity: idle streams opened in steps until the server (or this machine)
//! stops accepting them, with the server's memory read from `/proc` after
//! each step. One process may only hold so many sockets, so the streams are
//! held by worker processes (this same program, `idle-worker`), each from
//! source addresses of its own.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{Mutex, Semaphore};

use crate::client::{Conn, Failure, Sources, Target};
use crate::fanout::open_member;
use crate::people;
use crate::sse::Events;

#[derive(Clone, Debug, clap::Args)]
pub struct CapacityArgs {
    /// Streams opened per step.
    #[arg(long, default_value_t = 2000)]
    pub step: usize,
    /// Most streams to open in all.
    #[arg(long, default_value_t = 19_900)]
    pub max: usize,
    /// Worker processes holding the streams (each is limited by its own open-file limit).
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Members per room.
    #[arg(long, default_value_t = 100)]
    pub room_size: usize,
    /// Server processes whose memory is read from /proc/PID/status (repeat for several).
    #[arg(long = "pid")]
    pub pids: Vec<u32>,
    /// Seconds to let the server settle after each step before reading its memory.
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,
}

/// One step: streams held, server memory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Step {
    pub streams: u64,
    pub rss_kib: u64,
}

#[derive(Debug, Clone, Default)]
pub struct CapacityResult {
    pub rss_before_kib: u64,
    pub steps: Vec<Step>,
    pub held: u64,
    pub failed: u64,
    pub first_error: Option<String>,
    pub hit_limit: bool,
}

impl CapacityResult {
    /// Server memory per idle stream at the last step, in KiB.
    pub fn kib_per_stream(&self) -> f64 {
        match self.steps.last() {
            Some(last) if last.streams > 0 => {
                last.rss_kib.saturating_sub(self.rss_before_kib) as f64 / last.streams as f64
            }
            _ => f64::NAN,
        }
    }
}

/// Resident memory of a process, in KiB (`VmRSS` in `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn total_rss(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|pid| rss_kib(*pid)).sum()
}

struct Worker {
    child: Child,
    input: ChildStdin,
    output: tokio::io::Lines<BufReader<ChildStdout>>,
}

pub async fn run(
    target_urls: &[String],
    sources: u8,
    args: &CapacityArgs,
) -> Result<CapacityResult, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let workers_n = args.workers.max(1);
    let mut workers = Vec::new();
    for w in 0..workers_n {
        let mut cmd = Command::new(&exe);
        cmd.arg("idle-worker");
        for url in target_urls {
            cmd.arg("--target").arg(url);
        }
        // Each worker its own source addresses: 127.0.0.2.. for the first, and so on.
        let per = sources.max(1);
        cmd.arg("--sources")
            .arg(per.to_string())
            .arg("--first-source")
            .arg((2 + w as u16 * u16::from(per)).min(250).to_string())
            .arg("--room-size")
            .arg(args.room_size.to_string())
            .arg("--prefix")
            .arg(format!("k{w}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start a worker: {e}"))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("a worker has no pipes".to_owned());
        };
        workers.push(Worker {
            child,
            input,
            output: BufReader::new(output).lines(),
        });
    }
    let mut result = CapacityResult {
        rss_before_kib: total_rss(&args.pids),
        ..CapacityResult::default()
    };
    let mut asked = 0;
    while asked < args.max {
        let step = args.step.min(args.max - asked);
        asked += step;
        let share = step.div_ceil(workers_n);
        let mut left = step;
        for worker in &mut workers {
            let n = share.min(left);
            left -= n;
            worker
                .input
                .write_all(format!("open {n}\n").as_bytes())
                .await
                .map_err(|e| format!("a worker stopped: {e}"))?;
        }
        let mut alive = 0;
        let mut failed_now = 0;
        for worker in &mut workers {
            let line = worker
                .output
                .next_line()
                .await
                .map_err(|e| format!("a worker stopped: {e}"))?
                .ok_or("a worker stopped")?;
            // "alive A failed F limit L error ..."
            let mut words = line.splitn(7, ' ');
            let mut field = |name: &str| -> u64 {
                if words.next() == Some(name) {
                    words.next().and_then(|v| v.parse().ok()).unwrap_or(0)
                } else {
                    0
                }
            };
            alive += field("alive");
            let failed = field("failed");
            let limit = field("limit");
            failed_now += failed;
            result.hit_limit |= limit > 0;
            if let Some(why) = line.split_once(" error ").map(|(_, e)| e.to_owned())
                && failed > 0
            {
                result.first_error.get_or_insert(why);
            }
        }
        result.failed += failed_now;
        tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
        let step = Step {
            streams: alive,
            rss_kib: total_rss(&args.pids),
        };
        eprintln!(
            "capacity: {} streams held, server RSS {} KiB",
            step.streams, step.rss_kib
        );
        result.steps.push(step);
        result.held = alive;
        if failed_now > 0 || alive < asked as u64 {
            break;
        }
    }
    for mut worker in workers {
        drop(worker.input);
        let _ = worker.child.kill().await;
    }
    Ok(result)
}

#[derive(Clone, Debug, clap::Args)]
pub struct WorkerArgs {
    #[arg(long, default_value_t = 100)]
    pub room_size: usize,
    #[arg(long, default_value = "k")]
    pub prefix: String,
}

/// The worker: opens idle streams when told (`open N` on standard input),
/// answers `alive A failed F limit L error WHY` on standard output.
pub async fn worker(
    targets: Vec<Target>,
    sources: Arc<Sources>,
    args: WorkerArgs,
) -> Result<(), String> {
    let alive = Arc::new(AtomicU64::new(0));
    let mut opened = 0usize;
    let mut rooms: Vec<String> = Vec::new();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    let gate = Arc::new(Semaphore::new(64));
    while let Ok(Some(line)) = lines.next_line().await {
        let Some(n) = line
            .strip_prefix("open ")
            .and_then(|n| n.trim().parse::<usize>().ok())
        else {
            continue;
        };
        let failed = Arc::new(AtomicU64::new(0));
        let limit = Arc::new(AtomicU64::new(0));
        let error: Arc<Mutex<Option<String>>> = Arc::default();
        let note =
            |why: Failure, failed: &AtomicU64, limit: &AtomicU64, error: &Mutex<Option<String>>| {
                failed.fetch_add(1, Ordering::Relaxed);
                if why.is_limit() {
                    limit.fetch_add(1, Ordering::Relaxed);
                }
                if let Ok(mut e) = error.try_lock() {
                    e.get_or_insert(why.to_string());
                }
            };
        let mut tasks = Vec::new();
        for i in opened..opened + n {
            let target = targets[i % targets.len()].clone();
            let name = format!("{}n{i}", args.prefix);
            let room = i / args.room_size.max(1);
            if room >= rooms.len() {
                // The room's first member makes it, and keeps its page open.
                let made = async {
                    let mut conn = Conn::open(&target, sources.pick()).await?;
                    let (code, who) = people::create(&mut conn, &name).await?;
                    let events = people::stream(conn, &code, &who).await?;
                    Ok::<_, Failure>((code, events))
                }
                .await;
                match made {
                    Ok((code, events)) => {
                        rooms.push(code);
                        hold(events, alive.clone());
                    }
                    Err(why) => {
                        note(why, &failed, &limit, &error);
                        break;
                    }
                }
                continue;
            }
            let code = rooms[room].clone();
            let (sources, alive, gate) = (sources.clone(), alive.clone(), gate.clone());
            let (failed, limit, error) = (failed.clone(), limit.clone(), error.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire().await;
                match open_member(&target, &sources, &code, None, &name).await {
                    Ok(events) => hold(events, alive),
                    Err(why) => note(why, &failed, &limit, &error),
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        opened += n;
        let error = error.lock().await.take().unwrap_or_default();
        let reply = format!(
            "alive {} failed {} limit {} error {}\n",
            alive.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
            limit.load(Ordering::Relaxed),
            error.replace('\n', " ")
        );
        if out.write_all(reply.as_bytes()).await.is_err() || out.flush().await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Keeps a stream open and read (keep-alives arrive), counting it while alive.
fn hold(mut events: Events, alive: Arc<AtomicU64>) {
    alive.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        while let Ok(None) = events.next_batch(|_| {}).await {}
        alive.fetch_sub(1, Ordering::Relaxed);
    });
}
