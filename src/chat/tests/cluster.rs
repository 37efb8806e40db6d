//! Several Redis stores on one `redis-server`, as several servers behind a
//! load balancer: what one does, the others see. Skipped (loudly) without
//! `redis-server`.

use super::*;

mod bursts;
mod deleting;
mod ignoring;
mod limits;
mod outages;
mod seeds;
mod steps;
mod strangers;

/// A kit on Redis and `n` stores (servers) sharing it, or `None` when
/// `redis-server` is missing.
async fn cluster(n: usize) -> Option<(Kit, Vec<RedisStore>)> {
    let kit = Kit::redis()?;
    let stores = servers(&kit, n).await;
    Some((kit, stores))
}

async fn servers(kit: &Kit, n: usize) -> Vec<RedisStore> {
    servers_with(kit, n, kit.settings(200, 50, 1000)).await
}

async fn servers_with(kit: &Kit, n: usize, settings: Settings) -> Vec<RedisStore> {
    let mut stores = Vec::new();
    for _ in 0..n {
        stores.push(kit.redis_store(settings.clone(), Arc::new(Plain)).await);
    }
    stores
}

fn texts(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| String::from_utf8_lossy(&f.sse).into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_on_two_servers_chat_live_and_share_history() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(a, &ann).await;
    b.enter(&general(), &bob).await.expect("enter on B");
    let mut bobs = b
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe on B");
    b.post(&general(), bob.id, say("hi Ann"))
        .await
        .expect("post on B");
    let got = hear(&mut anns.rx, "Bob: hi Ann").await;
    assert!(got.contains(&"joined Bob +0".to_owned()), "{got:?}");
    a.post(&general(), ann.id, say("hi Bob"))
        .await
        .expect("post on A");
    let got = hear(&mut bobs.rx, "Ann: hi Bob").await;
    assert_eq!(got.last().map(String::as_str), Some("Ann: hi Bob"));
    let on_a = a.enter(&general(), &ann).await.expect("reload on A");
    let on_b = b.enter(&general(), &ann).await.expect("reload on B");
    assert_eq!(log_texts(&on_a), log_texts(&on_b), "one history");
    assert_eq!(on_a.last, on_b.last, "one numbering");
    assert_eq!(
        log_texts(&on_b),
        [
            "joined Ann +0",
            "joined Bob +0",
            "Bob: hi Ann",
            "Ann: hi Bob"
        ]
    );
    assert_eq!(on_b.online.total, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resumes_on_another_server_with_exactly_the_gap() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let ann = member("Ann");
    let snap = a.enter(&general(), &ann).await.expect("enter on A");
    let first = a
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe on A");
    post_numbered(a, &ann, 5).await;
    drop(first); // the stream drops from A...
    let after_two = EventId {
        seq: snap.last.seq + 2,
        ..snap.last
    };
    // ...and reconnects to B with the last id it showed.
    let resumed = b
        .subscribe(&general(), ann.id, Some(after_two))
        .await
        .expect("subscribe on B");
    assert_eq!(
        texts(&resumed.backlog),
        ["Ann: m2", "Ann: m3", "Ann: m4", "online Ann of 1"]
    );
    let gone = EventId { epoch: 1, seq: 1 };
    let stale = b
        .subscribe(&general(), ann.id, Some(gone))
        .await
        .expect("subscribe on B");
    assert_eq!(
        stale.backlog[0].kind,
        FrameKind::Resync,
        "an id of another life"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_with_tabs_on_two_servers_counts_once_and_stays() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let ann = member("Ann");
    a.enter(&general(), &ann).await.expect("enter on A");
    let tab_a = a.subscribe(&general(), ann.id, None).await.expect("tab A");
    let _tab_b = b.subscribe(&general(), ann.id, None).await.expect("tab B");
    assert_eq!(a.public_rooms().await[0].members, 1);
    assert_eq!(b.public_rooms().await[0].members, 1);
    drop(tab_a);
    kit.pass(kit.grace * 3).await;
    assert_eq!(
        a.public_rooms().await[0].members,
        1,
        "the tab on B keeps her present"
    );
    let snap = a.enter(&general(), &ann).await.expect("reload");
    assert_eq!(log_texts(&snap), ["joined Ann +0"], "no leave, no rejoin");
    assert_eq!(snap.online.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_members_of_a_dead_server_leave_once() {
    let Some((kit, stores)) = cluster(3).await else {
        return;
    };
    let (a, b, c) = (&stores[0], &stores[1], &stores[2]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    a.enter(&general(), &ann).await.expect("enter on A");
    let anns = a.subscribe(&general(), ann.id, None).await.expect("on A");
    b.enter(&general(), &bob).await.expect("enter on B");
    let mut bobs = b.subscribe(&general(), bob.id, None).await.expect("on B");
    let _watch_c = c.subscribe(&general(), bob.id, None).await.expect("on C");
    // A dies: no goodbye from its stream, no more heartbeats.
    a.halt();
    std::mem::forget(anns);
    // Past the time A's members stay present without its heartbeats.
    kit.pass(kit.grace * 3).await;
    let got = hear(&mut bobs.rx, "left Ann +0").await;
    assert!(got.contains(&"left Ann +0".to_owned()), "{got:?}");
    kit.pass(kit.grace * 2).await; // B and C both sweep meanwhile
    let snap = c.enter(&general(), &bob).await.expect("reload on C");
    let leaves = log_texts(&snap)
        .iter()
        .filter(|t| *t == "left Ann +0")
        .count();
    assert_eq!(leaves, 1, "announced once: {:?}", log_texts(&snap));
    assert_eq!(snap.online.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_codes_are_unique_across_servers() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..200 {
        let store = stores[n % 2].clone();
        tasks.spawn(async move { store.create_room(&member("Ann"), None).await });
    }
    let mut codes = std::collections::HashSet::new();
    while let Some(made) = tasks.join_next().await {
        let code = made.expect("no panic").expect("a room");
        assert!(codes.insert(code), "a code was given twice");
    }
    for code in &codes {
        assert_eq!(stores[1].resolve(code.as_str()).await.as_ref(), Ok(code));
    }
    assert_eq!(stores[0].stats().await.rooms, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_room_that_redis_lost_goes_on_with_a_new_log() {
    let Some(mut kit) = Kit::redis() else {
        return;
    };
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    chat.post(&general(), ann.id, say("before"))
        .await
        .expect("post");
    // Restarted with nothing kept: everything in it is gone.
    let server = kit.redis.as_mut().expect("redis");
    server.stop();
    server.restart();
    let back = kit
        .until(|| async { chat.enter(&general(), &ann).await.is_ok() })
        .await;
    assert!(back, "the public room is there again");
    let mut resynced = false;
    while let Ok(Ok(frame)) = tokio::time::timeout(kit.patience(), sub.rx.recv()).await {
        if frame.kind == FrameKind::Resync {
            resynced = true;
            break;
        }
    }
    assert!(resynced, "the open stream is sent the new log, not closed");
    chat.post(&general(), ann.id, say("after"))
        .await
        .expect("post");
    let got = hear(&mut sub.rx, "Ann: after").await;
    assert!(got.contains(&"Ann: after".to_owned()), "{got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_stores_timers_follow_its_clock() {
    let Some(mut kit) = Kit::redis() else {
        return;
    };
    // A grace period no test could wait out in real time.
    kit.grace = Duration::from_secs(120);
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    kit.pass(kit.grace / 2).await;
    assert_eq!(chat.public_rooms().await[0].members, 1, "within grace");
    kit.pass(kit.grace).await;
    let gone = tokio::time::timeout(
        Duration::from_secs(10),
        kit.until(|| async { chat.public_rooms().await[0].members == 0 }),
    )
    .await;
    assert_eq!(gone, Ok(true), "Ann left once the clock passed the grace");
}
