//! `loadgen bench`: every scenario against livechat and against the bare
//! baseline server, alternating, several runs, medians and ratios written to
//! `BENCHMARKS.md`. Each server is started fresh for each run, on loopback,
//! with its limits raised for the load (the flags are written in the report).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::capacity::{self, CapacityArgs, CapacityResult};
use crate::churn::{self, ChurnArgs, ChurnResult};
use crate::client::{Conn, Sources, Target};
use crate::fanout::{self, FanoutArgs, FanoutResult};
use crate::storm::{self, StormArgs, StormResult};
use crate::tabs::{self, Protocol, TabsResult};

mod report;

use report::report;
pub(crate) use report::{
    STORM_RESTART, capacity_line, churn_line, churn_table, each_run, fanout_line, fanout_table,
    machine, storm_table, summary, today,
};

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
    /// Another livechat binary (an earlier build) to run the storm against
    /// as well, alternating with `--livechat`: a before and after in one run.
    #[arg(long)]
    pub storm_against: Option<PathBuf>,
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
    Storm(String, StormArgs),
    /// Ten tabs a person over HTTPS: `(people, tabs)`.
    Tabs(String, usize, usize),
}

impl Plan {
    pub(crate) fn title(&self) -> &str {
        match self {
            Self::Fanout(t, _) | Self::Churn(t, _) | Self::Capacity(t, _) | Self::Storm(t, _) => t,
            Self::Tabs(t, ..) => t,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Fanout(FanoutResult),
    Churn(ChurnResult),
    Capacity(CapacityResult),
    Storm(StormResult),
    Tabs(TabsResult),
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
    let (big, small, churn_s, step, max, storm) = if quick {
        (
            (1, 1000, 20.0, 5.0),
            (50, 20, 100.0, 5.0),
            5.0,
            2000,
            4000,
            (2000, 400, 10),
        )
    } else {
        (
            (1, 5000, 20.0, 10.0),
            (200, 25, 200.0, 10.0),
            10.0,
            4000,
            19_900,
            (10_000, 2000, 20),
        )
    };
    let (streams, big_room, middle) = storm;
    let storm = StormArgs {
        streams,
        big: big_room,
        middle,
        middle_size: 100,
        rate: 30.0,
        quiet: 5.0,
        after: 3.0,
        patience: 60.0,
        setup: 64,
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
        Plan::Tabs(
            format!(
                "ten tabs over HTTPS, {} people × 10 idle streams, HTTP/2 beside HTTP/1.1",
                if quick { 50 } else { 300 }
            ),
            if quick { 50 } else { 300 },
            10,
        ),
        Plan::Storm(
            format!(
                "reconnect storm, {} streams (rooms of {}, {} × 100, the rest in pairs), {} msg/s",
                thousands(storm.streams),
                thousands(storm.big),
                storm.middle,
                storm.rate
            ),
            storm,
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
    // The baseline has no store to restart: the storm runs against livechat alone.
    let (storms, plans): (Vec<Plan>, Vec<Plan>) = chosen(args.quick, args.only.as_deref())
        .into_iter()
        .partition(|p| matches!(p, Plan::Storm(..) | Plan::Tabs(..)));
    // Nor does it serve HTTPS: the ten tabs run against livechat alone too.
    let mut tab_runs = Vec::new();
    for plan in &storms {
        let Plan::Tabs(_, people, tabs) = plan else {
            continue;
        };
        let mut outcomes = [Vec::new(), Vec::new()];
        for run in 0..args.runs.max(1) {
            let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
            for k in order {
                let protocol = [Protocol::Http2, Protocol::Http1][k];
                eprintln!("bench: {} — {protocol:?} run {}", plan.title(), run + 1);
                port += 1;
                let outcome = ten_tabs(&args.livechat, port, protocol, *people, *tabs).await;
                eprintln!("bench:   {}", summary(&outcome));
                outcomes[k].push(outcome);
            }
        }
        tab_runs.push((plan.clone(), outcomes));
    }
    let mut storm_runs = Vec::new();
    let mut binaries = vec![args.livechat.clone()];
    binaries.extend(args.storm_against.clone());
    for plan in storms {
        let Plan::Storm(_, storm) = &plan else {
            continue;
        };
        let mut outcomes = vec![Vec::new(); binaries.len()];
        for run in 0..args.runs.max(1) {
            // Alternating which goes first, as `alternate` does.
            for k in 0..binaries.len() {
                let b = (k + run) % binaries.len();
                eprintln!(
                    "bench: {} — {} run {}",
                    plan.title(),
                    binaries[b].display(),
                    run + 1
                );
                port += 1;
                let outcome = storm_restart(&binaries[b], port, storm).await;
                eprintln!("bench:   {}", summary(&outcome));
                outcomes[b].push(outcome);
            }
        }
        storm_runs.push((plan, binaries.clone(), outcomes));
    }
    let table = alternate(
        plans,
        args.runs,
        [Server::Livechat, Server::Baseline].map(|s| (s, s.name())),
        async |server, plan| {
            port += 1;
            one(&args, server, port, plan).await
        },
    )
    .await;
    let report = report(&args, &table, &storm_runs, &tab_runs, started.elapsed());
    write_keeping(&args.out, &report)
}

/// One protocol's half of a ten-tabs run, against a fresh HTTPS server.
async fn ten_tabs(
    livechat: &Path,
    port: u16,
    protocol: Protocol,
    people: usize,
    tabs: usize,
) -> Outcome {
    let dir = std::env::temp_dir().join(format!("loadgen-tls-{}", std::process::id()));
    let (cert, key) = match tabs::certificate(&dir) {
        Ok(made) => made,
        Err(why) => return Outcome::Failed(why),
    };
    let bind = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(livechat);
    cmd.arg("--bind")
        .arg(&bind)
        .args(LIVECHAT_FLAGS)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key);
    let mut child = match launch_tls(cmd, &bind).await {
        Ok(child) => child,
        Err(why) => return Outcome::Failed(why),
    };
    let pid = child.id().unwrap_or(0);
    let result = tabs::measure(&bind, pid, &cert, protocol, people, tabs, "general").await;
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    tokio::time::sleep(Duration::from_secs(1)).await;
    Outcome::Tabs(result)
}

/// Starts an HTTPS server and waits until its port takes connections.
async fn launch_tls(mut cmd: Command, bind: &str) -> Result<Child, String> {
    cmd.env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start livechat: {e}"))?;
    for _ in 0..500 {
        if tokio::net::TcpStream::connect(bind).await.is_ok() {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("livechat exited at start: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill().await;
    Err("livechat did not listen".to_owned())
}

/// The storm against one livechat server on `port`, restarted.
pub(crate) async fn storm_restart(livechat: &Path, port: u16, args: &StormArgs) -> Outcome {
    let bind = format!("127.0.0.1:{port}");
    let rooms = storm::public_rooms(args).join(",");
    let (bin, at) = (livechat.to_path_buf(), bind.clone());
    let make = move || {
        let mut cmd = Command::new(&bin);
        cmd.arg("--bind")
            .arg(&at)
            .args(LIVECHAT_FLAGS)
            .arg("--public-rooms")
            .arg(&rooms);
        cmd
    };
    let child = match launch(make(), "livechat", &bind).await {
        Ok(child) => child,
        Err(why) => return Outcome::Failed(why),
    };
    let mut restart = storm::strike::Restart {
        make: Box::new(make),
        child,
        bind: bind.clone(),
    };
    let outcome = match Target::parse(&format!("http://{bind}")) {
        Ok(target) => {
            let sources = Arc::new(Sources::new(2, 4));
            storm::run(vec![target], sources, args, &mut restart).await
        }
        Err(why) => Err(why),
    };
    let _ = restart.child.kill().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    match outcome {
        Ok(r) => Outcome::Storm(r),
        Err(why) => Outcome::Failed(why),
    }
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
        // The storm needs its servers' processes in hand: `storm_restart`, or cluster's.
        Plan::Storm(..) | Plan::Tabs(..) => Outcome::Failed("run by its own set-up".to_owned()),
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
    for _ in 0..500 {
        if let Ok(mut conn) = Conn::open(&target, source).await
            && let Ok(head) = conn.send("GET", "/healthz", None, None).await
            && head.status == 200
        {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{name} exited at start: {status}"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = child.kill().await;
    Err(format!("{name} did not answer /healthz"))
}
