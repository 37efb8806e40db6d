//! `loadgen cluster-bench`: the fan-out and churn scenarios against two
//! livechat servers sharing one Redis, alternating in the same run with one
//! livechat server on its in-memory store (the same binary), several runs,
//! medians written to `BENCHMARKS-redis.md` (what is written by hand below
//! its marker line is kept, as in `BENCHMARKS.md`).
//!
//! With two servers, subscribers, watchers, publishers and churners are
//! spread over both, so every message and every notice crosses Redis to
//! reach half of the people. Each run starts everything fresh: its own
//! `redis-server` (nothing saved to disk) in a folder of its own, and the
//! servers, each on a free loopback port.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::bench::{self, LIVECHAT_FLAGS, Outcome, Plan};
use crate::client::{Sources, Target};
use crate::redis_use::{self, RedisUse};
use crate::storm::StormArgs;
use crate::storm::strike::Kill;
use std::sync::Arc;

#[derive(Clone, Debug, clap::Args)]
pub struct ClusterArgs {
    /// The livechat server binary (built with the Redis store).
    #[arg(long, default_value = "target/release/livechat")]
    pub livechat: PathBuf,
    /// The Redis server binary (Debian's `redis-server` package).
    #[arg(long, default_value = "/usr/bin/redis-server")]
    pub redis_server: PathBuf,
    /// Runs of each scenario with each set-up (medians are quoted).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Smaller scenarios, a few minutes in all.
    #[arg(long)]
    pub quick: bool,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS-redis.md")]
    pub out: PathBuf,
    /// Only scenarios whose name contains this.
    #[arg(long)]
    pub only: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Setup {
    /// One livechat server, in-memory store.
    Single,
    /// Two livechat servers sharing one Redis.
    Shared,
}

impl Setup {
    fn name(self) -> &'static str {
        match self {
            Self::Single => "one server, in memory",
            Self::Shared => "two servers + Redis",
        }
    }
}

