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

/// The key every server signs cookies with: the same on all of them.
pub const SECRET: &str = "cluster-test-secret-0123456789abcdef-0123456789";

/// How long a process may take to start answering.
const START: Duration = Duration::from_secs(20);

/// Cluster tests run one at a time: each starts four processes, and
/// presence is timed, so they should not starve each other of the two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `redis-server`; `None` (after a loud message) when it is missing, so the
/// test skips; a failure instead under `CI=true`.
pub fn redis_tool(test: &str) -> Option<PathBuf> {
    let tool = find_tool("REDIS_SERVER", "/usr/bin/redis-server", &["redis-server"]);
    if tool.is_none() {
        missing(&format!(
            "{test}: the cluster tests need redis-server (apt-get install redis-server)"
        ));
    }
    tool
}

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

/// A `redis-server` of our own on a free loopback port, in a fresh folder.
pub struct Redis {
    bin: PathBuf,
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    /// Every write is in the append-only file before it is acknowledged, so
    /// a restart loses nothing (as a production Redis would be set up).
    durable: bool,
}

impl Redis {
    pub async fn start(bin: &Path, durable: bool) -> Redis {
        let mut redis = Redis {
            bin: bin.to_owned(),
            child: None,
            port: free_port(),
            dir: fresh_dir("redis"),
            durable,
        };
        redis.run().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn run(&mut self) {
        let log = self.dir.join("redis.log");
        let persistence: &[&str] = if self.durable {
            &["--appendonly", "yes", "--appendfsync", "always"]
        } else {
            &["--appendonly", "no"]
        };
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(persistence)
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            if self.ping().await {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("redis-server exited ({status}):\n{}", tail(&log));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "redis-server did not answer within {START:?}:\n{}",
            tail(&log)
        );
    }

    /// Whether Redis answers `PING` (spoken by hand: one line each way).
    async fn ping(&self) -> bool {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Ok(mut conn) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await else {
            return false;
        };
        if conn.write_all(b"PING\r\n").await.is_err() {
            return false;
        }
        let mut answer = [0u8; 7];
        matches!(
            tokio::time::timeout(Duration::from_secs(2), conn.read_exact(&mut answer)).await,
            Ok(Ok(_))
        ) && &answer == b"+PONG\r\n"
    }

    /// Runs `redis-cli` against this Redis: its output, one answer a line.
    /// `None` (after a loud message) when redis-cli is missing outside CI.
    pub fn cli(&self, args: &[&str]) -> Option<String> {
        let Some(cli) = find_tool("REDIS_CLI", "/usr/bin/redis-cli", &["redis-cli"]) else {
            missing("this test reads Redis with redis-cli (apt-get install redis-tools)");
            return None;
        };
        let out = Command::new(cli)
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Stops Redis as an operator would (SIGTERM), and waits until it is gone
    /// (killing it after 10 s).
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal(child.id(), "-TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        end(&mut Some(child));
    }

    /// Starts it again on the same port and folder.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.run().await;
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        end(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

async fn start(n: usize, flags: &[&str], durable: bool) -> Option<Cluster> {
    // The test harness names each test's thread after the test.
    let test = std::thread::current()
        .name()
        .unwrap_or("a cluster test")
        .to_owned();
    let bin = redis_tool(&test)?;
    let guard = ONE_AT_A_TIME.lock().await;
    let redis = Redis::start(&bin, durable).await;
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

/// The nginx configuration the README gives for several servers (an
/// `upstream` and a `server` block), as written there.
pub fn readme_nginx_conf() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = &readme[readme
        .find("## Scaling out")
        .expect("a Scaling out section")..];
    let block = &section[section.find("```nginx\n").expect("an nginx block") + 9..];
    block[..block.find("```").expect("the block's end")].to_owned()
}

/// nginx in front of `nodes` with the README's configuration, on a free
/// loopback port: only the `upstream`'s servers and the `listen` line are
/// put for this machine. Killed when dropped.
pub struct Nginx {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl Nginx {
    /// `None` (after a loud message) when nginx is missing outside CI.
    pub async fn start(nodes: &[Node]) -> Option<Nginx> {
        let Some(bin) = find_tool("NGINX", "/usr/sbin/nginx", &["nginx"]) else {
            missing("the load-balancer test needs nginx (apt-get install nginx)");
            return None;
        };
        let port = free_port();
        let dir = fresh_dir("nginx");
        let site = readme_nginx_conf();
        let upstream: Vec<&str> = site
            .lines()
            .filter(|l| l.trim_start().starts_with("server 127.0.0.1:"))
            .collect();
        assert_eq!(upstream.len(), 2, "two servers in the README's upstream");
        let servers: String = nodes
            .iter()
            .map(|n| format!("    server {};\n", n.addr))
            .collect();
        let site = site
            .replacen(&format!("{}\n", upstream[0]), &servers, 1)
            .replacen(&format!("{}\n", upstream[1]), "", 1)
            .replacen("listen 80;", &format!("listen 127.0.0.1:{port};"), 1);
        assert!(
            site.contains(&format!("listen 127.0.0.1:{port};")),
            "{site}"
        );
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\nevents {{ worker_connections 512; }}\n\
             http {{\n\
             log_format upstream '$upstream_addr $request $status';\n\
             access_log {d}/access.log upstream;\n\
             client_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
             {site}}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new(bin)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + START;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            let exited = nginx.child.as_mut().map(Child::try_wait);
            if let Some(Ok(Some(status))) = exited {
                panic!("nginx exited ({status}):\n{}", nginx.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen:\n{}",
                nginx.error_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(nginx)
    }

    /// One line per request: the server it went to, the request, the status.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    fn error_log(&self) -> String {
        tail(&self.dir.join("error.log"))
    }
}

impl Site for Nginx {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        end(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
