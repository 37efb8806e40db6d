//! Messages between members: heard live, paced per member, rendered once
//! whoever listens.

use super::*;

async fn two_members_hear_each_other_live(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut sub = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    chat.post(&general(), bob.id, say("hi Ann"))
        .await
        .expect("post");
    let got = drain(&mut sub.rx);
    assert!(got.contains(&"joined Bob +0".to_owned()), "{got:?}");
    assert!(got.contains(&"Bob: hi Ann".to_owned()), "{got:?}");
}

async fn posting_too_fast_is_refused_until_the_window_passes(kit: Kit) {
    let chat = kit.store_with(200, 50, 3).await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let _present = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("subscribe");
    for n in 0..3 {
        chat.post(&general(), ann.id, say(&format!("m{n}")))
            .await
            .expect("within the limit");
    }
    let refused = chat.post(&general(), ann.id, say("one too many")).await;
    assert!(matches!(refused, Err(ChatError::TooFast(_))), "{refused:?}");
    kit.pass(kit.rate_window).await;
    chat.post(&general(), ann.id, say("later"))
        .await
        .expect("window passed");
}

async fn each_message_is_rendered_once_whoever_listens(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let mut streams = Vec::new();
    for _ in 0..50 {
        streams.push(
            chat.subscribe(&general(), ann.id, None)
                .await
                .expect("subscribe"),
        );
    }
    let before = chat.stats().await.renders;
    post_numbered(&*chat, &ann, 10).await;
    assert_eq!(chat.stats().await.renders - before, 10);
}

on_both_stores!(
    two_members_hear_each_other_live,
    posting_too_fast_is_refused_until_the_window_passes,
    each_message_is_rendered_once_whoever_listens,
);
