//! A person's own filter, on both stores: whom a session ignores never
//! reaches it (their messages and the notices naming them alone) in its
//! stream, its page loads or a resync, whatever name they take; a muted
//! session's messages reach only itself until the mute runs out.

use super::*;

/// What a stream sends its reader, as `http::live` does: every frame its
/// view shows, until one reads `wanted` (or nothing comes for a long while).
async fn hear_as(sub: &mut Subscription, wanted: &str) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), sub.rx.recv()).await {
            Ok(Ok(frame)) => {
                if !sub.view.borrow().shows(&frame) {
                    continue;
                }
                let text = String::from_utf8_lossy(&frame.sse).into_owned();
                let done = text == wanted;
                got.push(text);
                if done {
                    return got;
                }
            }
            Ok(Err(RecvError::Lagged(_))) => got.push("LAGGED".into()),
            _ => return got,
        }
    }
}

/// Waits until `sub`'s view says whether it ignores `seed` as `ignoring`
/// (at once in memory; on Redis once pub/sub has told this server).
async fn ignoring(sub: &mut Subscription, seed: &Seed, ignoring: bool) {
    let seen = sub.view.wait_for(|v| v.ignored.contains(seed) == ignoring);
    let changed = tokio::time::timeout(Duration::from_secs(30), seen).await;
    assert!(matches!(changed, Ok(Ok(_))), "the open stream follows");
}

async fn people(chat: &dyn Store) -> (Member, Member, Member) {
    let (ann, bob, cat) = (member("Ann"), member("Bob"), member("Cat"));
    for who in [&ann, &bob, &cat] {
        chat.enter(&general(), who).await.expect("enter");
    }
    (ann, bob, cat)
}

