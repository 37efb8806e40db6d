//! When a server or Redis fails: a killed server's members time out, Redis
//! restarted mid-chat loses nothing acknowledged, keys of gone rooms expire,
//! and a server started before Redis serves once it is up.

use super::*;

#[tokio::test]
async fn a_member_of_a_killed_server_is_timed_out_and_their_leave_told_once() {
    let Some(mut c) = cluster(3, &[]).await else {
        return;
    };
    let (ann, mut anns) = member(c.node(0), "Ann", "general").await;
    let (_bob, bobs) = member(c.node(1), "Bob", "general").await;
    let (cy, mut cys) = member(c.node(2), "Cy", "general").await;
    anns.until("Cy joined").await;
    // Bob's server dies with his stream; his browser is gone with it.
    c.nodes[1].kill();
    drop(bobs);
    let mut ann_got = anns.until_within("Bob left", PRESENCE).await;
    let mut cy_got = cys.until_within("Bob left", PRESENCE).await;
    let (a, cc) = (c.node(0), c.node(2));
    ann.say(a, "general", "still here").await;
    cy_got.extend(cys.until(">still here<").await);
    cy.say(cc, "general", "me too").await;
    ann_got.extend(anns.until(">me too<").await);
    cy_got.extend(cys.until(">me too<").await);
    assert_eq!(told(&ann_got, "Bob left"), 1, "{ann_got:#?}");
    assert_eq!(told(&cy_got, "Bob left"), 1, "{cy_got:#?}");
    for node in [a, cc] {
        let view = room_view(&ann.http, node, "general").await;
        assert_eq!(in_history(&view, "Bob left"), 1, "{view:#?}");
        assert_eq!(view.count, "2", "{view:#?}");
    }
}

