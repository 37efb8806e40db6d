//! What `loadgen bench` writes: one line per run, and the report's tables
//! of medians, spreads and livechat ÷ baseline ratios.

use std::fmt::Write as _;

use std::time::Duration;

use super::{BenchArgs, LIVECHAT_FLAGS, Outcome, Plan};
use crate::capacity::CapacityResult;
use crate::churn::ChurnResult;
use crate::fanout::FanoutResult;
use crate::stats::median;
use crate::storm::StormResult;

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
        Outcome::Storm(r) => storm_line(r),
        Outcome::Tabs(r) => format!(
            "{} idle streams ({} failed), server RSS {:.1} KiB per stream ({} KiB before, {} after){}",
            r.streams,
            r.failed,
            r.kib_per_stream(),
            r.rss_before_kib,
            r.rss_after_kib,
            r.first_error
                .as_deref()
                .map(|e| format!(", first error: {e}"))
                .unwrap_or_default()
        ),
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

pub(super) fn report(
    args: &BenchArgs,
    table: &[(Plan, Vec<Outcome>, Vec<Outcome>)],
    storms: &[StormRuns],
    tabs: &[(Plan, [Vec<Outcome>; 2])],
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
        "- Baseline: `src/bin/baseline/main.rs`, a bare axum SSE fan-out (one broadcast channel of pre-rendered bytes per room, the same URLs and forms, no product logic), measured in the same run, alternating with livechat; each server starts fresh for each run."
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
            Plan::Storm(..) | Plan::Tabs(..) => {}
        }
        each_run(&mut out, SERVERS, live, base);
    }
    for (plan, [h2, h1]) in tabs {
        let _ = writeln!(
            out,
            "## {} ({} runs each, livechat only)\n",
            plan.title(),
            h2.len()
        );
        let _ = writeln!(out, "{TABS}\n");
        tabs_table(&mut out, h2, h1);
        each_run(&mut out, ["HTTP/2", "HTTP/1.1"], h2, h1);
    }
    for (plan, binaries, outcomes) in storms {
        let runs = outcomes.first().map_or(0, Vec::len);
        let _ = writeln!(out, "## {} ({runs} runs, livechat only)\n", plan.title());
        let _ = writeln!(out, "{STORM_RESTART}\n");
        for (bin, runs) in binaries.iter().zip(outcomes) {
            if binaries.len() > 1 {
                let _ = writeln!(out, "### `{}`\n", bin.display());
            }
            storm_table(&mut out, runs);
        }
        if let [now, before] = &outcomes[..] {
            storm_ratios(&mut out, now, before);
        }
        let _ = writeln!(out, "<details><summary>Each run</summary>\n");
        for (bin, runs) in binaries.iter().zip(outcomes) {
            for (i, r) in runs.iter().enumerate() {
                let _ = writeln!(out, "- run {}, `{}`: {}", i + 1, bin.display(), summary(r));
            }
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    out
}

/// How the ten tabs are measured.
const TABS: &str = "livechat serves HTTPS (`--tls-cert`, `--tls-key`: a self-signed certificate), fresh for each protocol of each run, the order alternating. Each person joins the public room `general`, loads its page, then opens ten streams of it: over HTTP/2 on the one connection (what a browser does with a site's tabs), over HTTP/1.1 on ten connections (the first one the page came on). Per idle stream = (the server's RSS 2 s after the last stream opened − its RSS before) ÷ streams.";

fn tabs_table(out: &mut String, h2: &[Outcome], h1: &[Outcome]) {
    let per = |o: &Outcome| match o {
        Outcome::Tabs(r) if r.streams > 0 => Some(r.kib_per_stream()),
        _ => None,
    };
    let spread = |runs: &[Outcome]| {
        let v: Vec<f64> = runs.iter().filter_map(per).collect();
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (median(&v), lo, hi)
    };
    let (a, alo, ahi) = spread(h2);
    let (b, blo, bhi) = spread(h1);
    let ratios: Vec<f64> = h2
        .iter()
        .zip(h1)
        .filter_map(|(x, y)| Some(per(x)? / per(y)?))
        .collect();
    let _ = writeln!(
        out,
        "| server RSS per idle stream, KiB | median | spread (min–max) |\n|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| HTTP/2, ten tabs on one connection | {} | {}–{} |",
        fmt(a),
        fmt(alo),
        fmt(ahi)
    );
    let _ = writeln!(
        out,
        "| HTTP/1.1, a connection per tab | {} | {}–{} |",
        fmt(b),
        fmt(blo),
        fmt(bhi)
    );
    let _ = writeln!(
        out,
        "| HTTP/2 ÷ HTTP/1.1, same run | {} | |\n",
        ratio(median(&ratios), 1.0)
    );
}

/// A storm plan, the livechat binaries it ran against, and each one's runs.
pub(crate) type StormRuns = (Plan, Vec<std::path::PathBuf>, Vec<Vec<Outcome>>);

/// How the storm is run against one server in memory, and what it cannot check.
pub(crate) const STORM_RESTART: &str = "The server is stopped with `SIGTERM` (as a deploy does: every stream is told \"restarting\" with `retry:`) and started again on the same port; \"back\" counts from its first answer to `/healthz` (polled every 20 ms). The memory store forgets everything at a restart: private rooms and every room's history are gone and nobody is in any room, so the rooms here are public rooms (they exist again by name), and each page's resume is answered with last words (not in this room) after which the person reloads the page, at once here, which enters the room again. So this scenario measures the restart's storm of page loads, joins and streams; lost messages count those the history could give back (sent after the restart, and still among the room's last messages when the page came back); what was sent around the stop, or had left the history (200 items, notices included) by the time a page reloaded, is counted apart (\"lost where no history holds them\"): by design, such a page shows the log as it is. The two-servers-and-Redis version, where pages resume with `Last-Event-ID`, is in BENCHMARKS-redis.md.";

pub fn storm_line(r: &StormResult) -> String {
    let mut line = format!(
        "{} streams (set-up {:.1} s, failed {}), dropped {}, back {} in {:.2} s from the server answering (half in {:.2} s; down {:.2} s; first try to live p50 {:.2} s max {:.2} s), tries {}, reloads {}, resyncs {}, server CPU {:.2} s over {:.2} s (loadgen {:.2} s), live p99 quiet {:.1} ms storm {:.1} ms max {:.1} ms, sent {} (failed {}), lost {} (beyond the history {}), duplicated {}",
        r.streams,
        r.setup_s,
        r.setup_failures,
        r.dropped,
        r.back,
        r.all_back_s,
        r.half_back_s,
        r.down_s,
        r.answer_p50_s,
        r.answer_max_s,
        r.tries,
        r.reloads,
        r.resyncs,
        r.server_cpu_s,
        r.cpu_span_s,
        r.loadgen_cpu_s,
        r.quiet.p99,
        r.storm.p99,
        r.storm.max,
        r.sent,
        r.post_failures,
        r.lost,
        r.lost_uncovered,
        r.duplicated
    );
    if let Some(e) = &r.first_error {
        let _ = write!(line, ", first error: {e}");
    }
    line
}

fn storm_result(o: &Outcome) -> Option<&StormResult> {
    match o {
        Outcome::Storm(r) => Some(r),
        _ => None,
    }
}

/// This build against the other one, run by run (the median of the ratios).
fn storm_ratios(out: &mut String, now: &[Outcome], before: &[Outcome]) {
    let rows: &[Row<StormResult>] = &[
        ("every stream live again", |r| r.all_back_s),
        ("a page's first try until live, p50", |r| r.answer_p50_s),
        ("live p99 during the storm", |r| r.storm.p99),
        ("server CPU until all are back", |r| r.server_cpu_s),
    ];
    let _ = writeln!(
        out,
        "| this build ÷ the other, same run | median ratio |\n|---|---|"
    );
    for (name, pick) in rows {
        let ratios: Vec<f64> = now
            .iter()
            .zip(before)
            .filter_map(|(a, b)| Some(pick(storm_result(a)?) / pick(storm_result(b)?)))
            .collect();
        let _ = writeln!(out, "| {name} | {} |", ratio(median(&ratios), 1.0));
    }
    let _ = writeln!(out);
}

/// A row of the storm's table: its name, its figure, and what the issue
/// asks of it.
type StormRow = (&'static str, fn(&StormResult) -> f64, &'static str);

/// The storm's figures: median and spread over the runs, and whether each
/// target of the issue is met.
pub(crate) fn storm_table(out: &mut String, runs: &[Outcome]) {
    let rows: &[StormRow] = &[
        ("streams dropped", |r| r.dropped as f64, ""),
        ("streams back", |r| r.back as f64, "all"),
        (
            "every stream live again, s after the server answers",
            |r| r.all_back_s,
            "≤ 10",
        ),
        ("half of them live again, s", |r| r.half_back_s, ""),
        ("server down (drop until it answers), s", |r| r.down_s, ""),
        (
            "a page's first try until it is live, p50, s",
            |r| r.answer_p50_s,
            "",
        ),
        (
            "a page's first try until it is live, max, s",
            |r| r.answer_max_s,
            "",
        ),
        ("server CPU until all are back, s", |r| r.server_cpu_s, ""),
        ("load generator's CPU meanwhile, s", |r| r.loadgen_cpu_s, ""),
        ("live p99, quiet, ms", |r| r.quiet.p99, ""),
        ("live p99 during the storm, ms", |r| r.storm.p99, ""),
        (
            "storm p99 ÷ quiet p99",
            |r| r.storm.p99 / r.quiet.p99,
            "≤ 3×",
        ),
        (
            "largest stall of live traffic in the storm, ms",
            |r| r.storm.max,
            "",
        ),
        ("lost (history covers the gap)", |r| r.lost as f64, "0"),
        (
            "lost where no history holds them",
            |r| r.lost_uncovered as f64,
            "",
        ),
        ("duplicated", |r| r.duplicated as f64, "0"),
        ("stream tries after the drop", |r| r.tries as f64, ""),
        ("page reloads", |r| r.reloads as f64, ""),
        ("failed posts (server away)", |r| r.post_failures as f64, ""),
    ];
    let _ = writeln!(
        out,
        "| figure | median | spread (min–max) | target |\n|---|---|---|---|"
    );
    for (name, pick, target) in rows {
        let v: Vec<f64> = runs
            .iter()
            .filter_map(|o| storm_result(o).map(pick))
            .collect();
        let (lo, hi) = v
            .iter()
            .filter(|x| x.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(*x), hi.max(*x))
            });
        let _ = writeln!(
            out,
            "| {name} | {} | {}–{} | {target} |",
            fmt(median(&v)),
            fmt(lo),
            fmt(hi)
        );
    }
    let _ = writeln!(out);
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
