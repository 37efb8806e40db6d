//! One room on every server: the same live chat, history, Online list and
//! counts, notices told once, streams resumed on another server.

use super::*;

#[tokio::test]
async fn members_on_two_servers_chat_live() {
    let Some((c, ann, mut anns)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(a, "general", "hello from A").await;
    let got = bobs.until("hello from A").await;
    assert!(got.last().and_then(|e| e.id.as_ref()).is_some());
    bob.say(b, "general", "hello from B").await;
    anns.until("hello from B").await;
    let online = anns.until("hx-target=\"#online\"").await;
    let list = &online.last().expect("online").data;
    assert!(list.contains("Ann") && list.contains("Bob"), "{list}");
    // Without JavaScript too: Bob's log document on B hears Ann on A.
    let (_, mut doc) = Growing::open(&bob.http, &b.url("/r/general/log")).await;
    doc.until(">hello from B<").await;
    ann.say(a, "general", "to the frame on B").await;
    doc.until(">to the frame on B<").await;
}

#[tokio::test]
async fn every_server_shows_the_same_history_online_list_and_counts() {
    let Some(c) = cluster(3, &[]).await else {
        return;
    };
    let mut people = Vec::new();
    for (node, name) in c.nodes.iter().zip(["Ann", "Bob", "Cy"]) {
        people.push(member(node, name, "general").await);
    }
    for ((person, _), (node, text)) in people
        .iter()
        .zip(c.nodes.iter().zip(["one", "two", "three"]))
    {
        person.say(node, "general", text).await;
    }
    for (_, stream) in &mut people {
        stream.until(">three<").await;
    }
    let ann = &people[0].0.http;
    let first = room_view(ann, c.node(0), "general").await;
    let said: Vec<&String> = first
        .texts
        .iter()
        .filter(|t| ["one", "two", "three"].contains(&t.as_str()))
        .collect();
    assert_eq!(said, ["one", "two", "three"], "{first:#?}");
    assert_eq!(first.count, "3", "{first:#?}");
    assert_eq!(first.online.len(), 3, "{first:#?}");
    for node in &c.nodes[1..] {
        assert_eq!(
            room_view(ann, node, "general").await,
            first,
            "{}",
            node.addr
        );
    }
    for node in &c.nodes {
        assert_eq!(
            home_count(node, "general").await,
            "3 online",
            "{}",
            node.addr
        );
        assert_eq!(home_count(node, "games").await, "0 online", "{}", node.addr);
    }
}

#[tokio::test]
async fn a_person_with_tabs_on_two_servers_counts_once() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let ann = enter(a, "Ann", "general").await;
    let tab_on_a = ann.stream(a, "general").await;
    let tab_on_b = ann.stream(b, "general").await;
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    bobs.until("hx-target=\"#online\"").await;
    for node in [a, b] {
        let view = room_view(&bob.http, node, "general").await;
        assert_eq!(view.count, "2", "{}: {view:#?}", node.addr);
        assert_eq!(view.online.len(), 2, "{view:#?}");
        assert_eq!(in_history(&view, "Ann joined"), 1, "{view:#?}");
        assert_eq!(home_count(node, "general").await, "2 online");
    }
    // Closing the tab on A while the one on B stays open is no leave...
    drop(tab_on_a);
    tokio::time::sleep(Duration::from_secs(3)).await;
    bob.say(b, "general", "marker").await;
    let got = bobs.until(">marker<").await;
    assert_eq!(told(&got, "Ann left"), 0, "{got:#?}");
    assert_eq!(room_view(&bob.http, a, "general").await.count, "2");
    // ...closing the last one is, once.
    drop(tab_on_b);
    let mut got = bobs.until_within("Ann left", PRESENCE).await;
    bob.say(b, "general", "after").await;
    got.extend(bobs.until(">after<").await);
    assert_eq!(told(&got, "Ann left"), 1, "{got:#?}");
    for node in [a, b] {
        let view = room_view(&bob.http, node, "general").await;
        assert_eq!(in_history(&view, "Ann left"), 1, "{view:#?}");
        assert_eq!(view.count, "1", "{view:#?}");
    }
}

#[tokio::test]
async fn join_rename_and_leave_are_told_once_on_every_server() {
    let Some(c) = cluster(3, &[]).await else {
        return;
    };
    let (a, b, cc) = (c.node(0), c.node(1), c.node(2));
    let (ann, mut anns) = member(a, "Ann", "general").await;
    let (_cy, mut cys) = member(cc, "Cy", "general").await;
    let (bob, _bobs) = member(b, "Bob", "general").await;
    let renamed = post(&bob.http, b, "/name")
        .header("hx-request", "true")
        .form(&[("name", "Robert"), ("back", "/r/general")])
        .send()
        .await
        .expect("rename");
    assert_eq!(renamed.status(), 200);
    let left = post(&bob.http, b, "/r/general/leave")
        .send()
        .await
        .expect("leave");
    assert_eq!(left.status(), 303);
    ann.say(a, "general", "after").await;
    let notices = ["Bob joined", "Bob is now known as Robert", "Robert left"];
    for stream in [&mut anns, &mut cys] {
        let got = stream.until(">after<").await;
        for notice in notices {
            assert_eq!(told(&got, notice), 1, "{notice}: {got:#?}");
        }
    }
    for node in &c.nodes {
        let view = room_view(&ann.http, node, "general").await;
        for notice in notices {
            assert_eq!(
                in_history(&view, notice),
                1,
                "{notice} on {}: {view:#?}",
                node.addr
            );
        }
    }
}

