//! Redis going away and coming back under several servers: nothing
//! acknowledged is lost, nobody is timed out, waiting pages keep waiting.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_and_restarted_loses_nothing_acknowledged() {
    if !testing::available() {
        return;
    }
    let mut kit = Kit::redis().expect("available");
    kit.redis = Some(RedisServer::start_durable());
    let chat = kit.store().await;
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    let mut sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    chat.post(&general(), ann.id, say("before"))
        .await
        .expect("post");
    kit.redis.as_mut().expect("redis").stop();
    assert_eq!(
        chat.post(&general(), ann.id, say("lost?")).await,
        Err(ChatError::Unavailable),
        "refused, not silently lost"
    );
    assert!(chat.health().await.is_err(), "/healthz says so");
    let annie = Name::parse("Annie", 32).expect("name");
    assert_eq!(
        chat.rename(ann.id, &annie).await,
        Err(ChatError::Unavailable),
        "a rename is refused, not lost"
    );
    let got = hear(&mut sub.rx, &format!("status {}", redis_reconnecting())).await;
    assert!(
        got.iter().any(|t| t.starts_with("status Live updates")),
        "the page is told: {got:?}"
    );
    // Down for longer than the grace period: nobody present is timed out for it.
    kit.pass(kit.grace * 3).await;
    kit.redis.as_mut().expect("redis").restart();
    let back = kit
        .until(|| async { chat.post(&general(), ann.id, say("after")).await.is_ok() })
        .await;
    assert!(back, "posting works again by itself");
    let got = hear(&mut sub.rx, "Ann: after").await;
    assert!(got.contains(&"Ann: after".to_owned()), "{got:?}");
    let healthy = kit.until(|| async { chat.health().await.is_ok() }).await;
    assert!(healthy, "/healthz recovers");
    let snap = chat.enter(&general(), &ann).await.expect("reload");
    let log = log_texts(&snap);
    assert_eq!(
        log,
        ["joined Ann +0", "Ann: before", "Ann: after"],
        "all that was acknowledged, once"
    );
}

fn redis_reconnecting() -> &'static str {
    crate::chat::redis::RECONNECTING
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_redis_outage_times_nobody_out() {
    if !testing::available() {
        return;
    }
    let mut kit = Kit::redis().expect("available");
    kit.redis = Some(RedisServer::start_durable());
    let stores = servers(&kit, 2).await;
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    a.enter(&general(), &ann).await.expect("enter on A");
    let _anns = a.subscribe(&general(), ann.id, None).await.expect("on A");
    b.enter(&general(), &bob).await.expect("enter on B");
    let _bobs = b.subscribe(&general(), bob.id, None).await.expect("on B");
    kit.redis.as_mut().expect("redis").stop();
    kit.pass(kit.grace * 3).await;
    kit.redis.as_mut().expect("redis").restart();
    let back = kit.until(|| async { a.health().await.is_ok() && b.health().await.is_ok() });
    assert!(back.await, "both servers recover");
    kit.pass(kit.grace * 3).await; // sweeps run again meanwhile
    let snap = b.enter(&general(), &bob).await.expect("reload on B");
    assert_eq!(
        log_texts(&snap),
        ["joined Ann +0", "joined Bob +0"],
        "nobody left while Redis was away"
    );
    assert_eq!(snap.online.total, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_page_keeps_waiting_through_a_redis_outage() {
    if !testing::available() {
        return;
    }
    let mut kit = Kit::redis().expect("available");
    kit.redis = Some(RedisServer::start_durable());
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    let first = chat
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("queued");
    kit.redis.as_mut().expect("redis").stop();
    assert_eq!(chat.pairing(ann.id).await, Some(Pairing::Waiting));
    let reopened = chat
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("still waiting");
    drop(first);
    kit.redis.as_mut().expect("redis").restart();
    let paired = kit
        .until(|| async { matches!(chat.queue(&bob).await, Ok(Pairing::Matched(_))) })
        .await;
    assert!(paired, "Bob is paired with Ann once Redis is back");
    let heard = kit
        .until(|| async { reopened.matched.borrow().is_some() })
        .await;
    assert!(heard, "the page opened during the outage hears the match");
}
