//! Several Redis stores on one `redis-server`, as several servers behind a
//! load balancer: what one does, the others see. Skipped (loudly) without
//! `redis-server`.

use super::*;

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
    for n in 0..5 {
        a.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
    }
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
async fn strangers_waiting_on_two_servers_are_paired() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    assert_eq!(a.queue(&ann).await, Ok(Pairing::Waiting));
    let page = a
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("queued on A");
    let Ok(Pairing::Matched(code)) = b.queue(&bob).await else {
        panic!("Bob is paired with Ann, who waits on A");
    };
    let heard = kit
        .until(|| async { *page.matched.borrow() == Some(code.clone()) })
        .await;
    assert!(heard, "Ann's waiting page on A hears the match made on B");
    let snap = a.enter(&code, &ann).await.expect("Ann enters on A");
    assert_eq!(log_texts(&snap), ["paired Ann,Bob"]);
    assert_eq!(snap.online.total, 2);
    assert!(b.enter(&code, &cy).await.is_err(), "for the two only");
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
async fn limits_hold_across_servers() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let window = Duration::from_secs(60);
    let on_a = stores[0].limits().limiter("join", 3, window, 100);
    let on_b = stores[1].limits().limiter("join", 3, window, 100);
    on_a.take("10.0.0.1").await.expect("one").keep();
    on_b.take("10.0.0.1").await.expect("two").keep();
    let forgiven = on_b.take("10.0.0.1").await.expect("three, forgiven");
    forgiven.forgive();
    tokio::time::sleep(Duration::from_millis(200)).await;
    on_a.take("10.0.0.1").await.expect("three again").keep();
    let wait = on_b
        .take("10.0.0.1")
        .await
        .err()
        .expect("used up, on B too");
    assert!(wait <= window);
    assert!(on_b.take("10.0.0.2").await.is_ok(), "others are not slowed");
    // Many at once through both servers: exactly the limit passes.
    let burst = futures_util::future::join_all((0..20).map(|n| {
        let on = if n % 2 == 0 { &on_a } else { &on_b };
        on.take("10.0.0.3")
    }))
    .await;
    assert_eq!(burst.iter().filter(|taken| taken.is_ok()).count(), 3);
    // Posting: the rate of one member counts on every server.
    let slow = Settings {
        rate_messages: 3,
        rate_window: Duration::from_secs(60),
        ..kit.settings(200, 50, 3)
    };
    let stores = servers_with(&kit, 2, slow).await;
    let ann = member("Ann");
    let (a, b) = (&stores[0], &stores[1]);
    a.enter(&general(), &ann).await.expect("enter");
    let _present = a.subscribe(&general(), ann.id, None).await.expect("on A");
    let mut refused = None;
    for n in 0..10 {
        let store = if n % 2 == 0 { a } else { b };
        if let Err(why) = store.post(&general(), ann.id, say("hi")).await {
            refused = Some((n, why));
            break;
        }
    }
    assert!(
        matches!(refused, Some((3, ChatError::TooFast(_)))),
        "the 4th post is refused, whichever server: {refused:?}"
    );
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
async fn the_cap_on_open_pages_counts_every_server() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let settings = Settings {
        max_streams: 2,
        ..kit.settings(200, 50, 1000)
    };
    let stores = servers_with(&kit, 2, settings).await;
    let (a, b) = (&stores[0], &stores[1]);
    let ann = member("Ann");
    a.enter(&general(), &ann).await.expect("enter");
    let on_a = a.subscribe(&general(), ann.id, None).await.expect("first");
    let _on_b = b.subscribe(&general(), ann.id, None).await.expect("second");
    let third = a.subscribe(&general(), ann.id, None).await.err();
    assert_eq!(third, Some(ChatError::TooManyStreams), "two in all");
    drop(on_a);
    let again = kit
        .until(|| async { a.subscribe(&general(), ann.id, None).await.is_ok() })
        .await;
    assert!(again, "a closed page frees its place");
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