#[tokio::test]
async fn a_private_room_made_on_one_server_is_joined_on_another() {
    // Every room here comes from one address.
    let Some(c) = cluster(2, &["--address-rooms", "100"]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    // Codes made at once on both servers never collide.
    let made = futures_util::future::join_all(
        (0..12).map(|i| create_room(if i % 2 == 0 { a } else { b }, "Ann")),
    )
    .await;
    let codes: BTreeSet<&str> = made.iter().map(|(_, code)| code.as_str()).collect();
    assert_eq!(codes.len(), made.len(), "{codes:?}");

    let (http, code) = create_room(a, "Ann").await;
    let page = get_text(&http, &a.url(&format!("/r/{code}"))).await;
    let ann = Person {
        http,
        after: after_id(&page),
    };
    let mut anns = ann.stream(a, &code).await;
    let bob = enter(b, "Bob", &code).await;
    let mut bobs = bob.stream(b, &code).await;
    anns.until("Bob joined").await;
    bob.say(b, &code, "found it").await;
    anns.until(">found it<").await;
    ann.say(a, &code, "welcome").await;
    bobs.until(">welcome<").await;
}

#[tokio::test]
async fn a_stream_dropped_from_one_server_resumes_on_another_with_exactly_the_gap() {
    let Some((c, ann, mut first)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    ann.say(a, "general", "m1").await;
    let last_seen = first.id_of(">m1<").await;
    drop(first);
    for (node, text) in [(b, "m2"), (a, "m3"), (b, "m4")] {
        ann.say(node, "general", text).await;
    }
    let (_, mut again) =
        Sse::open(&ann.http, &ann.stream_url(b, "general"), Some(&last_seen)).await;
    let got = again.until("hx-target=\"#online\"").await;
    let texts: Vec<String> = got
        .iter()
        .filter(|e| e.data.starts_with("<li class=\"msg\""))
        .flat_map(|e| log_items(&e.data))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        texts,
        ["m2", "m3", "m4"],
        "exactly the gap, in order: {got:#?}"
    );
    ann.say(a, "general", "m5").await;
    let after = again.until(">m5<").await;
    assert_eq!(told(&after, "m5"), 1, "{after:#?}");
}

#[tokio::test]
async fn leaving_on_one_server_ends_the_members_streams_on_every_server() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, mut tab_a) = member(a, "Ann", "general").await;
    let mut tab_b = ann.stream(b, "general").await;
    let (bob, mut bobs) = member(a, "Bob", "general").await;
    tab_b.until("Bob joined").await;
    post_see_other(&ann.http, b, "/r/general/leave", &[]).await;
    for tab in [&mut tab_a, &mut tab_b] {
        tab.until("You left this room").await;
        assert_eq!(
            tab.next().await.and_then(|e| e.event).as_deref(),
            Some("close")
        );
    }
    let mut got = bobs.until("Ann left").await;
    bob.say(a, "general", "marker").await;
    got.extend(bobs.until(">marker<").await);
    assert_eq!(told(&got, "Ann left"), 1, "{got:#?}");
}

#[tokio::test]
async fn a_private_room_goes_on_every_server_after_its_last_member() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (http, code) = a_room_that_went(a, b).await;
    for node in [a, b] {
        let res = http
            .get(node.url(&format!("/r/{code}")))
            .send()
            .await
            .expect("page");
        assert_eq!(res.status(), 404, "{code} on {}", node.addr);
    }
    let (_, body) = try_join(&client(), b, "Bob", &code).await;
    assert!(
        body.contains(&format!("No room with code {code}")),
        "{body}"
    );
}

/// How many people the "... joined" notices among `texts` tell of:
/// "Ann" is one, "Ann and Bob" two, "Ann, Bob and 2 others" four.
fn joined(texts: &[String]) -> usize {
    texts
        .iter()
        .filter_map(|t| t.strip_suffix(" joined"))
        .map(|who| {
            let (named, others) = match who.rsplit_once(" and ") {
                Some((named, last)) => match last.split_once(' ') {
                    Some((n, "others" | "other")) => (named, n.parse().unwrap_or(0)),
                    _ => (who, 0),
                },
                None => (who, 0),
            };
            named
                .split([',', ' '])
                .filter(|w| !w.is_empty() && *w != "and")
                .count()
                + others
        })
        .sum()
}

#[tokio::test]
async fn a_big_rooms_batched_joins_are_told_once_across_servers() {
    let Some(c) = cluster(3, &["--big-room", "1"]).await else {
        return;
    };
    let (ann, mut anns) = member(c.node(0), "Ann", "general").await;
    let names = ["Bob", "Cy", "Dee", "Eve"];
    let mut others = Vec::new();
    for (i, name) in names.iter().enumerate() {
        others.push(member(c.node(1 + i % 2), name, "general").await);
    }
    let mut texts: Vec<String> = Vec::new();
    let deadline = Instant::now() + RECOVER;
    while joined(&texts) < names.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(event) = anns.next_within(left).await else {
            panic!("not every join was told: {texts:#?}");
        };
        texts.extend(log_items(&event.data).into_iter().map(|(_, t)| t));
    }
    ann.say(c.node(0), "general", "marker").await;
    let rest = anns.until(">marker<").await;
    texts.extend(rest.iter().flat_map(|e| log_items(&e.data)).map(|(_, t)| t));
    assert_eq!(joined(&texts), names.len(), "each told once: {texts:#?}");
    let first = room_view(&ann.http, c.node(0), "general").await;
    assert_eq!(joined(&first.texts), 1 + names.len(), "{first:#?}");
    for node in &c.nodes[1..] {
        let view = room_view(&ann.http, node, "general").await;
        assert_eq!(view.items, first.items, "{}", node.addr);
        assert_eq!(view.texts, first.texts, "{}", node.addr);
    }
}
