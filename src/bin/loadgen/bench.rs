//! `loadgen bench`: every scenario against livechat and against the bare
//! baseline server, alternating, several runs, medians and ratios written to
//! `BENCHMARKS.md`. Each server is started fresh for each run, on loopback,
//! with its limits raised for the load (the flags are written in the report).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::capacity::{self, CapacityArgs, CapacityResult};
use crate::churn::{self, ChurnArgs, ChurnResult};
use crate::client::{Conn, Sources, Target};
use crate::fanout::{self, FanoutArgs, FanoutResult};
use crate::stats::median;

#[derive(Clone, Debug, clap::Args)]
pub struct BenchArgs {
    /// The livechat server binary.
    #[arg(long, default_value = "target/release/livechat")]
    pub livechat: PathBuf,
    /// The baseline server binary.
    #[arg(long, default_value = "target/release/baseline")]
    pub baseline: PathBuf,
    /// Runs of each scenario against each server (medians are quoted).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Smaller scenarios, one or two minutes in all.
    #[arg(long)]
    pub quick: bool,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    pub out: PathBuf,
    /// First loopback port to serve on (each run takes the next one).
    #[arg(long, default_value_t = 3900)]
    pub port: u16,
    /// Only scenarios whose name contains this.
    #[arg(long)]
    pub only: Option<String>,
}