async fn an_ignored_persons_messages_and_notices_never_reach_the_ignorer_even_renamed(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cat) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    let mut cats = listen(&*chat, &cat).await;
    let bob_here = chat.person(&general(), &bob.seed).await.expect("look-up");
    let bob_here = bob_here.expect("Bob is present");
    assert_eq!((bob_here.member, &bob_here.author), (bob.id, &bob.author()));
    chat.ignore(&ann, &bob.author()).await.expect("ignore");
    ignoring(&mut anns, &bob.seed, true).await;
    assert_eq!(chat.ignored(ann.id).await, Ok(vec![bob.author()]));

    chat.post(&general(), bob.id, say("b1"))
        .await
        .expect("post");
    let bobby = Name::parse("Bobby", 32).expect("name");
    chat.rename(bob.id, &bobby).await.expect("rename");
    chat.post(&general(), bob.id, say("b2"))
        .await
        .expect("post");
    chat.post(&general(), cat.id, say("c1"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Cat: c1").await;
    assert_eq!(
        heard.last().map(String::as_str),
        Some("Cat: c1"),
        "{heard:?}"
    );
    assert!(
        heard.iter().all(|t| !t.contains("Bob")),
        "nothing of Bob, before or after his rename: {heard:?}"
    );
    let others = hear_as(&mut cats, "Cat: c1").await;
    assert!(others.contains(&"Bobby: b2".to_owned()), "{others:?}");
    assert!(
        others.contains(&"renamed Bob Bobby".to_owned()),
        "{others:?}"
    );

    // A page load, and a stream that starts with the whole log.
    let page = chat.enter(&general(), &ann).await.expect("reload");
    let texts = log_texts(&page);
    assert!(texts.contains(&"Cat: c1".to_owned()), "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains("Bob")), "{texts:?}");
    let whole = chat.subscribe(&general(), ann.id, None).await.expect("sub");
    let cat_page = chat.enter(&general(), &cat).await.expect("reload");
    let ann_resync = format!("resync {}", page.items.len());
    assert_eq!(String::from_utf8_lossy(&whole.backlog[0].sse), ann_resync);
    assert!(cat_page.items.len() > page.items.len(), "Cat sees Bob");
    let (frame, _) = chat
        .resync(&general(), &whole.view.borrow().clone())
        .await
        .expect("resync");
    assert_eq!(String::from_utf8_lossy(&frame.sse), ann_resync);

    // Ignored and gone, then back in with the same session: still ignored.
    chat.leave(&general(), bob.id).await.expect("leave");
    chat.enter(&general(), &bob).await.expect("back");
    chat.post(&general(), bob.id, say("b3"))
        .await
        .expect("post");
    chat.post(&general(), cat.id, say("c2"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Cat: c2").await;
    assert!(heard.iter().all(|t| !t.contains("Bob")), "{heard:?}");
}

async fn one_who_stops_ignoring_hears_them_again(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, _) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    chat.ignore(&ann, &bob.author()).await.expect("ignore");
    ignoring(&mut anns, &bob.seed, true).await;
    chat.unignore(ann.id, &bob.seed).await.expect("unignore");
    ignoring(&mut anns, &bob.seed, false).await;
    assert_eq!(chat.ignored(ann.id).await, Ok(Vec::new()));
    chat.post(&general(), bob.id, say("back"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Bob: back").await;
    assert_eq!(heard.last().map(String::as_str), Some("Bob: back"));
}

async fn nobody_may_ignore_themselves_and_a_person_is_found_only_when_present(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, _) = people(&*chat).await;
    assert_eq!(
        chat.ignore(&ann, &ann.author()).await,
        Err(ChatError::IgnoreSelf)
    );
    assert_eq!(chat.ignored(ann.id).await, Ok(Vec::new()));
    chat.leave(&general(), bob.id).await.expect("leave");
    let gone = chat.person(&general(), &bob.seed).await.expect("look-up");
    assert_eq!(gone, None);
    let nobody = chat.person(&general(), &Seed::random()).await;
    assert_eq!(nobody, Ok(None));
}

async fn a_muted_persons_messages_reach_only_them_until_the_mute_runs_out(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, _) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    let mut bobs = listen(&*chat, &bob).await;
    let until = kit.clock.now_utc() + Duration::from_secs(60);
    chat.mute(bob.id, Some(until)).await.expect("mute");
    chat.post(&general(), bob.id, say("quiet"))
        .await
        .expect("post");
    chat.post(&general(), ann.id, say("a1"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Ann: a1").await;
    assert!(!heard.contains(&"Bob: quiet".to_owned()), "{heard:?}");
    let own = hear_as(&mut bobs, "Ann: a1").await;
    assert!(own.contains(&"Bob: quiet".to_owned()), "not told: {own:?}");
    let anns_page = log_texts(&chat.enter(&general(), &ann).await.expect("reload"));
    let bobs_page = log_texts(&chat.enter(&general(), &bob).await.expect("reload"));
    assert!(
        !anns_page.contains(&"Bob: quiet".to_owned()),
        "{anns_page:?}"
    );
    assert!(
        bobs_page.contains(&"Bob: quiet".to_owned()),
        "{bobs_page:?}"
    );

    kit.pass(Duration::from_secs(61)).await;
    chat.post(&general(), bob.id, say("loud"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Bob: loud").await;
    assert_eq!(heard.last().map(String::as_str), Some("Bob: loud"));
}

async fn a_mute_lifted_early_ends_at_once(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, _) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    let until = kit.clock.now_utc() + Duration::from_secs(3600);
    chat.mute(bob.id, Some(until)).await.expect("mute");
    chat.mute(bob.id, None).await.expect("unmute");
    chat.post(&general(), bob.id, say("free"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Bob: free").await;
    assert_eq!(heard.last().map(String::as_str), Some("Bob: free"));
}

async fn a_blocked_stranger_is_never_paired_with_the_blocker_again(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy, dan) = (member("Ann"), member("Bob"), member("Cy"), member("Dan"));
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(code)) = chat.queue(&bob).await else {
        panic!("Ann and Bob are paired");
    };
    assert_eq!(
        chat.block(cy.id, &code).await,
        Err(ChatError::NotMember),
        "only one of the pair may block"
    );
    assert_eq!(
        chat.block(ann.id, &general()).await,
        Err(ChatError::NotMember)
    );
    chat.block(ann.id, &code).await.expect("block");
    chat.leave(&code, ann.id).await.expect("leave");
    assert_eq!(chat.queue(&ann).await, Ok(Pairing::Waiting));
    assert_eq!(chat.queue(&bob).await, Ok(Pairing::Waiting), "not with Ann");
    assert_eq!(chat.stats().await.queue, 2);
    // The next one comes: paired with the longest waiting who may be.
    let Ok(Pairing::Matched(with_cy)) = chat.queue(&cy).await else {
        panic!("Cy is paired");
    };
    assert_eq!(chat.pairing(ann.id).await, Some(Pairing::Matched(with_cy)));
    assert_eq!(chat.pairing(bob.id).await, Some(Pairing::Waiting));
    let Ok(Pairing::Matched(with_dan)) = chat.queue(&dan).await else {
        panic!("Dan is paired");
    };
    assert_eq!(chat.pairing(bob.id).await, Some(Pairing::Matched(with_dan)));
}

async fn a_mute_however_far_off_holds(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, _) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    let far = time::macros::datetime!(9999-12-31 23:59 UTC);
    chat.mute(bob.id, Some(far)).await.expect("mute");
    chat.post(&general(), bob.id, say("hush"))
        .await
        .expect("post");
    chat.post(&general(), ann.id, say("a1"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Ann: a1").await;
    assert!(!heard.contains(&"Bob: hush".to_owned()), "{heard:?}");
}

/// Posts `text` as `who`, and the id `sub` hears it by.
async fn posted(chat: &dyn Store, sub: &mut Subscription, who: &Member, text: &str) -> EventId {
    chat.post(&general(), who.id, say(text))
        .await
        .expect("post");
    let wanted = format!("{}: {text}", who.name);
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(60), sub.rx.recv())
            .await
            .expect("heard in time")
            .expect("the room goes on");
        if frame.sse == wanted.as_bytes() {
            return frame.id;
        }
    }
}

async fn a_deletion_reaches_only_whom_its_message_reached(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cat) = people(&*chat).await;
    let mut anns = listen(&*chat, &ann).await;
    let mut cats = listen(&*chat, &cat).await;
    chat.ignore(&ann, &bob.author()).await.expect("ignore");
    ignoring(&mut anns, &bob.seed, true).await;
    let said = posted(&*chat, &mut cats, &bob, "b1").await;
    chat.delete(&general(), said, Deleter::Author(bob.id))
        .await
        .expect("delete");
    // Cat, who was shown the message, is shown its deletion.
    let heard = hear_as(&mut cats, "Bob: [deleted]").await;
    assert_eq!(heard.last().map(String::as_str), Some("Bob: [deleted]"));

    // A muted message's deletion reaches its author alone, as it did.
    let until = kit.clock.now_utc() + Duration::from_secs(600);
    chat.mute(cat.id, Some(until)).await.expect("mute");
    let quiet = posted(&*chat, &mut cats, &cat, "quiet").await;
    chat.delete(&general(), quiet, Deleter::Author(cat.id))
        .await
        .expect("delete");
    let heard = hear_as(&mut cats, "Cat: [deleted]").await;
    assert_eq!(heard.last().map(String::as_str), Some("Cat: [deleted]"));

    chat.post(&general(), ann.id, say("a1"))
        .await
        .expect("post");
    let heard = hear_as(&mut anns, "Ann: a1").await;
    assert_eq!(heard.last().map(String::as_str), Some("Ann: a1"));
    assert!(
        heard
            .iter()
            .all(|t| !t.contains("Bob") && !t.contains("Cat")),
        "neither the ignored one's deletion nor a muted one's: {heard:?}"
    );
}

on_both_stores!(
    a_deletion_reaches_only_whom_its_message_reached,
    a_mute_however_far_off_holds,
    a_blocked_stranger_is_never_paired_with_the_blocker_again,
    an_ignored_persons_messages_and_notices_never_reach_the_ignorer_even_renamed,
    one_who_stops_ignoring_hears_them_again,
    nobody_may_ignore_themselves_and_a_person_is_found_only_when_present,
    a_muted_persons_messages_reach_only_them_until_the_mute_runs_out,
    a_mute_lifted_early_ends_at_once,
);

/// Fresh sessions cannot fill one server's memory with ignore lists: the
/// list changed longest ago goes past `rules::KEPT_LISTS`.
#[tokio::test(start_paused = true)]
async fn one_servers_memory_keeps_the_lists_changed_last() {
    let chat = Kit::memory().store().await;
    let (ann, bob, _) = people(&*chat).await;
    chat.ignore(&ann, &bob.author()).await.expect("ignore");
    for _ in 0..rules::KEPT_LISTS {
        chat.ignore(&member("Any"), &bob.author())
            .await
            .expect("ignore");
    }
    assert_eq!(chat.ignored(ann.id).await, Ok(Vec::new()));
}
