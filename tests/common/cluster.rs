//! Several livechat servers sharing one Redis, as real processes on loopback
//! ports: a `redis-server` of our own and the `livechat` binary started with
//! `--redis`. Everything is killed when dropped, also when a test fails.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::time::Instant;

use super::people::Site;
use super::plain_client;
use super::tools::{find_tool, free_port, fresh_dir, loud, missing};

mod nginx;
mod redis_server;

// Not every test binary that shares these helpers starts nginx.
#[allow(unused_imports)]
pub use nginx::Nginx;
pub use redis_server::{Redis, redis_tool};

/// The key every server signs cookies with: the same on all of them.
pub const SECRET: &str = "cluster-test-secret-0123456789abcdef-0123456789";

/// How long a process may take to start answering.
const START: Duration = Duration::from_secs(20);

/// Cluster tests run one at a time: each starts four processes, and
/// presence is timed, so they should not starve each other of the two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sends `signal` to the process `pid`.
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Kills the process, if still there, and waits for it.
fn end(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The last lines of a log file, to say why a process did not start.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// One `livechat` process on its own loopback port.
pub struct Node {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Node {
    /// Starts `livechat --redis url --secret SECRET --bind ...` with `flags`,
    /// and waits until it answers `/healthz` with 200.
    pub async fn start(redis: &str, flags: &[&str], dir: &Path, n: usize) -> Node {
        // The free port may be taken by someone else before the server binds
        // it: then it says so and exits, and another port is tried.
        for _ in 0..3 {
            let mut node = Node::spawn(redis, flags, dir, n);
            match node.ready().await {
                Ok(()) => return node,
                Err(why) if why.contains("cannot listen") => continue,
                Err(why) => panic!("{why}"),
            }
        }
        panic!("livechat found no free port");
    }

    /// `start`, without waiting.
    pub fn spawn(redis: &str, flags: &[&str], dir: &Path, n: usize) -> Node {
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let log = dir.join(format!("livechat-{n}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_livechat"))
            .args(["--redis", redis, "--secret", SECRET])
            .args(["--bind", &addr.to_string()])
            .args(flags)
            .env("RUST_LOG", "livechat=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file))
            .spawn()
            .expect("start livechat");
        Node {
            child: Some(child),
            addr,
            log,
        }
    }

    /// Waits until the server answers `/healthz` with 200; panics with its
    /// log if it exits or does not within 20 s.
    pub async fn wait_ready(&mut self) {
        if let Err(why) = self.ready().await {
            panic!("{why}");
        }
    }

    /// `wait_ready`, saying what went wrong instead of panicking.
    async fn ready(&mut self) -> Result<(), String> {
        let http = plain_client();
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            let answer = http
                .get(self.url("/healthz"))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|res| res.status() == 200) {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                let log = tail(&self.log);
                return Err(format!(
                    "livechat on {} exited ({status}):\n{log}",
                    self.addr
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "livechat on {} did not answer /healthz within {START:?}:\n{}",
            self.addr,
            tail(&self.log)
        ))
    }

    /// Kills the server at once (SIGKILL): no goodbyes to Redis or streams.
    pub fn kill(&mut self) {
        end(&mut self.child);
    }
}

impl Site for Node {
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Redis and the servers sharing it; dropped in that order's reverse.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub redis: Redis,
    dir: PathBuf,
    test: String,
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

/// Every server starts with a short grace period, so presence tests are quick.
pub const FLAGS: &[&str] = &["--grace", "1"];

/// Redis and `n` servers with `FLAGS` and `flags`; `None` (after a loud
/// message) when redis-server is missing outside CI.
pub async fn cluster(n: usize, flags: &[&str]) -> Option<Cluster> {
    start(n, flags, false).await
}

/// `cluster`, with a Redis that keeps every acknowledged write across a restart.
pub async fn durable_cluster(n: usize, flags: &[&str]) -> Option<Cluster> {
    start(n, flags, true).await
}

/// `cluster`, on a Redis Cluster of three masters that each have a replica
/// (whatever `LIVECHAT_TEST_REDIS` says), for failing one over.
// Not every test binary that shares these helpers fails Redis over.
#[allow(dead_code)]
pub async fn failover_cluster(n: usize, flags: &[&str]) -> Option<Cluster> {
    start_on(n, flags, false, Some(3)).await
}

async fn start(n: usize, flags: &[&str], durable: bool) -> Option<Cluster> {
    start_on(n, flags, durable, None).await
}

async fn start_on(
    n: usize,
    flags: &[&str],
    durable: bool,
    replicas: Option<usize>,
) -> Option<Cluster> {
    // The test harness names each test's thread after the test.
    let test = std::thread::current()
        .name()
        .unwrap_or("a cluster test")
        .to_owned();
    let bin = redis_tool(&test)?;
    let guard = ONE_AT_A_TIME.lock().await;
    let redis = match replicas {
        Some(replicas) => Redis::start_cluster(&bin, durable, replicas).await,
        None => Redis::start(&bin, durable).await,
    };
    // Built first, so a server that fails to start still has its folder removed.
    let mut cluster = Cluster {
        nodes: Vec::new(),
        redis,
        dir: fresh_dir("cluster"),
        test,
        _one_at_a_time: guard,
    };
    let all: Vec<&str> = FLAGS.iter().chain(flags).copied().collect();
    for i in 0..n {
        let node = Node::start(&cluster.redis.url(), &all, &cluster.dir, i).await;
        cluster.nodes.push(node);
    }
    Some(cluster)
}

impl Cluster {
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Starts one more server with `FLAGS` and `flags`, without waiting for
    /// it to be ready; its index.
    pub fn spawn_node(&mut self, flags: &[&str]) -> usize {
        let all: Vec<&str> = FLAGS.iter().chain(flags).copied().collect();
        let n = self.nodes.len();
        let node = Node::spawn(&self.redis.url(), &all, &self.dir, n);
        self.nodes.push(node);
        n
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
        if std::thread::panicking() {
            for node in &self.nodes {
                loud(&format!(
                    "--- {}: log of livechat on {} ---\n{}\n",
                    self.test,
                    node.addr,
                    tail(&node.log)
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