/// What `/healthz` of `node` answers.
async fn health(node: &Node) -> (u16, String) {
    let res = client()
        .get(node.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// Sends `text` until it is taken, bounded by `RECOVER`; only "try again"
/// refusals (503) may come before.
pub(super) async fn say_once_back(person: &Person, node: &Node, room: &str, text: &str) {
    let deadline = Instant::now() + RECOVER;
    loop {
        let res = person.send(node, room, text).await;
        match res.status().as_u16() {
            200 => return,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            status => panic!(
                "{text:?}: {status} {}",
                res.text().await.unwrap_or_default()
            ),
        }
    }
}

/// Posts "{prefix}1", "{prefix}2", ... from `person` on `node` until `stop`
/// turns true: the texts taken (200) and those refused with "try again" (503).
pub(super) async fn keep_posting(
    person: &Person,
    node: &Node,
    prefix: &str,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> (Vec<String>, Vec<String>) {
    let (mut taken, mut refused) = (Vec::new(), Vec::new());
    for n in 1.. {
        let text = format!("{prefix}{n}");
        let res = person.send(node, "general", &text).await;
        match res.status().as_u16() {
            200 => taken.push(text),
            503 => refused.push(text),
            status => panic!("{text}: {status} {}", res.text().await.unwrap_or_default()),
        }
        let pause = Duration::from_millis(100);
        if tokio::time::timeout(pause, stop.wait_for(|s| *s))
            .await
            .is_ok()
        {
            break;
        }
    }
    (taken, refused)
}

#[tokio::test]
async fn redis_stopped_and_restarted_mid_chat_loses_nothing_acknowledged() {
    let flags = ["--rate-messages", "10000", "--history", "1000"];
    let Some(mut c) = durable_cluster(2, &flags).await else {
        return;
    };
    let (ann, anns) = member(c.node(0), "Ann", "general").await;
    let (bob, bobs) = member(c.node(1), "Bob", "general").await;
    drop((anns, bobs));
    // Their pages' streams, kept open (and reopened) as browsers do, at any server.
    let urls = |p: &Person| c.nodes.iter().map(|n| p.stream_url(n, "general")).collect();
    let mut ann_tab = Tab::open(&ann.http, urls(&ann)).await;
    let mut bob_tab = Tab::open(&bob.http, urls(&bob)).await;
    ann.say(c.node(0), "general", "before").await;
    bob_tab.until(">before<", RECOVER).await;
    ann_tab.until(">before<", RECOVER).await;

    let (redis, nodes) = (&mut c.redis, &c.nodes);
    let (a, b) = (&nodes[0], &nodes[1]);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // While Ann and Bob keep chatting, one on each server...
    let chatting = async {
        tokio::join!(
            keep_posting(&ann, a, "ann-", stopped.clone()),
            keep_posting(&bob, b, "bob-", stopped.clone())
        )
    };
    // ...Redis stops, and comes back.
    let outage = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        redis.stop().await;
        let refused = ann.send(a, "general", "during").await;
        assert_eq!(refused.status(), 503);
        let body = refused.text().await.expect("body");
        assert!(body.to_lowercase().contains("try again"), "{body}");
        assert!(
            body.contains(r#"value="during""#),
            "the text is kept: {body}"
        );
        // Joining by a code and making a room are refused alike, what was
        // typed kept (a code's room can only be looked up in Redis).
        let (status, body) = try_join(&client(), b, "Dee", "K7QX").await;
        assert_eq!(status, 503, "{body}");
        assert!(
            body.contains(r#"value="Dee""#) && body.contains(r#"value="K7QX""#),
            "{body}"
        );
        let made = post_form(&client(), a, "/rooms", &[("name", "Cy")]).await;
        assert_eq!(made.status(), 503);
        let body = made.text().await.expect("body");
        assert!(body.contains(r#"value="Cy""#), "{body}");
        for node in [a, b] {
            let (status, says) = health(node).await;
            assert_eq!(status, 503, "{}", node.addr);
            assert!(says.to_lowercase().contains("redis"), "{says}");
        }
        let seen = bob_tab.until("econnecting", RECOVER).await;
        // Down for longer than the grace period, with posts coming in all
        // the time: people whose pages stay open must still be members after.
        tokio::time::sleep(Duration::from_secs(4)).await;
        redis.restart().await;
        say_once_back(&ann, a, "general", "after").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = stop.send(true);
        seen
    };
    let (mut bob_got, ((ann_taken, ann_refused), (bob_taken, bob_refused))) =
        tokio::join!(outage, chatting);
    assert!(
        !ann_refused.is_empty() || !bob_refused.is_empty(),
        "some posts met the outage"
    );

    bob_got.extend(bob_tab.until(">after<", RECOVER).await);
    bob.say(b, "general", "back").await;
    bob_got.extend(bob_tab.until(">back<", RECOVER).await);
    ann_tab.until(">back<", RECOVER).await;
    let taken: Vec<&str> = ["before", "after", "back"]
        .into_iter()
        .chain(ann_taken.iter().chain(&bob_taken).map(String::as_str))
        .collect();
    let refused: Vec<&str> = ann_refused
        .iter()
        .chain(&bob_refused)
        .map(String::as_str)
        .collect();
    for text in &taken[1..] {
        assert!(
            told(&bob_got, text) >= 1,
            "Bob's page never got {text}: {bob_got:#?}"
        );
    }
    for node in [a, b] {
        let deadline = Instant::now() + RECOVER;
        while health(node).await.0 != 200 {
            assert!(Instant::now() < deadline, "{} stays unhealthy", node.addr);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let view = room_view(&ann.http, node, "general").await;
        for text in &taken {
            assert_eq!(
                in_history(&view, text),
                1,
                "{text} taken, on {}: {view:#?}",
                node.addr
            );
        }
        for text in ["Ann left", "Bob left"] {
            assert_eq!(
                in_history(&view, text),
                0,
                "{text}: their pages stayed open"
            );
        }
        // Sent once Redis was gone: not taken.
        assert_eq!(in_history(&view, "during"), 0, "{view:#?}");
        // A post in flight as Redis stops may be kept though its answer was
        // lost (Redis wrote it, then went before replying); never twice.
        for text in &refused {
            assert!(
                in_history(&view, text) <= 1,
                "{text} refused, on {}: {view:#?}",
                node.addr
            );
        }
    }
}

/// A number redis-cli answered (`-2`, "no such key", when it said none).
fn number(answer: Option<String>) -> i64 {
    answer.and_then(|a| a.trim().parse().ok()).unwrap_or(-2)
}

#[tokio::test]
async fn redis_keeps_history_trimmed_and_lets_keys_of_gone_rooms_expire() {
    let flags = [
        "--history",
        "5",
        "--rate-messages",
        "1000",
        "--address-messages",
        "1000",
    ];
    let Some(c) = cluster(2, &flags).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, _anns) = member(a, "Ann", "general").await;
    let posted = 250;
    for n in 0..posted {
        ann.say(if n % 2 == 0 { a } else { b }, "general", &format!("n{n}"))
            .await;
    }
    let (_, code) = a_room_that_went(b, a).await;
    let Some(keys) = c.redis.cli(&["--scan"]) else {
        return;
    };
    let mut streams = 0;
    for key in keys.lines() {
        let kind = c.redis.cli(&["TYPE", key]).unwrap_or_default();
        let ttl = number(c.redis.cli(&["TTL", key]));
        if kind.trim() == "stream" {
            streams += 1;
            let len = number(c.redis.cli(&["XLEN", key]));
            // Trimmed with `MAXLEN ~`: whole blocks of entries at a time.
            assert!(len <= 5 + 100, "{key} holds {len} of {posted} entries");
        }
        if key.contains(&code) {
            assert!(
                ttl >= 0 || ttl == -2,
                "{key} of the gone room {code} never expires"
            );
        }
    }
    assert!(streams > 0, "room logs are Redis streams: {keys}");
}

#[tokio::test]
async fn a_server_started_while_redis_is_down_serves_once_it_is_up() {
    let Some(mut c) = durable_cluster(1, &[]).await else {
        return;
    };
    let (ann, _first) = member(c.node(0), "Ann", "general").await;
    c.redis.stop().await;
    let late = c.spawn_node(&[]);
    // It answers at once, saying Redis cannot be reached.
    let deadline = Instant::now() + RECOVER;
    let status = loop {
        match client().get(c.node(late).url("/healthz")).send().await {
            Ok(res) => break res.status(),
            Err(_) => {
                assert!(Instant::now() < deadline, "the late server never answered");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(status, 503);
    c.redis.restart().await;
    c.nodes[late].wait_ready().await;
    let (a, b) = (c.node(0), c.node(late));
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    let mut anns = ann.stream(a, "general").await;
    say_once_back(&ann, a, "general", "hello late server").await;
    bobs.until(">hello late server<").await;
    bob.say(b, "general", "hello from it").await;
    anns.until(">hello from it<").await;
}
