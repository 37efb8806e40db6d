//! Limits across servers: per member, per address, wrong codes and stream
//! caps hold however requests are spread.

use super::*;

#[tokio::test]
async fn message_and_name_change_limits_hold_across_servers() {
    let flags = ["--rate-messages", "3", "--rate-renames", "2"];
    let Some((c, ann, _anns)) = two_servers_with_ann(&flags).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    for (node, text) in [(a, "one"), (b, "two"), (a, "three")] {
        ann.say(node, "general", text).await;
    }
    let refused = ann.send(b, "general", "four").await;
    assert_eq!(refused.status(), 429);
    let body = refused.text().await.expect("body");
    assert!(
        body.contains("too fast") && body.contains(r#"value="four""#),
        "{body}"
    );
    for (node, name, status) in [(a, "Annie", 200), (b, "Anna", 200), (a, "Ana", 429)] {
        let res = post(&ann.http, node, "/name")
            .header("hx-request", "true")
            .form(&[("name", name), ("back", "/r/general")])
            .send()
            .await
            .expect("rename");
        assert_eq!(res.status(), status, "{name} on {}", node.addr);
    }
}

#[tokio::test]
async fn one_addresses_sessions_messages_and_rooms_are_counted_across_servers() {
    let flags = [
        "--address-sessions",
        "6",
        "--address-messages",
        "4",
        "--rate-window",
        "60",
        "--address-rooms-held",
        "1",
    ];
    let Some(c) = cluster(2, &flags).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let mut people = Vec::new();
    for n in 0..3 {
        let node = if n % 2 == 0 { a } else { b };
        people.push(enter(node, &format!("P{n}"), "general").await);
    }
    // Fresh sessions through both servers, all at once: one budget.
    let sent = futures_util::future::join_all((0..12).map(|n| {
        let node = if n % 2 == 0 { a } else { b };
        people[n % 3].send(node, "general", "hello")
    }))
    .await;
    let taken = sent.iter().filter(|res| res.status() == 200).count();
    assert_eq!(taken, 4, "one address, one budget on every server");
    // Rooms held: one made on A is counted on B.
    let made = post_form(&client(), a, "/rooms", &[("name", "Ann")]).await;
    assert_eq!(made.status(), 303);
    let (status, body) = {
        let res = post_form(&client(), b, "/rooms", &[("name", "Bob")]).await;
        (res.status(), res.text().await.expect("body"))
    };
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("Too many private rooms are open"), "{body}");
    // Sessions: three people and Ann and Bob were five; one more, then none.
    let one = post_form(
        &client(),
        b,
        "/join",
        &[("name", "Cy"), ("code", "general")],
    )
    .await;
    assert_eq!(one.status(), 303);
    let refused = post_form(
        &client(),
        a,
        "/join",
        &[("name", "Dee"), ("code", "general")],
    )
    .await;
    assert_eq!(refused.status(), 429);
}

#[tokio::test]
async fn wrong_codes_are_counted_across_servers() {
    let Some(c) = cluster(2, &["--join-failures", "2", "--join-window", "60"]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let eve = client();
    for (node, guess) in [(a, "AAAA"), (b, "BBBB")] {
        let (_, body) = try_join(&eve, node, "Eve", guess).await;
        assert!(
            body.contains(&format!("No room with code {guess}")),
            "{body}"
        );
    }
    let (status, body) = try_join(&eve, a, "Eve", "general").await;
    assert_eq!(status, 429);
    assert!(body.contains("Too many wrong room codes"), "{body}");
}

/// Wrong codes tried all at once through two servers, on the page and the
/// stream: checking and counting are one step in Redis, so no more than
/// the limit get through to be told "no such room".
#[tokio::test]
async fn a_burst_of_wrong_codes_through_two_servers_lets_no_more_than_the_limit_through() {
    let Some(c) = cluster(2, &["--join-failures", "5", "--join-window", "60"]).await else {
        return;
    };
    let eve = client();
    let tries = (0..40).map(|n| {
        let node = c.node(n % 2);
        let code = livechat::chat::RoomCode::random(4);
        let path = if n % 4 < 2 {
            format!("/r/{code}")
        } else {
            format!("/r/{code}/events")
        };
        let req = eve.get(node.url(&path));
        async move {
            let res = req.send().await.expect("an answer");
            let status = res.status().as_u16();
            (status, res.text().await.expect("a body that ends"))
        }
    });
    let answers = futures_util::future::join_all(tries).await;
    let missed = answers
        .iter()
        .filter(|(status, body)| *status == 404 || body.contains("You are not in this room"))
        .count();
    let refused = answers
        .iter()
        .filter(|(_, body)| body.contains("Too many wrong room codes"))
        .count();
    assert!(missed <= 5, "{missed} misses got through: {answers:#?}");
    assert_eq!(missed + refused, 40, "{answers:#?}");
}

#[tokio::test]
async fn stream_caps_hold_across_servers() {
    let flags = ["--max-streams", "2", "--max-address-streams", "3"];
    let Some((c, ann, mut first)) = two_servers_with_ann(&flags).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    // One member's pages, wherever they are open.
    let mut second = ann.stream(b, "general").await;
    first.until("hx-target=\"#online\"").await;
    second.until("hx-target=\"#online\"").await;
    let mut third = ann.stream(a, "general").await;
    third.until("too many pages").await;
    assert_eq!(
        third.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
    // One client address's pages (every client here is 127.0.0.1).
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    bobs.until("hx-target=\"#online\"").await;
    let mut fourth = bob.stream(a, "general").await;
    fourth
        .until("Too many chat pages are open from your network address")
        .await;
}

/// Many people behind one address (a school, a carrier's NAT) whose pages
/// all open a stream at once: right codes are never taken for guesses,
/// however many are in flight together.
#[tokio::test]
async fn many_members_behind_one_address_opening_streams_at_once_are_not_refused() {
    let Some(c) = cluster(2, &["--join-failures", "3", "--address-sessions", "100"]).await else {
        return;
    };
    let mut people = Vec::new();
    let mut first_tabs = Vec::new();
    for n in 0..60 {
        let (person, tab) = member(c.node(n % 2), &format!("P{n}"), "general").await;
        people.push(person);
        first_tabs.push(tab);
    }
    let opens = people.iter().enumerate().map(|(n, person)| {
        let node = c.node(n % 2);
        let url = person.stream_url(node, "general");
        async move {
            let (_, mut sse) = Sse::open(&person.http, &url, None).await;
            sse.next().await.map(|e| e.data).unwrap_or_default()
        }
    });
    let first = futures_util::future::join_all(opens).await;
    let refused: Vec<&String> = first
        .iter()
        .filter(|data| data.contains("Too many"))
        .collect();
    assert!(refused.is_empty(), "{} refused: {refused:?}", refused.len());
}
