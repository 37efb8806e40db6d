//! A Redis Cluster master failing over to its replica while people chat
//! across two servers: chat resumes on the replica, streams stay live, and
//! nothing acknowledged that had reached the replica is lost. (Replication
//! is asynchronous: a post acknowledged in the moment before its master
//! dies may not have reached the replica, and is lost with the master.)

use super::redis::{keep_posting, say_once_back};
use super::*;
use common::cluster::failover_cluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_failing_over_to_its_replica_mid_chat_keeps_chat_going_and_loses_nothing_replicated()
 {
    // Both people are on one address: its budget must not be what refuses.
    let flags = [
        "--rate-messages",
        "10000",
        "--address-messages",
        "100000",
        "--history",
        "1000",
    ];
    let Some(mut c) = failover_cluster(2, &flags).await else {
        return;
    };
    let (ann, anns) = member(c.node(0), "Ann", "general").await;
    let (bob, bobs) = member(c.node(1), "Bob", "general").await;
    drop((anns, bobs));
    let urls = |p: &Person| c.nodes.iter().map(|n| p.stream_url(n, "general")).collect();
    let mut ann_tab = Tab::open(&ann.http, urls(&ann)).await;
    let mut bob_tab = Tab::open(&bob.http, urls(&bob)).await;
    let (a, b) = (&c.nodes[0], &c.nodes[1]);
    // They chat, one on each server, and everything reaches the replica.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stopping = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let _ = stop.send(true);
    };
    let ((ann_before, ann_no), (bob_before, bob_no), ()) = tokio::join!(
        keep_posting(&ann, a, "ann-", stopped.clone()),
        keep_posting(&bob, b, "bob-", stopped.clone()),
        stopping
    );
    assert!(
        ann_no.is_empty() && bob_no.is_empty(),
        "{ann_no:?} {bob_no:?}"
    );
    let master = c.redis.master_of("general");
    c.redis.until_replicated(master).await;
    // The master of #general's slot dies; they keep trying to chat.
    c.redis.kill_node(master);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let failing = async {
        say_once_back(&ann, a, "general", "after").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = stop.send(true);
    };
    let ((ann_during, ann_refused), (bob_during, bob_refused), ()) = tokio::join!(
        keep_posting(&ann, a, "ann-x", stopped.clone()),
        keep_posting(&bob, b, "bob-x", stopped.clone()),
        failing
    );
    assert_ne!(
        c.redis.master_of("general"),
        master,
        "the replica took over"
    );
    // Streams are live: what is said now reaches both pages at once.
    let mut bob_got = bob_tab.until(">after<", RECOVER).await;
    bob.say(b, "general", "back").await;
    bob_got.extend(bob_tab.until(">back<", RECOVER).await);
    ann_tab.until(">back<", RECOVER).await;
    for text in bob_during.iter().chain(&ann_during) {
        assert!(told(&bob_got, text) <= 1, "{text} twice: {bob_got:#?}");
    }
    let taken: Vec<&String> = ann_before
        .iter()
        .chain(&bob_before)
        .chain(&ann_during)
        .chain(&bob_during)
        .collect();
    for node in [a, b] {
        let view = room_view(&ann.http, node, "general").await;
        for text in &taken {
            assert_eq!(
                in_history(&view, text),
                1,
                "{text} on {}: {view:#?}",
                node.addr
            );
        }
        for text in ["after", "back"] {
            assert_eq!(in_history(&view, text), 1, "{text}: {view:#?}");
        }
        // In flight as the master died: kept at most once.
        for text in ann_refused.iter().chain(&bob_refused) {
            assert!(in_history(&view, text) <= 1, "{text}: {view:#?}");
        }
        for text in ["Ann left", "Bob left"] {
            assert_eq!(in_history(&view, text), 0, "their pages stayed open");
        }
    }
}
