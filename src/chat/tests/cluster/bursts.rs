//! Many asks of one room's log at once (posts, pub/sub notices, streams
//! opening): the server reads the log far fewer times than it is asked,
//! yet each ask is answered with everything Redis held when it was made,
//! in order, once.

use super::*;

/// Log items of `texts` that are messages, in the order heard.
fn messages(texts: &[String]) -> Vec<String> {
    texts
        .iter()
        .filter(|t| t.contains(": m"))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_made_at_once_are_read_together_and_reach_every_server_in_order_once() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(a, &ann).await;
    let mut bobs = listen(b, &bob).await;
    let posters: Vec<Member> = (0..40).map(|n| member(&format!("P{n}"))).collect();
    for poster in &posters {
        a.enter(&general(), poster).await.expect("enter on A");
    }
    // What the joins sent, heard on both servers before the burst.
    let last = format!("joined {} +0", posters[39].name);
    hear(&mut anns.rx, &last).await;
    hear(&mut bobs.rx, &last).await;
    let before = a.log_reads(&general());

    let mut burst = tokio::task::JoinSet::new();
    for (n, poster) in posters.iter().enumerate() {
        let (store, id) = (a.clone(), poster.id);
        burst.spawn(async move { store.post(&general(), id, say(&format!("m{n}"))).await });
    }
    while let Some(posted) = burst.join_next().await {
        posted.expect("no panic").expect("posted");
    }
    // Every post returned: each is delivered on its own server by then,
    // without waiting for pub/sub.
    let on_a: Vec<Frame> = std::iter::from_fn(|| anns.rx.try_recv().ok()).collect();
    let heard_a = messages(&texts(&on_a));
    assert_eq!(heard_a.len(), 40, "each once: {heard_a:?}");
    let unique: std::collections::HashSet<&String> = heard_a.iter().collect();
    assert_eq!(unique.len(), 40, "no message twice: {heard_a:?}");
    let ids: Vec<EventId> = on_a
        .iter()
        .filter(|f| f.kind == FrameKind::Log)
        .map(|f| f.id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    let reads = a.log_reads(&general()) - before;
    assert!(
        reads < 30,
        "40 posts and their notices were read in {reads} reads: asks made at once share one"
    );

    // The other server hears the same messages in the same order.
    let mut heard_b = Vec::new();
    while heard_b.len() < 40 {
        let got = tokio::time::timeout(Duration::from_secs(30), bobs.rx.recv())
            .await
            .expect("B hears every message")
            .expect("B keeps up");
        heard_b.extend(messages(&texts(&[got])));
    }
    assert_eq!(heard_b, heard_a, "one order on every server");
    let on_b = b.enter(&general(), &bob).await.expect("reload on B");
    let on_a = a.enter(&general(), &ann).await.expect("reload on A");
    assert_eq!(log_texts(&on_a), log_texts(&on_b), "one history");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_opened_at_once_each_get_exactly_their_gap() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let ann = member("Ann");
    let snap = a.enter(&general(), &ann).await.expect("enter on A");
    let people: Vec<Member> = (0..30).map(|n| member(&format!("R{n}"))).collect();
    let mut lasts = Vec::new();
    for person in &people {
        lasts.push(b.enter(&general(), person).await.expect("enter on B").last);
    }
    post_numbered(a, &ann, 5).await;
    let end = a.enter(&general(), &ann).await.expect("reload on A").last;
    assert!(end > snap.last);
    // Every page resumes on B at once, each from where it was.
    let mut resumes = tokio::task::JoinSet::new();
    for (person, last) in people.iter().zip(lasts) {
        let (store, id) = (b.clone(), person.id);
        resumes.spawn(async move {
            let sub = store.subscribe(&general(), id, Some(last)).await;
            (last, sub)
        });
    }
    while let Some(resumed) = resumes.join_next().await {
        let (last, sub) = resumed.expect("no panic");
        let sub = sub.expect("resumed");
        let ids: Vec<EventId> = sub
            .backlog
            .iter()
            .filter(|f| f.kind == FrameKind::Log)
            .map(|f| f.id)
            .collect();
        assert_eq!(
            ids.first().map(|id| id.seq),
            Some(last.seq + 1),
            "from its gap"
        );
        assert_eq!(ids.last(), Some(&end), "up to the end: {ids:?}");
        assert!(
            ids.windows(2).all(|w| w[1].seq == w[0].seq + 1),
            "none missed: {ids:?}"
        );
        assert_eq!(
            messages(&texts(&sub.backlog)).len(),
            5,
            "every message once"
        );
    }
}