/// The flags livechat runs with here: its defaults guard one public server
/// against abuse, and would refuse a load generator from one address.
pub const LIVECHAT_FLAGS: &[&str] = &[
    "--max-address-streams",
    "1000000",
    "--max-address-connections",
    "1000000",
    "--rate-messages",
    "1000000",
    "--max-members",
    "100000",
    "--max-rooms",
    "100000",
    "--join-failures",
    "1000000",
    "--address-sessions",
    "1000000",
    "--address-messages",
    "1000000",
    "--address-rooms",
    "1000000",
    "--address-rooms-held",
    "1000000",
    "--secret",
    "bench-secret-bench-secret-bench-secret",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Server {
    Livechat,
    Baseline,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Self::Livechat => "livechat",
            Self::Baseline => "baseline",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Plan {
    Fanout(String, FanoutArgs),
    Churn(String, ChurnArgs),
    Capacity(String, CapacityArgs),
}

impl Plan {
    pub(crate) fn title(&self) -> &str {
        match self {
            Self::Fanout(t, _) | Self::Churn(t, _) | Self::Capacity(t, _) => t,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Fanout(FanoutResult),
    Churn(ChurnResult),
    Capacity(CapacityResult),
    Failed(String),
}

fn fanout_args(rooms: usize, subscribers: usize, rate: f64, seconds: f64) -> FanoutArgs {
    FanoutArgs {
        rooms,
        subscribers,
        rate,
        seconds,
        drain: 3.0,
        posters: 8,
        setup: 64,
        pids: Vec::new(),
    }
}

fn plans(quick: bool) -> Vec<Plan> {
    let churn = |seconds| ChurnArgs {
        watchers: 20,
        concurrency: 32,
        rate: 0.0,
        seconds,
        drain: 5.0,
    };
    let capacity = |step, max| CapacityArgs {
        step,
        max,
        workers: 2,
        room_size: 100,
        pids: Vec::new(),
        settle: 2.0,
    };
    // The full scenarios are those of the targets; the quick ones smaller.
    let (big, small, churn_s, step, max) = if quick {
        ((1, 1000, 20.0, 5.0), (50, 20, 100.0, 5.0), 5.0, 2000, 4000)
    } else {
        (
            (1, 5000, 20.0, 10.0),
            (200, 25, 200.0, 10.0),
            10.0,
            4000,
            19_900,
        )
    };
    let fanout = |(rooms, subs, rate, seconds): (usize, usize, f64, f64)| {
        let title = format!(
            "fanout {rooms} room{} × {} subscribers, {rate} msg/s, {seconds} s",
            if rooms == 1 { "" } else { "s" },
            thousands(subs)
        );
        Plan::Fanout(title, fanout_args(rooms, subs, rate, seconds))
    };
    vec![
        fanout(big),
        fanout(small),
        Plan::Churn(
            format!("churn, 20 watchers, 32 at once, {churn_s} s"),
            churn(churn_s),
        ),
        Plan::Capacity(
            format!(
                "capacity, idle streams in steps of {} up to {}",
                thousands(step),
                thousands(max)
            ),
            capacity(step, max),
        ),
    ]
}

/// 19900 as "19,900".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub async fn run(args: BenchArgs) -> Result<(), String> {
    for bin in [&args.livechat, &args.baseline] {
        if !bin.exists() {
            return Err(format!(
                "{} not found: build with `cargo build --release --bins` first",
                bin.display()
            ));
        }
    }
    let mut port = args.port;
    let started = std::time::Instant::now();
    let table = alternate(
        chosen(args.quick, args.only.as_deref()),
        args.runs,
        [Server::Livechat, Server::Baseline].map(|s| (s, s.name())),
        async |server, plan| {
            port += 1;
            one(&args, server, port, plan).await
        },
    )
    .await;
    let report = report(&args, &table, started.elapsed());
    write_keeping(&args.out, &report)
}

/// Writes a report to `path`, keeping what the old file had below `KEEP`.
pub(crate) fn write_keeping(path: &Path, report: &str) -> Result<(), String> {
    let keep = std::fs::read_to_string(path)
        .ok()
        .and_then(|old| old.split_once(KEEP).map(|(_, kept)| kept.to_owned()))
        .unwrap_or_else(|| "\n".to_owned());
    std::fs::write(path, format!("{report}{KEEP}{keep}"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// The scenarios: all, or those whose name contains `only`.
pub(crate) fn chosen(quick: bool, only: Option<&str>) -> Vec<Plan> {
    plans(quick)
        .into_iter()
        .filter(|p| only.is_none_or(|o| p.title().contains(o)))
        .collect()
}

/// Each plan in turn, `runs` times with each of two set-ups (named),
/// alternating which goes first: `(plan, outcomes of the first set-up,
/// outcomes of the second)`.
pub(crate) async fn alternate<S: Copy>(
    plans: Vec<Plan>,
    runs: usize,
    setups: [(S, &str); 2],
    mut one: impl AsyncFnMut(S, &Plan) -> Outcome,
) -> Vec<(Plan, Vec<Outcome>, Vec<Outcome>)> {
    let mut table = Vec::new();
    for plan in plans {
        let mut outcomes = [Vec::new(), Vec::new()];
        // Capacity is slow and steady: fewer runs.
        let n = if matches!(plan, Plan::Capacity(..)) {
            runs.clamp(1, 2)
        } else {
            runs.max(1)
        };
        for run in 0..n {
            let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                let (setup, name) = setups[i];
                eprintln!("bench: {} — {name} run {}", plan.title(), run + 1);
                let outcome = one(setup, &plan).await;
                eprintln!("bench:   {}", summary(&outcome));
                outcomes[i].push(outcome);
            }
        }
        let [first, second] = outcomes;
        table.push((plan, first, second));
    }
    table
}

/// What follows this line in the report is written by hand and kept.
const KEEP: &str = "<!-- Everything below is written by hand and kept by `loadgen bench`. -->\n";

async fn one(args: &BenchArgs, server: Server, port: u16, plan: &Plan) -> Outcome {
    let url = format!("http://127.0.0.1:{port}");
    let mut child = match start(args, server, port).await {
        Ok(child) => child,
        Err(why) => return Outcome::Failed(why),
    };
    let pid = child.id().unwrap_or(0);
    let outcome = drive(plan, &[url], &[pid]).await;
    let _ = child.kill().await;
    // Let the closed sockets of this run go before the next one.
    tokio::time::sleep(Duration::from_secs(1)).await;
    outcome
}

/// Runs one scenario against servers already started at `urls`, measuring
/// the CPU time of the processes `pids`.
pub(crate) async fn drive(plan: &Plan, urls: &[String], pids: &[u32]) -> Outcome {
    let targets: Vec<Target> = match urls.iter().map(|u| Target::parse(u)).collect() {
        Ok(t) => t,
        Err(why) => return Outcome::Failed(why),
    };
    let sources = Arc::new(Sources::new(2, 4));
    match plan {
        Plan::Fanout(_, a) => {
            let mut a = a.clone();
            a.pids = pids.to_vec();
            match fanout::run(&targets, sources, &a).await {
                Ok(r) => Outcome::Fanout(r),
                Err(e) => Outcome::Failed(e),
            }
        }
        Plan::Churn(_, a) => match churn::run(&targets, sources, a).await {
            Ok(r) => Outcome::Churn(r),
            Err(e) => Outcome::Failed(e),
        },
        Plan::Capacity(_, a) => {
            let mut a = a.clone();
            a.pids = pids.to_vec();
            match capacity::run(urls, 4, &a).await {
                Ok(r) => Outcome::Capacity(r),
                Err(e) => Outcome::Failed(e),
            }
        }
    }
}

async fn start(args: &BenchArgs, server: Server, port: u16) -> Result<Child, String> {
    let bind = format!("127.0.0.1:{port}");
    let cmd = match server {
        Server::Livechat => {
            let mut cmd = Command::new(&args.livechat);
            cmd.arg("--bind").arg(&bind).args(LIVECHAT_FLAGS);
            cmd
        }
        Server::Baseline => {
            let mut cmd = Command::new(&args.baseline);
            cmd.arg("--bind").arg(&bind);
            cmd
        }
    };
    launch(cmd, server.name(), &bind).await
}

/// Starts a server (quiet, killed when dropped) and waits until it answers
/// `/healthz` at `bind`.
pub(crate) async fn launch(mut cmd: Command, name: &str, bind: &str) -> Result<Child, String> {
    cmd.env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let target = Target::parse(&format!("http://{bind}"))?;
    let source = Sources::new(1, 1).pick();
    for _ in 0..100 {
        if let Ok(mut conn) = Conn::open(&target, source).await
            && let Ok(head) = conn.send("GET", "/healthz", None, None).await
            && head.status == 200
        {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{name} exited at start: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill().await;
    Err(format!("{name} did not answer /healthz"))
}

pub fn fanout_line(r: &FanoutResult) -> String {
    let mut line = format!(
        "delivered {} of {} expected ({:.0}/s), lost {}, duplicated {}, resyncs {}, latency p50 {:.1} ms p99 {:.1} ms max {:.1} ms, sent {} (failed {}), subscribers {} (failed {}), setup {:.1} s, server CPU {:.2} s",
        r.delivered,
        r.expected,
        r.delivered_per_s,
        r.lost,
        r.duplicated,
        r.resyncs,
        r.latency.p50,
        r.latency.p99,
        r.latency.max,
        r.sent,
        r.post_failures,
        r.subscribers,
        r.setup_failures,
        r.setup_s,
        r.server_cpu_s
    );
    if let (Some(m), Some(rn)) = (r.messages_metric, r.renders_metric) {
        let _ = write!(line, ", /metrics messages {m} renders {rn}");
    }
    if let Some(e) = &r.first_error {
        let _ = write!(line, ", first error: {e}");
    }
    line
}

pub fn churn_line(r: &ChurnResult) -> String {
    let mut line = format!(
        "{} join/leave cycles ({:.0}/s; {} joins, {} leaves), failures {}, notices missed {} extra {}, watcher resyncs {}, cycle p50 {:.1} ms p99 {:.1} ms",
        r.cycles,
        r.cycles_per_s,
        r.joins,
        r.leaves,
        r.failures,
        r.missed,
        r.extra,
        r.resyncs,
        r.cycle_latency.p50,
        r.cycle_latency.p99
    );
    if let Some(e) = &r.first_error {
        let _ = write!(line, ", first error: {e}");
    }
    line
}

pub fn capacity_line(r: &CapacityResult) -> String {
    let mut line = format!(
        "{} idle streams held ({} failed), server RSS {:.1} KiB per stream (from {} KiB before)",
        r.held,
        r.failed,
        r.kib_per_stream(),
        r.rss_before_kib
    );
    for s in &r.steps {
        let _ = write!(line, "; {} streams: {} KiB", s.streams, s.rss_kib);
    }
    if r.hit_limit {
        line.push_str("; a limit of this machine was hit");
    }
    if let Some(e) = &r.first_error {
        let _ = write!(line, "; first error: {e}");
    }
    line
}

pub(crate) fn summary(o: &Outcome) -> String {
    match o {
        Outcome::Fanout(r) => fanout_line(r),
        Outcome::Churn(r) => churn_line(r),
        Outcome::Capacity(r) => capacity_line(r),
        Outcome::Failed(e) => format!("failed: {e}"),
    }
}

/// The median of one figure over the runs that produced it.
fn med<T>(outcomes: &[Outcome], pick: impl Fn(&Outcome) -> Option<T>) -> f64
where
    T: Figure,
{
    let v: Vec<f64> = outcomes
        .iter()
        .filter_map(|o| pick(o).map(Figure::figure))
        .collect();
    median(&v)
}

/// A number that goes in a table.
trait Figure {
    fn figure(self) -> f64;
}

impl Figure for f64 {
    fn figure(self) -> f64 {
        self
    }
}

impl Figure for u64 {
    fn figure(self) -> f64 {
        self as f64
    }
}

fn fmt(v: f64) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if v.abs() >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_finite() && b.is_finite() && b != 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "–".to_owned()
    }
}

pub(crate) fn machine() -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    let files = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .map_or("unlimited".to_owned(), |m| m.to_string());
    format!("{nproc} CPUs ({model}), {memory} memory, open-file limit {files} per process, Linux")
}

pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

fn report(
    args: &BenchArgs,
    table: &[(Plan, Vec<Outcome>, Vec<Outcome>)],
    took: Duration,
) -> String {
    let mut out = String::new();
    let quick = if args.quick { " --quick" } else { "" };
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `just bench{}` (`cargo build --release --bins && target/release/loadgen bench --runs {}{}`) on {}, in {:.0} min.\n",
        if args.quick { "-quick" } else { "" },
        args.runs,
        quick,
        today(),
        took.as_secs_f64() / 60.0
    );
    let _ = writeln!(out, "- Machine: {}.", machine());
    let _ = writeln!(
        out,
        "- The load generator (`src/bin/loadgen/`) runs on the same machine as the server and shares its CPUs: every figure includes it."
    );
    let _ = writeln!(
        out,
        "- Baseline: `src/bin/baseline.rs`, a bare axum SSE fan-out (one broadcast channel of pre-rendered bytes per room, the same URLs and forms, no product logic), measured in the same run, alternating with livechat; each server starts fresh for each run."
    );
    let _ = writeln!(
        out,
        "- livechat runs with its limits raised for the load: `livechat {}`.",
        LIVECHAT_FLAGS.join(" ")
    );
    let _ = writeln!(
        out,
        "- Figures are medians over the runs. The ratio is livechat ÷ baseline within each run (the two servers run back to back), the median of those: steadier than a ratio of medians on a shared machine. For latency, CPU and memory lower is better, for rates higher is better.\n"
    );
    for (plan, live, base) in table {
        let runs = live.len();
        let _ = writeln!(out, "## {} ({} runs each)\n", plan.title(), runs);
        match plan {
            Plan::Fanout(..) => {
                fanout_table(&mut out, SERVERS, live, base);
                renders_line(&mut out, live);
            }
            Plan::Churn(..) => churn_table(&mut out, SERVERS, live, base),
            Plan::Capacity(..) => capacity_table(&mut out, live, base),
        }
        each_run(&mut out, SERVERS, live, base);
    }
    out
}

/// Every run's figures, folded away below a table.
pub(crate) fn each_run(
    out: &mut String,
    columns: [&str; 2],
    first: &[Outcome],
    second: &[Outcome],
) {
    let _ = writeln!(out, "<details><summary>Each run</summary>\n");
    for (i, (a, b)) in first.iter().zip(second).enumerate() {
        let _ = writeln!(out, "- run {}, {}: {}", i + 1, columns[0], summary(a));
        let _ = writeln!(out, "- run {}, {}: {}", i + 1, columns[1], summary(b));
    }
    let _ = writeln!(out, "\n</details>\n");
}

/// A row of a table: its name, and how to read its figure from a result.
type Row<R> = (&'static str, fn(&R) -> f64);

/// The columns of `loadgen bench`'s tables.
const SERVERS: [&str; 2] = ["livechat", "baseline"];

/// A table of figures, each the median over the runs of either column.
fn table<R>(
    out: &mut String,
    columns: [&str; 2],
    live: &[Outcome],
    base: &[Outcome],
    result: fn(&Outcome) -> Option<&R>,
    figures: &[Row<R>],
) {
    let _ = writeln!(
        out,
        "| figure | {} | {} | ratio in the same run |\n|---|---|---|---|",
        columns[0], columns[1]
    );
    for (name, pick) in figures {
        let (l, b) = (
            med(live, |o| result(o).map(pick)),
            med(base, |o| result(o).map(pick)),
        );
        // Each run's livechat against the baseline run next to it.
        let ratios: Vec<f64> = live
            .iter()
            .zip(base)
            .filter_map(|(l, b)| Some(pick(result(l)?) / pick(result(b)?)))
            .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            fmt(l),
            fmt(b),
            ratio(median(&ratios), 1.0)
        );
    }
    let _ = writeln!(out);
}

fn fanout_result(o: &Outcome) -> Option<&FanoutResult> {
    match o {
        Outcome::Fanout(r) => Some(r),
        _ => None,
    }
}

pub(crate) fn fanout_table(
    out: &mut String,
    columns: [&str; 2],
    live: &[Outcome],
    base: &[Outcome],
) {
    table(
        out,
        columns,
        live,
        base,
        fanout_result,
        &[
            ("delivered / s", |r| r.delivered_per_s),
            ("latency p50, ms", |r| r.latency.p50),
            ("latency p99, ms", |r| r.latency.p99),
            ("latency max, ms", |r| r.latency.max),
            ("lost", |r| r.lost as f64),
            ("duplicated", |r| r.duplicated as f64),
            ("resynced streams", |r| r.resyncs as f64),
            ("failed posts or subscribers", |r| {
                (r.post_failures + r.setup_failures as u64) as f64
            }),
            ("server CPU while sending, s", |r| r.server_cpu_s),
            ("set-up of all subscribers, s", |r| r.setup_s),
        ],
    );
}

fn renders_line(out: &mut String, live: &[Outcome]) {
    let renders = med(live, |o| fanout_result(o).and_then(|r| r.renders_metric));
    let messages = med(live, |o| fanout_result(o).and_then(|r| r.messages_metric));
    let _ = writeln!(
        out,
        "livechat's `/metrics` after a run (median): {} messages, {} renders (each message and each join notice rendered once).\n",
        fmt(messages),
        fmt(renders)
    );
}

pub(crate) fn churn_table(
    out: &mut String,
    columns: [&str; 2],
    live: &[Outcome],
    base: &[Outcome],
) {
    table::<ChurnResult>(
        out,
        columns,
        live,
        base,
        |o| match o {
            Outcome::Churn(r) => Some(r),
            _ => None,
        },
        &[
            ("join/leave cycles / s", |r| r.cycles_per_s),
            ("notices not shown to a watcher", |r| r.missed as f64),
            ("notices shown too often", |r| r.extra as f64),
            ("watchers resynced (fell behind)", |r| r.resyncs as f64),
            ("failed requests", |r| r.failures as f64),
            ("cycle p50, ms", |r| r.cycle_latency.p50),
            ("cycle p99, ms", |r| r.cycle_latency.p99),
        ],
    );
}

fn capacity_table(out: &mut String, live: &[Outcome], base: &[Outcome]) {
    table::<CapacityResult>(
        out,
        SERVERS,
        live,
        base,
        |o| match o {
            Outcome::Capacity(r) => Some(r),
            _ => None,
        },
        &[
            ("idle streams held", |r| r.held as f64),
            ("failed to open", |r| r.failed as f64),
            ("server RSS per idle stream, KiB", |r| r.kib_per_stream()),
            ("server RSS at the end, MiB", |r| {
                r.steps
                    .last()
                    .map_or(f64::NAN, |s| s.rss_kib as f64 / 1024.0)
            }),
        ],
    );
}
