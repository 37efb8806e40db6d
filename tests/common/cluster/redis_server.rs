//! A `redis-server` of our own on a free loopback port, started, stopped,
//! killed and restarted as the tests need; or, with
//! `LIVECHAT_TEST_REDIS=cluster`, a Redis Cluster of three masters (each on
//! its own port and folder) that the same tests run against.

use super::*;

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

/// Whether the tests run against a Redis Cluster (`LIVECHAT_TEST_REDIS=cluster`).
pub fn on_a_cluster() -> bool {
    std::env::var("LIVECHAT_TEST_REDIS").as_deref() == Ok("cluster")
}

/// A free loopback port; for a cluster node, its bus port (the port plus
/// 10000) is free as well.
fn port_for(clustered: bool) -> u16 {
    loop {
        let port = free_port();
        if !clustered
            || port
                .checked_add(10000)
                .is_some_and(|bus| std::net::TcpListener::bind(("127.0.0.1", bus)).is_ok())
        {
            return port;
        }
    }
}

/// A `redis-server` of our own on a free loopback port, in a fresh folder;
/// in a cluster, the first master, with the other nodes as `peers`.
pub struct Redis {
    bin: PathBuf,
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    /// Every write is in the append-only file before it is acknowledged, so
    /// a restart loses nothing (as a production Redis would be set up).
    durable: bool,
    /// A node of a Redis Cluster.
    clustered: bool,
    /// The cluster's other nodes (masters, then replicas).
    pub peers: Vec<Redis>,
    /// Each replica's master, by port: (master, replica).
    pub replicas: Vec<(u16, u16)>,
}

impl Redis {
    /// One Redis, or a cluster of three masters when the tests run on one.
    pub async fn start(bin: &Path, durable: bool) -> Redis {
        if on_a_cluster() {
            return Self::start_cluster(bin, durable, 0).await;
        }
        Self::start_one(bin, durable, false).await
    }

    async fn start_one(bin: &Path, durable: bool, clustered: bool) -> Redis {
        let mut redis = Redis {
            bin: bin.to_owned(),
            child: None,
            port: port_for(clustered),
            dir: fresh_dir("redis"),
            durable,
            clustered,
            peers: Vec::new(),
            replicas: Vec::new(),
        };
        // A port found free can be taken by another test's server before
        // ours binds it: then ours exits, and a fresh port is tried.
        for _ in 0..20 {
            if redis.run().await {
                return redis;
            }
            redis.port = port_for(clustered);
        }
        panic!("redis-server found no free port to listen on");
    }

    /// A Redis Cluster of three masters on loopback, `replicas` of them
    /// with one replica each (the first masters first), every slot served.
    pub async fn start_cluster(bin: &Path, durable: bool, replicas: usize) -> Redis {
        let mut first = Self::start_one(bin, durable, true).await;
        for _ in 0..2 {
            let peer = Self::start_one(bin, durable, true).await;
            first.peers.push(peer);
        }
        let masters: Vec<String> = first
            .ports()
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let mut create = vec!["--cluster", "create"];
        create.extend(masters.iter().map(String::as_str));
        create.extend(["--cluster-replicas", "0", "--cluster-yes"]);
        first.cli_on(first.port, &create);
        first.until_ok().await;
        for i in 0..replicas {
            let replica = Self::start_one(bin, durable, true).await;
            let master = first.ports()[i];
            let id = first.cli_on(master, &["CLUSTER", "MYID"]);
            let at = format!("127.0.0.1:{}", replica.port);
            let seed = format!("127.0.0.1:{master}");
            first.cli_on(
                master,
                &[
                    "--cluster",
                    "add-node",
                    &at,
                    &seed,
                    "--cluster-slave",
                    "--cluster-master-id",
                    id.trim(),
                ],
            );
            first.replicas.push((master, replica.port));
            first.peers.push(replica);
        }
        first.until_ok().await;
        first
    }

    /// Every node's port, this one's first.
    pub fn ports(&self) -> Vec<u16> {
        std::iter::once(self.port)
            .chain(self.peers.iter().map(|p| p.port))
            .collect()
    }