/// The processes of one run; killed (and Redis's folder removed) when dropped.
struct Running {
    urls: Vec<String>,
    pids: Vec<u32>,
    /// Redis's port and process, with two servers.
    redis: Option<(u16, u32)>,
    children: Vec<Child>,
    dir: Option<PathBuf>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.start_kill();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub async fn run(args: ClusterArgs) -> Result<(), String> {
    if !args.livechat.exists() {
        return Err(format!(
            "{} not found: build livechat with `cargo build --release --bin livechat` first",
            args.livechat.display()
        ));
    }
    if !args.redis_server.exists() {
        return Err(format!(
            "{} not found: install Debian's redis-server package (`apt-get install redis-server`) or give --redis-server PATH",
            args.redis_server.display()
        ));
    }
    let help = Command::new(&args.livechat)
        .arg("--help")
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", args.livechat.display()))?;
    if !String::from_utf8_lossy(&help.stdout).contains("--redis") {
        return Err(format!(
            "{} has no --redis flag: give --livechat the path of a livechat built with the Redis store",
            args.livechat.display()
        ));
    }
    // Capacity and the ten tabs are one server's figures: left to `loadgen bench`.
    let plans = bench::chosen(args.quick, args.only.as_deref())
        .into_iter()
        .filter(|p| !matches!(p, Plan::Capacity(..) | Plan::Tabs(..)))
        .collect();
    let started = std::time::Instant::now();
    let mut redis = Vec::new();
    let table = bench::alternate(
        plans,
        args.runs,
        [Setup::Shared, Setup::Single].map(|s| (s, s.name())),
        async |setup, plan| {
            let (outcome, used) = one(&args, setup, plan).await;
            if let Some(used) = used {
                eprintln!("bench:   {}", used.line());
                redis.push((plan.title().to_owned(), used));
            }
            outcome
        },
    )
    .await;
    let report = report(&args, &table, &redis, started.elapsed());
    bench::write_keeping(&args.out, &report)
}

/// One run, and what Redis did meanwhile (with two servers, storm aside).
async fn one(args: &ClusterArgs, setup: Setup, plan: &Plan) -> (Outcome, Option<RedisUse>) {
    if let Plan::Storm(_, storm) = plan {
        let outcome = match setup {
            Setup::Shared => storm_kill(args, storm).await,
            Setup::Single => match free_port() {
                Ok(port) => bench::storm_restart(&args.livechat, port, storm).await,
                Err(why) => Outcome::Failed(why),
            },
        };
        return (outcome, None);
    }
    let running = match start(args, setup, &[]).await {
        Ok(running) => running,
        Err(why) => return (Outcome::Failed(why), None),
    };
    let cpu = match running.redis {
        Some((port, pid)) => redis_use::start(port, pid).await,
        None => 0.0,
    };
    let outcome = bench::drive(plan, &running.urls, &running.pids).await;
    let used = match running.redis {
        Some((port, pid)) => redis_use::since(port, pid, cpu).await,
        None => None,
    };
    drop(running);
    // Let the closed sockets of this run go before the next one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    (outcome, used)
}

/// The storm against two servers sharing Redis: the second is killed, its
/// pages resume on the first.
async fn storm_kill(args: &ClusterArgs, storm: &StormArgs) -> Outcome {
    let rooms = crate::storm::public_rooms(storm).join(",");
    let mut running = match start(args, Setup::Shared, &["--public-rooms", &rooms]).await {
        Ok(running) => running,
        Err(why) => return Outcome::Failed(why),
    };
    let targets = match running.urls.iter().map(|u| Target::parse(u)).collect() {
        Ok(targets) => targets,
        Err(why) => return Outcome::Failed(why),
    };
    // Redis first, then the servers: kill the second server, measure the rest.
    let victim = running.children.len() - 1;
    let pids: Vec<u32> = running.pids[..victim].to_vec();
    let sources = Arc::new(Sources::new(2, 4));
    let mut kill = Kill {
        children: &mut running.children[1..],
        victim: 1,
        pids,
    };
    let outcome = crate::storm::run(targets, sources, storm, &mut kill).await;
    drop(running);
    tokio::time::sleep(Duration::from_secs(1)).await;
    match outcome {
        Ok(r) => Outcome::Storm(r),
        Err(why) => Outcome::Failed(why),
    }
}

async fn start(args: &ClusterArgs, setup: Setup, extra: &[&str]) -> Result<Running, String> {
    let mut running = Running {
        urls: Vec::new(),
        pids: Vec::new(),
        redis: None,
        children: Vec::new(),
        dir: None,
    };
    let redis = match setup {
        Setup::Single => None,
        Setup::Shared => {
            let port = free_port()?;
            let dir =
                std::env::temp_dir().join(format!("loadgen-redis-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
            running.dir = Some(dir.clone());
            let child = start_redis(&args.redis_server, port, &dir).await?;
            running.pids.push(child.id().unwrap_or(0));
            running.redis = Some((port, child.id().unwrap_or(0)));
            running.children.push(child);
            Some(format!("redis://127.0.0.1:{port}"))
        }
    };
    let servers = if redis.is_some() { 2 } else { 1 };
    for _ in 0..servers {
        let bind = format!("127.0.0.1:{}", free_port()?);
        let mut cmd = Command::new(&args.livechat);
        cmd.arg("--bind")
            .arg(&bind)
            .args(LIVECHAT_FLAGS)
            .args(extra);
        if let Some(url) = &redis {
            cmd.arg("--redis").arg(url);
        }
        let child = bench::launch(cmd, "livechat", &bind).await?;
        running.pids.push(child.id().unwrap_or(0));
        running.children.push(child);
        running.urls.push(format!("http://{bind}"));
    }
    Ok(running)
}

/// A loopback port free at the moment.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// Starts `redis-server` on `port` with nothing saved to disk, and waits
/// until it answers `PING`.
async fn start_redis(bin: &Path, port: u16, dir: &Path) -> Result<Child, String> {
    let log = dir.join("redis.log");
    let mut child = Command::new(bin)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .arg("--logfile")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    for _ in 0..100 {
        if ping(port).await {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("redis-server exited at start ({status}): {said}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill().await;
    Err(format!("redis-server did not answer PING on port {port}"))
}

/// Whether Redis on `port` answers `PING` (one line each way).
async fn ping(port: u16) -> bool {
    let Ok(mut conn) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    if conn.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    conn.read_exact(&mut answer).await.is_ok() && &answer == b"+PONG\r\n"
}

/// How the two set-ups are run, as the report says it.
const SET_UP: &[&str] = &[
    "Two servers + Redis: one `redis-server` (nothing saved to disk) and two livechat servers started with `--redis` and the same `--secret`. Subscribers and watchers are spread over both servers in turn, publishers post to both, churners join and leave through both, so every message and notice crosses Redis to reach half of the people.",
    "One server, in memory: the same livechat binary without `--redis`, measured in the same run, alternating with the two servers; everything starts fresh for each run.",
];

/// How the storm is run on two servers.
const STORM_KILL: &str = "Two servers + Redis: the second server is killed (`SIGKILL`, as a crash: no last words, so pages wait hx-sse's own 500 ms ± 30 % before their first try); its pages resume on the first server (as behind a proxy that takes the dead one out) with `Last-Event-ID`, from Redis's history. \"Back\" counts from the kill (the first server answers throughout), and the live traffic measured during the storm is that of the pages that never broke. One server, in memory: the same storm, the server restarted.";

/// How to read the figures.
const READING: &[&str] = &[
    "The load generator, both servers and Redis share this machine's CPUs: two servers here do not add capacity, they show that nothing is lost or duplicated across servers, and what going through Redis costs. Server CPU is the sum of both livechat servers and redis-server while sending.",
    "Figures are medians over the runs; ratio = two servers + Redis ÷ one server (for latency and CPU lower is better, for rates higher is better).",
];

fn report(
    args: &ClusterArgs,
    table: &[(Plan, Vec<Outcome>, Vec<Outcome>)],
    redis: &[(String, RedisUse)],
    took: Duration,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Two servers sharing Redis\n");
    let _ = writeln!(
        out,
        "Written by `just bench-redis` (`target/release/loadgen cluster-bench --runs {}{}`) on {}, in {:.0} min. The single-server figures against the bare baseline are in [BENCHMARKS.md](BENCHMARKS.md).\n",
        args.runs,
        if args.quick { " --quick" } else { "" },
        bench::today(),
        took.as_secs_f64() / 60.0
    );
    let _ = writeln!(out, "- Machine: {}.", bench::machine());
    for note in SET_UP {
        let _ = writeln!(out, "- {note}");
    }
    let _ = writeln!(
        out,
        "- Both run with the limits raised for the load: `livechat {}` (and `--redis redis://127.0.0.1:PORT`).",
        LIVECHAT_FLAGS.join(" ")
    );
    for note in READING {
        let _ = writeln!(out, "- {note}");
    }
    let _ = writeln!(out);
    let columns = [Setup::Shared.name(), Setup::Single.name()];
    for (plan, shared, single) in table {
        let _ = writeln!(out, "## {} ({} runs each)\n", plan.title(), shared.len());
        match plan {
            Plan::Fanout(..) => bench::fanout_table(&mut out, columns, shared, single),
            Plan::Churn(..) => bench::churn_table(&mut out, columns, shared, single),
            Plan::Capacity(..) | Plan::Tabs(..) => {}
            Plan::Storm(..) => {
                let _ = writeln!(out, "{STORM_KILL}\n\n### {}\n", columns[0]);
                bench::storm_table(&mut out, shared);
                let _ = writeln!(out, "### {}\n\n{}\n", columns[1], bench::STORM_RESTART);
                bench::storm_table(&mut out, single);
            }
        }
        bench::each_run(&mut out, columns, shared, single);
        redis_runs(&mut out, plan, shared, redis);
    }
    out
}

/// What Redis did in each run of two servers, and per posted message or
/// join/leave cycle (set-up included: per subscriber, a join, a page and
/// a stream).
fn redis_runs(out: &mut String, plan: &Plan, shared: &[Outcome], redis: &[(String, RedisUse)]) {
    let used: Vec<&RedisUse> = redis
        .iter()
        .filter(|(title, _)| title == plan.title())
        .map(|(_, used)| used)
        .collect();
    if used.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Redis itself in each run of two servers (the whole run, set-up included; `INFO commandstats` counts the commands scripts run too):\n"
    );
    for (i, (used, outcome)) in used.iter().zip(shared).enumerate() {
        let per = match outcome {
            Outcome::Fanout(r) if r.subscribers > 0 => format!(
                ", {:.1} scripts and {:.0} µs of redis-server CPU per subscriber and its share of the messages",
                used.calls_of("evalsha") as f64 / r.subscribers as f64,
                used.cpu_s * 1e6 / r.subscribers as f64
            ),
            Outcome::Churn(r) if r.cycles > 0 => format!(
                ", {:.1} scripts, {:.0} commands and {:.0} µs of redis-server CPU per join/leave cycle",
                used.calls_of("evalsha") as f64 / r.cycles as f64,
                used.calls() as f64 / r.cycles as f64,
                used.cpu_s * 1e6 / r.cycles as f64
            ),
            _ => String::new(),
        };
        let _ = writeln!(out, "- run {}: {}{per}", i + 1, used.line());
    }
    let _ = writeln!(out);
}
