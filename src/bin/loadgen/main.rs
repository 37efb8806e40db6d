//! loadgen: drives a livechat server (or the bare baseline) through its
//! public URLs exactly as browsers do, and measures what people would see.
//!
//! ```text
//! loadgen --target http://127.0.0.1:3000 fanout --rooms 1 --subscribers 5000 --rate 20 --seconds 10
//! loadgen --target http://127.0.0.1:3000 churn --watchers 20 --seconds 10
//! loadgen --target http://127.0.0.1:3000 capacity --pid $(pidof livechat) --max 19900
//! loadgen bench            # both servers, every scenario, writes BENCHMARKS.md
//! loadgen cluster-bench    # two servers sharing Redis, writes BENCHMARKS-redis.md
//! ```
//!
//! Loopback only, bounded in time and count.

mod bench;
mod capacity;
mod churn;
mod client;
mod cluster;
mod dechunk;
mod fanout;
mod people;
mod redis_use;
mod sse;
mod stats;
mod storm;
mod tabs;

use std::sync::Arc;

use clap::{Parser, Subcommand};

use client::{Sources, Target};

#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Load generator for livechat: fan-out, capacity, churn, reconnect storm"
)]
struct Cli {
    /// Base URL of a server to load (repeat for several servers sharing rooms:
    /// subscribers, publishers and churners are spread round-robin over them).
    #[arg(
        long = "target",
        global = true,
        default_value = "http://127.0.0.1:3000"
    )]
    targets: Vec<String>,
    /// Loopback source addresses to connect from (127.0.0.2, 127.0.0.3, ...).
    #[arg(long, global = true, default_value_t = 4)]
    sources: u8,
    /// Last byte of the first source address.
    #[arg(long, global = true, default_value_t = 2)]
    first_source: u8,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand, Debug)]
enum Scenario {
    /// R rooms × S subscribers, M messages a second for T seconds.
    Fanout(fanout::FanoutArgs),
    /// Idle streams in steps until the server or the machine stops accepting.
    Capacity(capacity::CapacityArgs),
    /// Join/leave cycles with watchers that must see every notice.
    Churn(churn::ChurnArgs),
    /// Livechat and the baseline, every scenario, several runs: writes BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Two livechat servers sharing Redis and one on its own, fan-out and churn: writes BENCHMARKS-redis.md.
    ClusterBench(cluster::ClusterArgs),
    /// (Used by `capacity`.) Holds idle streams, opening more when told on standard input.
    #[command(hide = true)]
    IdleWorker(capacity::WorkerArgs),
}

/// Raises this process's soft open-file limit to its hard limit: every
/// connection is a file descriptor.
fn raise_open_files() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = rustix::process::Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(why) => {
            eprintln!("loadgen: cannot raise the open-file limit: {why}");
            limit.current
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let files = raise_open_files();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(why) => {
            eprintln!("loadgen: cannot start: {why}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, files)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("loadgen: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, files: Option<u64>) -> Result<(), String> {
    let targets = cli
        .targets
        .iter()
        .map(|url| Target::parse(url))
        .collect::<Result<Vec<_>, _>>()?;
    let sources = Arc::new(Sources::new(cli.first_source, cli.sources));
    match cli.scenario {
        Scenario::Fanout(args) => {
            let r = fanout::run(&targets, sources, &args).await?;
            println!("{}", bench::fanout_line(&r));
        }
        Scenario::Churn(args) => {
            let r = churn::run(&targets, sources, &args).await?;
            println!("{}", bench::churn_line(&r));
        }
        Scenario::Capacity(args) => {
            if let Some(files) = files {
                eprintln!("loadgen: open-file limit {files} per worker process");
            }
            let r = capacity::run(&cli.targets, cli.sources, &args).await?;
            println!("{}", bench::capacity_line(&r));
        }
        Scenario::IdleWorker(args) => capacity::worker(targets, sources, args).await?,
        Scenario::Bench(args) => bench::run(args).await?,
        Scenario::ClusterBench(args) => cluster::run(args).await?,
    }
    Ok(())
}