    /// Waits until every node says the cluster is whole (and, with
    /// replicas, until they follow their master).
    async fn until_ok(&self) {
        let deadline = Instant::now() + START;
        'wait: while Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            for port in self.ports() {
                if self.child_on(port).is_some_and(|r| r.child.is_none()) {
                    continue;
                }
                let info = self.cli_on(port, &["CLUSTER", "INFO"]);
                if !info.contains("cluster_state:ok") {
                    continue 'wait;
                }
                let known = self.cli_on(port, &["CLUSTER", "NODES"]);
                if known.lines().count() < self.ports().len() || known.contains("handshake") {
                    continue 'wait;
                }
            }
            return;
        }
        panic!("the Redis Cluster did not come up within {START:?}");
    }

    fn child_on(&self, port: u16) -> Option<&Redis> {
        std::iter::once(self)
            .chain(&self.peers)
            .find(|r| r.port == port)
    }

    /// The node serving `room`'s keys now (a master), by port.
    pub fn master_of(&self, room: &str) -> u16 {
        let slot: u16 = self
            .cli_on(self.port, &["CLUSTER", "KEYSLOT", room])
            .trim()
            .parse()
            .expect("a slot");
        for port in self.ports() {
            if self.child_on(port).is_some_and(|r| r.child.is_none()) {
                continue;
            }
            let nodes = self.cli_on(port, &["CLUSTER", "NODES"]);
            for line in nodes
                .lines()
                .filter(|l| l.contains("master") && !l.contains("fail"))
            {
                let fields: Vec<&str> = line.split(' ').collect();
                let serves = fields.iter().skip(8).any(|range| {
                    let (from, to) = range.split_once('-').unwrap_or((range, range));
                    matches!((from.parse::<u16>(), to.parse::<u16>()), (Ok(f), Ok(t)) if f <= slot && slot <= t)
                });
                if serves {
                    let addr = fields
                        .get(1)
                        .and_then(|a| a.split('@').next())
                        .unwrap_or("");
                    if let Some(port) = addr.rsplit(':').next().and_then(|p| p.parse().ok()) {
                        return port;
                    }
                }
            }
        }
        panic!("no master serves {room}'s slot");
    }

    /// Waits until `master`'s replica has every write the master has:
    /// replication is asynchronous, so what a master acknowledged in the
    /// moment before it fails may not be on its replica yet.
    pub async fn until_replicated(&self, master: u16) {
        let replica = self
            .replicas
            .iter()
            .find(|(m, _)| *m == master)
            .map(|(_, r)| *r)
            .expect("the master has a replica");
        let offset = |port: u16, field: &str| -> Option<u64> {
            let info = self.cli_on(port, &["INFO", "replication"]);
            info.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().parse().ok())
        };
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            let sent = offset(master, "master_repl_offset:");
            let got = offset(replica, "slave_repl_offset:");
            if sent.is_some() && sent == got {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the replica of {master} did not catch up within {START:?}");
    }

    /// Kills the node on `port` at once (SIGKILL), as a machine failing would.
    pub fn kill_node(&mut self, port: u16) {
        if self.port == port {
            end(&mut self.child);
        }
        for peer in &mut self.peers {
            if peer.port == port {
                end(&mut peer.child);
            }
        }
    }

    /// `redis-cli -p port args...`: its output.
    fn cli_on(&self, port: u16, args: &[&str]) -> String {
        let cli = find_tool("REDIS_CLI", "/usr/bin/redis-cli", &["redis-cli"])
            .expect("redis-cli (apt-get install redis-tools)");
        let out = Command::new(cli)
            .args(["-p", &port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// What servers are given as `--redis`: one URL, or every master of a
    /// cluster as seed nodes.
    pub fn url(&self) -> String {
        if !self.clustered {
            return format!("redis://127.0.0.1:{}", self.port);
        }
        self.ports()
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Runs the server on its port; false when its port was taken.
    async fn run(&mut self) -> bool {
        let log = self.dir.join("redis.log");
        let persistence: &[&str] = if self.durable {
            &["--appendonly", "yes", "--appendfsync", "always"]
        } else {
            &["--appendonly", "no"]
        };
        let cluster: &[&str] = if self.clustered {
            // A short node timeout: a failed master's replica takes over quickly.
            &[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "2000",
            ]
        } else {
            &[]
        };
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(persistence)
            .args(cluster)
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
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                let said = tail(&log);
                if said.contains("Address already in use") {
                    return false;
                }
                panic!("redis-server exited ({status}):\n{said}");
            }
            if self.ping().await {
                return true;
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
        if self.clustered && args.first() == Some(&"--scan") {
            // Each master holds its own slots' keys.
            let all = self.ports().iter().map(|p| self.cli_on(*p, args)).collect();
            return Some(all);
        }
        let mut cmd = Command::new(cli);
        if self.clustered {
            // Sent to the node that holds the key.
            cmd.arg("-c");
        }
        let out = cmd
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Stops Redis as an operator would (SIGTERM), and waits until it is gone
    /// (killing it after 10 s).
    pub async fn stop(&mut self) {
        for peer in &mut self.peers {
            Box::pin(peer.stop()).await;
        }
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
        assert!(self.run().await, "port {} was taken meanwhile", self.port);
        for peer in &mut self.peers {
            assert!(peer.run().await, "port {} was taken meanwhile", peer.port);
        }
        if self.clustered {
            self.until_ok().await;
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.peers.clear();
        end(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
