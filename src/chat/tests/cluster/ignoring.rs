//! A person's own filter across servers: an ignore made through one server
//! filters the ignorer's stream open on another at once and after a resume
//! elsewhere; a mute made through one hides on every other.

use super::*;

/// The texts of the frames `sub`'s reader is shown, until one reads `wanted`.
async fn shown(sub: &mut Subscription, wanted: &str) -> Vec<String> {
    let mut got = Vec::new();
    while let Ok(Ok(frame)) = tokio::time::timeout(Duration::from_secs(30), sub.rx.recv()).await {
        if !sub.view.borrow().shows(&frame) {
            continue;
        }
        let text = String::from_utf8_lossy(&frame.sse).into_owned();
        let done = text == wanted;
        got.push(text);
        if done {
            break;
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ignore_made_on_one_server_filters_the_stream_open_on_another() {
    let Some((_kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob, cat) = (member("Ann"), member("Bob"), member("Cat"));
    for who in [&bob, &cat] {
        a.enter(&general(), who).await.expect("enter on A");
    }
    let mut anns = listen(b, &ann).await;
    a.ignore(&ann, &bob.author()).await.expect("ignore on A");
    let told = anns.view.wait_for(|v| v.ignored.contains(&bob.seed));
    let told = tokio::time::timeout(Duration::from_secs(30), told).await;
    assert!(matches!(told, Ok(Ok(_))), "B heard of it");
    drop(told);
    a.post(&general(), bob.id, say("b1")).await.expect("post");
    a.post(&general(), cat.id, say("c1")).await.expect("post");
    let heard = shown(&mut anns, "Cat: c1").await;
    assert_eq!(heard.last().map(String::as_str), Some("Cat: c1"));
    assert!(!heard.contains(&"Bob: b1".to_owned()), "{heard:?}");

    // The stream resumes on A from before Bob spoke: still filtered.
    let resumed = a
        .subscribe(&general(), ann.id, Some(EventId::start(0)))
        .await
        .expect("resume on A");
    let page = a.enter(&general(), &ann).await.expect("page on A");
    assert!(log_texts(&page).iter().all(|t| !t.contains("Bob: ")));
    let whole = format!("resync {}", page.items.len());
    assert_eq!(String::from_utf8_lossy(&resumed.backlog[0].sse), whole);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mute_made_on_one_server_hides_on_another() {
    let Some((kit, stores)) = cluster(2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(b, &ann).await;
    let mut bobs = listen(b, &bob).await;
    let until = kit.clock.now_utc() + Duration::from_secs(60);
    a.mute(bob.id, Some(until)).await.expect("mute on A");
    b.post(&general(), bob.id, say("quiet"))
        .await
        .expect("post on B");
    a.post(&general(), ann.id, say("a1"))
        .await
        .expect("post on A");
    let heard = shown(&mut anns, "Ann: a1").await;
    assert!(!heard.contains(&"Bob: quiet".to_owned()), "{heard:?}");
    let own = shown(&mut bobs, "Ann: a1").await;
    assert!(own.contains(&"Bob: quiet".to_owned()), "{own:?}");
}
