//! Limits and caps counted in Redis hold however many servers they are
//! spread over.

use super::*;

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

/// Slow-mode paces kept through a leave are let go once they ran out: what
/// Redis keeps of them in a room that lives for ever stays about as big as
/// the room, however many came, posted and went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paces_kept_through_leaves_are_let_go_once_run_out() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let a = kit
        .redis_store(kit.settings(50, 1000, 100_000), Arc::new(Plain))
        .await;
    let last = member("Last");
    a.enter(&general(), &last).await.expect("enter");
    let every = Duration::from_secs(60);
    a.slow_mode(&general(), Some(every)).await.expect("slow");
    let count = 100;
    for n in 0..count {
        let who = member(&format!("P{n}"));
        a.enter(&general(), &who).await.expect("enter");
        a.post(&general(), who.id, say("hi")).await.expect("post");
        a.leave(&general(), who.id).await.expect("leave");
    }
    let url = kit.redis.as_ref().expect("a redis kit").url();
    let mut conn = crate::chat::redis::testing::connect(&url);
    // The room's paces (`redis::keys`).
    let paces = |conn: &mut crate::chat::redis::testing::Conn| {
        let mut conn = conn.clone();
        async move {
            ::redis::cmd("HLEN")
                .arg("lc:{general}:lp")
                .query_async::<usize>(&mut conn)
                .await
                .expect("HLEN")
        }
    };
    assert_eq!(paces(&mut conn).await, count, "kept while running");
    kit.pass(every).await;
    a.enter(&general(), &last).await.expect("enter");
    a.post(&general(), last.id, say("hi")).await.expect("post");
    assert_eq!(paces(&mut conn).await, 1, "only the pace still running");
}
