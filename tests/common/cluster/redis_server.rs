//! A `redis-server` of our own on a free loopback port, started, stopped,
//! killed and restarted as the tests need.

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
