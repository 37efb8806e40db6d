//! A cluster's seed nodes as the pub/sub listener tries them: one that takes
//! the connection and never answers (a frozen node, a cut-off network) must
//! not hold the listener; it moves on to the next. And a step whose answer
//! comes too late is not sent again by the connection (it ran, or will).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_that_never_answers_does_not_hold_the_listener() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    // Its backlog takes connections; nothing ever reads or answers them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = silent.local_addr().expect("its port").port();
    let url = format!(
        "redis://127.0.0.1:{port}/,{}",
        kit.redis.as_ref().expect("a redis kit").url()
    );
    let store = RedisStore::connect_with_clock(
        &url,
        kit.settings(200, 50, 1000),
        Arc::new(Plain),
        kit.clock.clone(),
    )
    .await
    .expect("a well-formed --redis");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !store.listening() {
        assert!(
            std::time::Instant::now() < deadline,
            "the listener is still held by the silent seed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(silent);
}

/// Holds every write on each node of `url` for `ms`, as a busy or stalled
/// node would: a command sent meanwhile is kept and run when it ends.
fn pause_writes(url: &str, ms: u64) {
    for port in url
        .split(',')
        .filter_map(|u| u.trim_end_matches('/').rsplit(':').next())
    {
        let paused = std::process::Command::new("redis-cli")
            .args(["-p", port, "CLIENT", "PAUSE", &ms.to_string(), "WRITE"])
            .output()
            .is_ok_and(|out| out.status.success());
        assert!(paused, "redis-cli paused writes on {port}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_whose_answer_came_too_late_is_not_sent_again() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let url = kit.redis.as_ref().expect("a redis kit").url();
    let mut conn = testing::connect(&url);
    // Longer than the store waits for an answer: the step runs, late.
    pause_writes(&url, 3_000);
    let late = ::redis::cmd("INCR")
        .arg("lc:{t}:late")
        .query_async::<i64>(&mut conn)
        .await;
    assert!(late.is_err(), "its answer came too late: {late:?}");
    // Anything sent again has run by now.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let runs: i64 = ::redis::cmd("GET")
        .arg("lc:{t}:late")
        .query_async(&mut conn)
        .await
        .expect("the count");
    assert_eq!(runs, 1, "run once, though its answer was late");
}
