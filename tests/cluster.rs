//! Several livechat servers sharing one Redis, driven over HTTP as browsers
//! behind a round-robin load balancer would be: no request needs to reach
//! the server an earlier one reached. Needs `redis-server` (skipped loudly
//! without it, a failure under `CI=true`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::cluster::{Cluster, Nginx, Node, cluster, durable_cluster};
use common::people::{
    Person, Site, enter, enter_with, member, post, post_form, post_see_other, queue_for_stranger,
    room_in, sent_to,
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
        // Join and leave notices are also `presence` (a reader may hide them).
        .filter(|li| {
            li.starts_with("msg\"")
                || li.starts_with("notice\"")
                || li.starts_with("notice presence\"")
        })
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
    let res = post_form(http, node, "/join", &[("name", name), ("code", code)]).await;
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

#[path = "cluster/console.rs"]
mod console;
#[path = "cluster/deleting.rs"]
mod deleting;
#[path = "cluster/failover.rs"]
mod failover;
#[path = "cluster/ignoring.rs"]
mod ignoring;
#[path = "cluster/limits.rs"]
mod limits;
#[path = "cluster/looks.rs"]
mod looks;
#[path = "cluster/mentions.rs"]
mod mentions;
#[path = "cluster/names.rs"]
mod names;
#[path = "cluster/nginx.rs"]
mod nginx;
#[path = "cluster/nojs.rs"]
mod nojs;
#[path = "cluster/owners.rs"]
mod owners;
#[path = "cluster/reading.rs"]
mod reading;
#[path = "cluster/redis.rs"]
mod redis;
#[path = "cluster/rooms.rs"]
mod rooms;
#[path = "cluster/strangers.rs"]
mod strangers;
