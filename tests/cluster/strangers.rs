//! Random chat across servers: strangers waiting on different servers are
//! paired, in pairs, and a leave is told on the other server.

use super::*;

/// Two servers sharing Redis, and Ann waiting for a stranger on the first.
async fn two_servers_with_ann_waiting() -> Option<(Cluster, reqwest::Client)> {
    let c = cluster(2, &[]).await?;
    let ann = queue_for_stranger(c.node(0), "Ann").await;
    Some((c, ann))
}

#[tokio::test]
async fn strangers_waiting_on_different_servers_are_paired() {
    let Some((c, ann)) = two_servers_with_ann_waiting().await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (_, mut ann_waits) = Sse::open(&ann, &a.url("/pair/events"), None).await;
    let bob = queue_for_stranger(b, "Bob").await;
    let (_, mut bob_waits) = Sse::open(&bob, &b.url("/pair/events"), None).await;
    let heard = ann_waits.until("A stranger is here").await;
    let room = room_in(&heard.last().expect("the match").data);
    let heard = bob_waits.until("A stranger is here").await;
    assert_eq!(room_in(&heard.last().expect("the match").data), room);
    // Each asks the other server where to go, and reads the room there.
    for (http, node, other) in [(&ann, b, a), (&bob, a, b)] {
        assert_eq!(sent_to(http, node).await, room);
        let page = get_text(http, &other.url(&room)).await;
        assert!(page.contains("<bdi>Ann</bdi> and <bdi>Bob</bdi> are now talking: say hello"));
    }
    // Two more, queued at the same moment on both servers, are one pair too.
    let (cy, dee) = tokio::join!(queue_for_stranger(a, "Cy"), queue_for_stranger(b, "Dee"));
    let (_, mut cy_waits) = Sse::open(&cy, &b.url("/pair/events"), None).await;
    let (_, mut dee_waits) = Sse::open(&dee, &a.url("/pair/events"), None).await;
    let cys = room_in(
        &cy_waits
            .until("A stranger is here")
            .await
            .last()
            .expect("match")
            .data,
    );
    let dees = room_in(
        &dee_waits
            .until("A stranger is here")
            .await
            .last()
            .expect("match")
            .data,
    );
    assert_eq!(cys, dees);
    assert_ne!(cys, room);
    let page = get_text(&cy, &a.url(&cys)).await;
    assert!(
        page.contains("<bdi>Cy</bdi> and <bdi>Dee</bdi> are now talking")
            || page.contains("<bdi>Dee</bdi> and <bdi>Cy</bdi> are now talking"),
        "{page}"
    );
}

#[tokio::test]
async fn six_strangers_queued_at_once_on_three_servers_make_three_pairs() {
    let Some(c) = cluster(3, &[]).await else {
        return;
    };
    let names = ["P1", "P2", "P3", "P4", "P5", "P6"];
    let people = futures_util::future::join_all(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| queue_for_stranger(c.node(i % 3), name)),
    )
    .await;
    let mut waits = Vec::new();
    for (i, http) in people.iter().enumerate() {
        let url = c.node((i + 1) % 3).url("/pair/events");
        waits.push(Sse::open(http, &url, None).await.1);
    }
    let mut rooms: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for (wait, name) in waits.iter_mut().zip(names) {
        let heard = wait.until("A stranger is here").await;
        let room = room_in(&heard.last().expect("the match").data);
        rooms.entry(room).or_default().push(name);
    }
    assert_eq!(rooms.len(), 3, "{rooms:?}");
    assert!(rooms.values().all(|pair| pair.len() == 2), "{rooms:?}");
}

#[tokio::test]
async fn a_stranger_who_leaves_on_one_server_is_told_to_the_other_who_can_find_a_new_one() {
    let Some((c, ann)) = two_servers_with_ann_waiting().await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    // Without JavaScript, Ann's browser is held on B until a stranger comes.
    let held = tokio::spawn({
        let (ann, url) = (ann.clone(), b.url("/pair?hold"));
        async move { ann.get(url).send().await }
    });
    let bob = queue_for_stranger(b, "Bob").await;
    let answer = tokio::time::timeout(Duration::from_secs(10), held)
        .await
        .expect("answered once Bob came")
        .expect("no panic")
        .expect("held page");
    assert_eq!(answer.status(), 303);
    let room = answer.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(sent_to(&bob, a).await, room, "the same room");
    let code = room.trim_start_matches("/r/").to_owned();
    let page = get_text(&bob, &a.url(&room)).await;
    // A random-chat room, on either server: the stranger named, nothing to share.
    assert!(
        page.contains("<h1>Chatting with <bdi>Ann</bdi></h1>"),
        "{page}"
    );
    assert!(!page.contains("Link to share"), "{page}");
    let bobs = Person {
        after: after_id(&page),
        http: bob,
    };
    let mut bob_stream = bobs.stream(a, &code).await;
    let (_, mut ann_stream) = Sse::open(&ann, &b.url(&format!("{room}/events")), None).await;
    ann_stream.until("hx-target=\"#online\"").await;
    post_see_other(&ann, b, &format!("{room}/leave"), &[]).await;
    let told = bob_stream.until("Ann left the chat").await;
    let notice = &told.last().expect("the notice").data;
    // The send form gives way to "Ann left" and what to do next.
    assert!(
        notice.contains(r##"<hx-partial hx-target="#send" hx-swap="outerHTML"><div class="stranger-left" id="send"><p class="left-words"><bdi>Ann</bdi> left</p>"##),
        "{notice}"
    );
    assert!(
        notice.contains(&format!(r#"name="leave" value="{code}""#)),
        "{notice}"
    );
    // Find a new stranger, on the other server: out of that room, back in the queue.
    let again = post_see_other(&bobs.http, b, "/pair", &[("leave", code.as_str())]).await;
    assert_eq!(again, "/pair");
    let waiting = get_text(&bobs.http, &a.url("/pair")).await;
    assert!(waiting.contains("Waiting for a stranger"), "{waiting}");
    let gone = bobs.http.get(b.url(&room)).send().await.expect("room");
    assert_eq!(gone.status(), 404, "the pair's room closed");
}
