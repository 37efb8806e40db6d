//! Several livechat servers sharing one Redis, driven over HTTP as browsers
//! behind a round-robin load balancer would be: no request needs to reach
//! the server an earlier one reached. Needs `redis-server` (skipped loudly
//! without it, a failure under `CI=true`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::cluster::{Cluster, Nginx, Node, cluster, durable_cluster};
use common::people::{
    Person, Site, enter, member, post, post_see_other, queue_for_stranger, room_in, sent_to,
};
use common::sse::{Event, Growing, Sse, Tab};
use common::{after_id, client, get_text};
use tokio::time::Instant;

/// How long a member whose server died may take to be timed out.
const PRESENCE: Duration = Duration::from_secs(60);
/// How long the servers may take to recover once Redis is back.
const RECOVER: Duration = Duration::from_secs(30);

/// What a room page shows, as read by a person on one server.
#[derive(Debug, PartialEq)]
struct RoomView {
    /// Ids of the log items, in order.
    items: Vec<String>,
    /// Texts of the log items, in order (message text or notice sentence).
    texts: Vec<String>,
    /// Seeds of the Online list.
    online: BTreeSet<String>,
    /// The "N here now" count.
    count: String,
}

/// The part of `page` from `start` to the next `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in {page}"));
    let rest = &page[from + start.len()..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Text with the tags taken out and white space folded.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The log items of a page or stream fragment: (id, text) of each `<li>`.
fn log_items(html: &str) -> Vec<(String, String)> {
    html.split("<li class=\"")
        .skip(1)
        .filter(|li| li.starts_with("msg\"") || li.starts_with("notice\""))
        .map(|li| {
            let id = between(li, "id=\"", "\"").to_owned();
            let body = &li[li.find('>').map_or(0, |i| i + 1)..];
            let text = if li.starts_with("msg\"") {
                plain(between(body, "<p class=\"text\" dir=\"auto\">", "</p>"))
            } else {
                plain(between(body, "<p>", "<time"))
            };
            (id, text)
        })
        .collect()
}

async fn room_view(http: &reqwest::Client, node: &Node, room: &str) -> RoomView {
    let page = get_text(http, &node.url(&format!("/r/{room}"))).await;
    let log = between(&page, "id=\"log-items\"", "</ol>");
    let (items, texts) = log_items(log).into_iter().unzip();
    let online = between(&page, "id=\"online\"", "</ul>")
        .split("data-author=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or_default().to_owned())
        .collect();
    let count = between(&page, "<span id=\"online-count\">", "</span>").to_owned();
    RoomView {
        items,
        texts,
        online,
        count,
    }
}

/// The "N online" the home page of `node` shows for a public room.
async fn home_count(node: &Node, room: &str) -> String {
    let page = get_text(&client(), &node.url("/")).await;
    let entry = between(&page, &format!("# {room}</span>"), "</li>");
    between(entry, "<span class=\"count\">", "</span>").to_owned()
}

/// How many of `events` are log items whose text is exactly `text`.
fn told(events: &[Event], text: &str) -> usize {
    events
        .iter()
        .flat_map(|e| log_items(&e.data))
        .filter(|(_, t)| t == text)
        .count()
}

/// How many items of a page's log read exactly `text`.
fn in_history(view: &RoomView, text: &str) -> usize {
    view.texts.iter().filter(|t| *t == text).count()
}

/// What `POST /join` answers on `node`: its status and body.
async fn try_join(http: &reqwest::Client, node: &Node, name: &str, code: &str) -> (u16, String) {
    let res = post(http, node, "/join")
        .form(&[("name", name), ("code", code)])
        .send()
        .await
        .expect("join");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

/// Someone who made a private room on `node`: their client, and its code.
async fn create_room(node: &Node, name: &str) -> (reqwest::Client, String) {
    let http = client();
    let location = post_see_other(&http, node, "/rooms", &[("name", name)]).await;
    let code = location.trim_start_matches("/r/").to_owned();
    (http, code)
}

/// A private room made on `made`, whose only page was open on `seen` and
/// closed, once the store no longer has it: its maker's client, and its code.
async fn a_room_that_went(made: &Node, seen: &Node) -> (reqwest::Client, String) {
    let (http, code) = create_room(made, "Ann").await;
    let (_, mut sse) = Sse::open(&http, &seen.url(&format!("/r/{code}/events")), None).await;
    sse.until("hx-target=\"#online\"").await;
    drop(sse);
    // Waited for without touching the room: the count of rooms every server
    // reads from the store (the public five, and this one until it goes).
    let deadline = Instant::now() + PRESENCE;
    while !get_text(&http, &made.url("/metrics"))
        .await
        .lines()
        .any(|l| l == "livechat_rooms 5")
    {
        assert!(Instant::now() < deadline, "{code} stays");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    (http, code)
}

/// Two servers sharing Redis with `flags`, and Ann in #general on the
/// first with her page's stream open there.
async fn two_servers_with_ann(flags: &[&str]) -> Option<(Cluster, Person, Sse)> {
    let c = cluster(2, flags).await?;
    let (ann, stream) = member(c.node(0), "Ann", "general").await;
    Some((c, ann, stream))
}

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
async fn say_once_back(person: &Person, node: &Node, room: &str, text: &str) {
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
async fn keep_posting(
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
        let made = post(&client(), a, "/rooms")
            .form(&[("name", "Cy")])
            .send()
            .await
            .expect("create");
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
    let made = post(&client(), a, "/rooms")
        .form(&[("name", "Ann")])
        .send()
        .await
        .expect("rooms");
    assert_eq!(made.status(), 303);
    let (status, body) = {
        let res = post(&client(), b, "/rooms")
            .form(&[("name", "Bob")])
            .send()
            .await
            .expect("rooms");
        (res.status(), res.text().await.expect("body"))
    };
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("Too many private rooms are open"), "{body}");
    // Sessions: three people and Ann and Bob were five; one more, then none.
    let one = post(&client(), b, "/join")
        .form(&[("name", "Cy"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(one.status(), 303);
    let refused = post(&client(), a, "/join")
        .form(&[("name", "Dee"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(refused.status(), 429);
}

#[tokio::test]
async fn through_nginx_as_the_readme_sets_it_up_two_servers_are_one_site() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let Some(site) = Nginx::start(&c.nodes).await else {
        return;
    };
    let (ann, mut anns) = member(&site, "Ann", "general").await;
    let (bob, mut bobs) = member(&site, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(&site, "general", "through nginx").await;
    bobs.until(">through nginx<").await;
    // A browser that sends only `Origin` is let in too: `Host` is passed on.
    let res = bob
        .http
        .post(site.url("/r/general/messages"))
        .header("origin", site.origin())
        .header("hx-request", "true")
        .form(&[("text", "and back")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    anns.until(">and back<").await;
    // The no-JavaScript log document streams through it as well.
    let (_, mut doc) = Growing::open(&bob.http, &site.url("/r/general/log")).await;
    ann.say(&site, "general", "into the frame").await;
    doc.until(">into the frame<").await;
    let page = get_text(&ann.http, &site.url("/r/general")).await;
    let share = format!(r#"value="{}/r/general""#, site.origin());
    assert!(
        page.contains(&share),
        "the share link names the site: {page}"
    );
    // Strangers meet through it, the no-JavaScript waiting document too.
    let cy = queue_for_stranger(&site, "Cy").await;
    let (_, mut cy_waits) = Growing::open(&cy, &site.url("/pair/wait")).await;
    let dee = queue_for_stranger(&site, "Dee").await;
    let (_, mut dee_waits) = Sse::open(&dee, &site.url("/pair/events"), None).await;
    let link = cy_waits.until("</a>").await;
    let heard = dee_waits.until("A stranger is here").await;
    let room = room_in(&heard.last().expect("the match").data);
    assert!(link.contains(&format!(r#"href="{room}""#)), "{link}");
    let spread = site.access_log();
    for node in &c.nodes {
        assert!(
            spread.contains(&node.addr.to_string()),
            "none to {}: {spread}",
            node.addr
        );
    }
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
#[path = "cluster/nojs.rs"]
mod nojs;