/// Many people queue, cancel and queue again at once on two servers: every
/// pair room is two different people, nobody is in two pairs, and at most
/// one person is left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pairing_stays_exact_across_servers_under_concurrency() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let settings = Settings {
        grace: Duration::from_secs(600),
        max_queue: 10_000,
        ..kit.settings(50, 50, 10)
    };
    let stores = servers_with(&kit, 2, settings).await;
    let people: Vec<Member> = (0..300).map(|n| member(&format!("m{n}"))).collect();
    let chats: Vec<Chat> = stores.iter().map(|s| Arc::new(s.clone()) as Chat).collect();
    super::pairing::churn(&people, &chats).await;
    let url = kit.redis.as_ref().expect("redis").url();
    let mut conn = ::redis::Client::open(url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("redis answers");
    let rooms: Vec<String> = ::redis::AsyncCommands::smembers(&mut conn, "lc:pairs")
        .await
        .expect("rooms");
    let mut times: std::collections::HashMap<String, usize> = Default::default();
    for code in &rooms {
        let pair: String = ::redis::AsyncCommands::hget(&mut conn, format!("lc:r:{code}"), "pair")
            .await
            .expect("a pair room");
        let (a, b) = pair.split_once(' ').expect("two ids");
        assert_ne!(a, b, "nobody is paired with themselves");
        *times.entry(a.to_owned()).or_default() += 1;
        *times.entry(b.to_owned()).or_default() += 1;
    }
    let two_tabs: std::collections::HashSet<String> = people
        .iter()
        .skip(2)
        .step_by(3)
        .map(|p| p.id.0.to_string())
        .collect();
    for (id, n) in &times {
        let most = if two_tabs.contains(id) { 2 } else { 1 };
        assert!(*n <= most, "{id} is in {n} pairs");
    }
    let mut waiting = 0;
    for person in &people {
        if stores[0].pairing(person.id).await == Some(Pairing::Waiting) {
            waiting += 1;
        }
    }
    assert!(waiting <= 1, "nobody waits while another could be paired");
    assert_eq!(stores[1].stats().await.queue, waiting, "no leaked entries");
    assert!(!rooms.is_empty(), "people were paired");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn places_of_one_address_count_on_every_server() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let on_a = stores[0].limits().places("address-streams", 2);
    let on_b = stores[1].limits().places("address-streams", 2);
    let first = on_a.take("10.0.0.1").await.expect("first");
    let _second = on_b.take("10.0.0.1").await.expect("second");
    assert!(on_a.take("10.0.0.1").await.is_none(), "two in all");
    assert!(
        on_a.take("10.0.0.2").await.is_some(),
        "others are not held up"
    );
    drop(first);
    let again = kit
        .until(|| async { on_b.take("10.0.0.1").await.is_some() })
        .await;
    assert!(again, "a place given back can be taken again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_held_and_waiting_pages_count_on_every_server() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let settings = Settings {
        address_rooms_held: 2,
        max_streams: 2,
        ..kit.settings(200, 50, 1000)
    };
    let stores = servers_with(&kit, 2, settings).await;
    let (a, b) = (&stores[0], &stores[1]);
    // Many at once through both servers: exactly the cap is made.
    let people: Vec<Member> = (0..10).map(|n| member(&format!("P{n}"))).collect();
    let made = futures_util::future::join_all(people.iter().enumerate().map(|(n, who)| {
        let store = if n % 2 == 0 { a } else { b };
        store.create_room(who, Some("10.0.0.1"))
    }))
    .await;
    assert_eq!(made.iter().filter(|m| m.is_ok()).count(), 2, "{made:?}");
    assert!(
        made.iter()
            .all(|m| m.is_ok() || *m == Err(ChatError::RoomsHeld))
    );
    // Waiting pages of one member on two servers share the member's cap.
    let ann = member("Ann");
    a.queue(&ann).await.expect("queued");
    let _on_a = a.watch_pairing(ann.id).await.expect("one").expect("queued");
    let on_b = b.watch_pairing(ann.id).await.expect("two").expect("queued");
    assert!(matches!(
        a.watch_pairing(ann.id).await,
        Err(ChatError::TooManyStreams)
    ));
    drop(on_b);
    let again = kit
        .until(|| async { matches!(a.watch_pairing(ann.id).await, Ok(Some(_))) })
        .await;
    assert!(again, "a page closed on B gives its place back");
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
