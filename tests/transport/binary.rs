//! The binary itself: start-up errors, running out of descriptors, SIGTERM.

use super::*;

#[test]
fn a_certificate_without_a_key_or_a_key_without_a_certificate_stops_the_start() {
    let (code, err) = run_binary(&["--tls-cert", "cert.pem"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-key"), "{err}");
    let (code, err) = run_binary(&["--tls-key", "key.pem"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-cert"), "{err}");
}

#[test]
fn an_unreadable_certificate_stops_the_start() {
    let (code, err) = run_binary(&[
        "--tls-cert",
        "/nonexistent/cert.pem",
        "--tls-key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--tls-cert"), "{err}");
}

#[tokio::test]
async fn running_out_of_file_descriptors_is_waited_out() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Child(
        std::process::Command::new("sh")
            .arg("-c")
            .arg(r#"ulimit -n 32 && exec "$0" "$@""#)
            .arg(env!("CARGO_BIN_EXE_livechat"))
            .args(["--bind", &addr.to_string(), "--header-timeout", "1"])
            .env("RUST_LOG", "livechat=warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
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

    // More connections than the process may hold descriptors for.
    let mut hogs = Vec::new();
    for _ in 0..60 {
        hogs.push(
            TcpStream::connect(addr)
                .await
                .expect("the backlog takes it"),
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        matches!(child.0.try_wait(), Ok(None)),
        "livechat exited when it ran out of descriptors"
    );
    drop(hogs);

    let http = client();
    let served = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(res) = http.get(format!("http://{addr}/healthz")).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(served.is_ok(), "livechat did not serve again");

    let _ = child.0.kill();
    // The log goes to standard error.
    let mut log = String::new();
    if let Some(mut stderr) = child.0.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut log);
    }
    assert!(
        log.contains("cannot accept"),
        "no accept error logged: {log}"
    );
}

/// The binary itself, as an operator stops it: a room stream opened as the
/// page opens it hears that the server is restarting, and the process
/// exits 0 within 2 s without giving up on anything.
#[tokio::test]
async fn sigterm_tells_a_room_stream_and_the_binary_exits_0_within_2_s() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_livechat"))
            .args(["--bind", &addr.to_string()])
            .env("RUST_LOG", "livechat=debug")
            .env("NO_COLOR", "1")
            .env_remove("LIVECHAT_TLS_CERT")
            .env_remove("LIVECHAT_TLS_KEY")
            .env_remove("LIVECHAT_REDIS")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
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
    let mut idle = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut idle, addr).await;
    let mut stream = Raw::connect(addr).await;
    stream
        .send(&events_request(addr, &cookie, &after, "HTTP/1.1"))
        .await;
    stream.until("\n\n\r\n").await;

    let stopped_at = std::time::Instant::now();
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child.0),
        rustix::process::Signal::TERM,
    )
    .expect("SIGTERM");
    let rest = stream.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("the child's status") {
            break status;
        }
        assert!(
            stopped_at.elapsed() < STOP,
            "still running {STOP:?} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(stopped_at.elapsed() < STOP, "{:?}", stopped_at.elapsed());
    assert_eq!(status.code(), Some(0));
    let mut log = String::new();
    if let Some(mut stderr) = child.0.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut log);
    }
    assert!(log.contains("stopping"), "{log}");
    assert!(!log.contains("stopping anyway"), "{log}");
}
