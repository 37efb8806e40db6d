//! What an operator reads: the release binary's log, started as an operator
//! starts it. Defaults start without a warning, and no log line, at any
//! level, holds a private room's code.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::plain_client;
use common::tools::free_port;

/// The `livechat` binary on a free loopback port, its output (both streams:
/// wherever a log line goes) collected as it runs.
struct Binary {
    child: Child,
    addr: SocketAddr,
    output: Arc<Mutex<String>>,
}

impl Binary {
    /// Starts livechat with `flags` (and nothing from the environment but
    /// `RUST_LOG`, when given), and waits until it answers `/healthz`.
    async fn start(flags: &[&str], rust_log: Option<&str>) -> Binary {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut command = Command::new(env!("CARGO_BIN_EXE_livechat"));
        command
            .args(["--bind", &addr.to_string()])
            .args(flags)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("LIVECHAT_") {
                command.env_remove(key);
            }
        }
        if let Some(filter) = rust_log {
            command.env("RUST_LOG", filter);
        }
        let mut child = command.spawn().expect("start livechat");
        let output = Arc::new(Mutex::new(String::new()));
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || collect(pipe, &output));
        }
        let mut binary = Binary {
            child,
            addr,
            output,
        };
        binary.wait_ready().await;
        binary
    }

    async fn wait_ready(&mut self) {
        let http = plain_client();
        for _ in 0..200 {
            let answer = http.get(self.url("/healthz")).send().await;
            if answer.is_ok_and(|res| res.status() == 200) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("livechat exited ({status}):\n{}", self.output());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("livechat did not answer /healthz:\n{}", self.output());
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// What it logged so far.
    fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Stops it as an operator does (SIGTERM), and returns all it logged.
    async fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The readers end with the pipes; give them a moment to append.
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.output()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut pipe: Box<dyn Read + Send>, output: &Mutex<String>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk) {
        if n == 0 {
            return;
        }
        if let Ok(mut all) = output.lock() {
            all.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }
}

#[tokio::test]
async fn the_defaults_start_without_a_warning() {
    let server = Binary::start(&[], None).await;
    let http = plain_client();
    let home = http.get(server.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    let log = server.stop().await;
    assert!(log.contains("serving"), "the start is logged: {log}");
    assert!(
        !log.contains("WARN") && !log.contains("ERROR"),
        "default flags make no warning: {log}"
    );
}
