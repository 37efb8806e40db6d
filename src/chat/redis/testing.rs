//! A `redis-server` of a test's own, on a free loopback port in a temporary
//! folder; killed when dropped. With `LIVECHAT_TEST_REDIS=cluster`, a Redis
//! Cluster of three masters instead (but for the tests that stop and restart
//! Redis, `start_durable`), so the store's contract tests run every script
//! on a cluster, where a script touching a key of another slot is refused.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub use super::conn::Conn;

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    clustered: bool,
    /// A cluster's other masters.
    peers: Vec<RedisServer>,
}

/// A connection to the Redis (or Redis Cluster) at `url`, as the store makes.
pub fn connect(url: &str) -> Conn {
    let timeout = Duration::from_secs(2);
    super::conn::Target::parse(url, timeout)
        .and_then(|target| target.connect(timeout))
        .expect("a test's Redis URL")
}

fn on_a_cluster() -> bool {
    std::env::var("LIVECHAT_TEST_REDIS").as_deref() == Ok("cluster")
}

/// Whether `redis-server` can be run here. When it cannot, says so loudly;
/// under `CI=true` that is a failure.
pub fn available() -> bool {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "redis-server is not installed, and CI=true: the Redis store must be tested"
        );
        eprintln!(
            "\n*** SKIPPED: redis-server is not on PATH; the Redis store was NOT tested ***\n"
        );
    }
    found
}

/// A loopback port free now; for a cluster node, its bus port (the port
/// plus 10000) is free too.
fn free_port(clustered: bool) -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        if !clustered {
            return port;
        }
        let bus = port.checked_add(10000);
        if bus.is_some_and(|bus| TcpListener::bind(("127.0.0.1", bus)).is_ok()) {
            return port;
        }
    }
}

/// Whether the Redis answering on `port` is the process `pid`: a port found
/// free can be taken by another test's server before ours binds it, and then
/// ours exits while the other answers.
fn answers_as(port: u16, pid: u32) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"INFO server\r\n").is_err() {
        return false;
    }
    let wanted = format!("process_id:{pid}\r\n");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen);
        if text.contains(&wanted) {
            return true;
        }
        if text.contains("process_id:") && text.contains("\r\n\r\n") {
            return false;
        }
    }
    false
}

impl RedisServer {
    /// Starts a server (or, on a cluster, three) that keeps nothing on disk.
    pub fn start() -> Self {
        if !on_a_cluster() {
            return Self::start_one(false);
        }
        // A free port can be taken by another test's server before ours
        // binds it: then the cluster is not made, and fresh ports are tried.
        for _ in 0..3 {
            if let Some(cluster) = Self::try_cluster() {
                return cluster;
            }
        }
        panic!("no Redis Cluster could be made");
    }

    fn try_cluster() -> Option<Self> {
        let mut first = Self::start_one(true);
        first.peers = vec![Self::start_one(true), Self::start_one(true)];
        let nodes: Vec<String> = std::iter::once(first.port)
            .chain(first.peers.iter().map(|p| p.port))
            .map(|port| format!("127.0.0.1:{port}"))
            .collect();
        let made = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&nodes)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            return None;
        }
        for _ in 0..200 {
            let ok = nodes.iter().all(|node| {
                let port = node.rsplit(':').next().unwrap_or_default();
                Command::new("redis-cli")
                    .args(["-p", port, "CLUSTER", "INFO"])
                    .output()
                    .is_ok_and(|out| {
                        String::from_utf8_lossy(&out.stdout).contains("cluster_state:ok")
                    })
            });
            if ok {
                return Some(first);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    fn start_one(clustered: bool) -> Self {
        let dir = std::env::temp_dir().join(format!("livechat-redis-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let mut server = Self {
            child: None,
            port: free_port(clustered),
            dir,
            clustered,
            peers: Vec::new(),
        };
        server.run_on_a_free_port(false);
        server
    }

    /// Runs the server, on a fresh port each time another process took the
    /// one picked.
    fn run_on_a_free_port(&mut self, durable: bool) {
        for _ in 0..20 {
            if self.run(durable) {
                return;
            }
            self.port = free_port(self.clustered);
        }
        panic!("redis-server found no free port to listen on");
    }

    /// Starts a server that keeps its data in an append-only file, so that a
    /// restart (`stop` then `restart`) loses nothing.
    pub fn start_durable() -> Self {
        let mut server = Self::start_one(false);
        server.stop();
        server.run_on_a_free_port(true);
        server
    }

    /// One URL, or a cluster's masters as seed nodes, comma-separated.
    pub fn url(&self) -> String {
        std::iter::once(self.port)
            .chain(self.peers.iter().map(|p| p.port))
            .map(|port| format!("redis://127.0.0.1:{port}/"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Runs the server on its port; false when it could not listen there.
    fn run(&mut self, durable: bool) -> bool {
        let mut cmd = Command::new("redis-server");
        cmd.arg("--port")
            .arg(self.port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--dir")
            .arg(&self.dir)
            .arg("--save")
            .arg("");
        if durable {
            cmd.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            cmd.args(["--appendonly", "no"]);
        }
        if self.clustered {
            cmd.args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ]);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let pid = child.id();
        self.child = Some(child);
        for _ in 0..500 {
            let exited = self
                .child
                .as_mut()
                .is_some_and(|child| !matches!(child.try_wait(), Ok(None)));
            if exited {
                self.child = None;
                return false;
            }
            if answers_as(self.port, pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not listen on port {}", self.port);
    }

    /// Stops the server (as an operator would, with SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        for peer in &mut self.peers {
            peer.stop();
        }
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and folder (a cluster's nodes
    /// find each other again from their saved configuration).
    pub fn restart(&mut self) {
        assert!(
            self.run(true),
            "redis-server could not listen again on port {}",
            self.port
        );
        for peer in &mut self.peers {
            assert!(
                peer.run(true),
                "redis-server could not listen again on port {}",
                peer.port
            );
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.peers.clear();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
