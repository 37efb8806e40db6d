//! A deletion made on one server, as every other server reads it: on a
//! stream open there, and in the log of a server that never saw the message
//! (whose entry, and text, are gone from Redis).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_on_one_server_reaches_the_others_in_its_place() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(a, &ann).await;
    let mut bobs = listen(b, &bob).await;
    a.post(&general(), ann.id, say("a secret"))
        .await
        .expect("post on A");
    hear(&mut bobs.rx, "Ann: a secret").await;
    let id = a.enter(&general(), &ann).await.expect("reload").last;
    b.post(&general(), bob.id, say("after it"))
        .await
        .expect("post on B");
    hear(&mut anns.rx, "Bob: after it").await;
    a.delete(&general(), id, Deleter::Author(ann.id))
        .await
        .expect("deleted on A");
    let got = hear(&mut bobs.rx, "Ann: [deleted]").await;
    assert_eq!(got.last().map(String::as_str), Some("Ann: [deleted]"));

    // A server that never read the room: the message stands deleted in
    // its place, numbered as everywhere.
    let c = kit
        .redis_store(kit.settings(200, 50, 1000), Arc::new(Plain))
        .await;
    let cy = member("Cy");
    let on_c = c.enter(&general(), &cy).await.expect("enter on C");
    let on_b = b.enter(&general(), &bob).await.expect("reload on B");
    let items = |snap: &Snapshot| -> Vec<(EventId, String)> {
        snap.items
            .iter()
            .filter(|f| f.kind == FrameKind::Log)
            .map(|f| (f.id, String::from_utf8_lossy(&f.html).into_owned()))
            .collect()
    };
    let (on_b, on_c) = (items(&on_b), items(&on_c));
    assert!(
        on_b.contains(&(id, "Ann: [deleted]".to_owned())),
        "{on_b:?}"
    );
    assert_eq!(on_c[..on_b.len()], on_b[..], "one history on every server");
    let said = c.message(&general(), id).await.expect("read on C");
    assert_eq!(said.map(|m| (m.text, m.member)), Some((None, ann.id)));
    let url = kit.redis.as_ref().expect("a redis kit").url();
    let mut conn = crate::chat::redis::testing::connect(&url);
    // The room's log (`redis::keys::log`).
    let stream: Vec<(String, Vec<String>)> = ::redis::cmd("XRANGE")
        .arg("lc:{general}:s")
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .expect("read the stream");
    assert!(stream.len() >= 3, "{stream:?}");
    assert!(
        stream
            .iter()
            .flat_map(|(_, fields)| fields)
            .all(|field| !field.contains("secret")),
        "the text is gone from Redis: {stream:?}"
    );
}

/// A room that lives for ever forgets the deletions its log has let go:
/// what Redis keeps of them stays as small as the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletions_are_forgotten_with_the_log_entries_they_stand_for() {
    let Some(kit) = Kit::redis() else {
        return;
    };
    let a = kit
        .redis_store(kit.settings(3, 50, 100_000), Arc::new(Plain))
        .await;
    let ann = member("Ann");
    let mut anns = listen(&a, &ann).await;
    for n in 0..300 {
        a.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("post");
        let got = hear(&mut anns.rx, &format!("Ann: m{n}")).await;
        assert!(!got.is_empty());
        let id = a.enter(&general(), &ann).await.expect("reload").last;
        a.delete(&general(), id, Deleter::Author(ann.id))
            .await
            .expect("deleted");
    }
    let url = kit.redis.as_ref().expect("a redis kit").url();
    let mut conn = crate::chat::redis::testing::connect(&url);
    // The room's deleted messages and its log (`redis::keys`).
    let kept: usize = ::redis::cmd("HLEN")
        .arg("lc:{general}:x")
        .query_async(&mut conn)
        .await
        .expect("HLEN");
    let log: usize = ::redis::cmd("XLEN")
        .arg("lc:{general}:s")
        .query_async(&mut conn)
        .await
        .expect("XLEN");
    assert!(
        kept <= log && kept < 300,
        "{kept} deletions kept, {log} entries"
    );
}
