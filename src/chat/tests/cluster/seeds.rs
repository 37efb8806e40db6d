//! A cluster's seed nodes as the pub/sub listener tries them: one that takes
//! the connection and never answers (a frozen node, a cut-off network) must
//! not hold the listener; it moves on to the next.

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
