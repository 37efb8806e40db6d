//! The accept queue: a storm of connections while the server is busy waits
//! in the queue instead of being dropped (a dropped connection's browser
//! tries again only after TCP's backoff, 1, 3, 7, 15 s).

use super::*;

/// Places the kernel allows an accept queue (`net.core.somaxconn`).
fn somaxconn() -> usize {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn connections_arriving_at_once_wait_in_the_queue_while_the_server_is_busy() {
    // Far more than the 128 of a plain `bind`, well within the kernel's cap.
    let storm = 1000.min(somaxconn().saturating_sub(1));
    if storm <= 256 {
        eprintln!(
            "SKIPPED: net.core.somaxconn is {}: too small to tell",
            somaxconn()
        );
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs somaxconn > 256"
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_livechat"))
            .args(["--bind", &addr.to_string()])
            .env("RUST_LOG", "livechat=warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start livechat"),
    );
    let started = tokio::time::timeout(Duration::from_secs(10), async {
        while TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(started.is_ok(), "livechat did not start");

    // The server accepts nothing while it is stopped: only the kernel's queue
    // takes the connections.
    let pid = rustix::process::Pid::from_raw(child.0.id() as i32).expect("a pid");
    rustix::process::kill_process(pid, rustix::process::Signal::STOP).expect("SIGSTOP");
    let connects = futures_util::future::join_all(
        (0..storm)
            .map(|_| tokio::time::timeout(Duration::from_millis(2500), TcpStream::connect(addr))),
    )
    .await;
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::CONT);
    let waited = connects.iter().filter(|c| matches!(c, Ok(Ok(_)))).count();
    assert_eq!(waited, storm, "connections dropped by a short accept queue");
}
