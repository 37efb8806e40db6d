//! Strangers waiting on different servers are paired, exactly, however
//! many come at once.

use super::*;

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
    let mut conn = crate::chat::redis::testing::connect(&url);
    let rooms: Vec<String> = ::redis::AsyncCommands::smembers(&mut conn, "lc:{q}:pairs")
        .await
        .expect("rooms");
    let mut times: std::collections::HashMap<String, usize> = Default::default();
    for code in &rooms {
        let pair: String =
            ::redis::AsyncCommands::hget(&mut conn, format!("lc:{{{code}}}:r"), "pair")
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
