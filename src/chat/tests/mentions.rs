//! Mentions: `@Name` of someone present when the message is numbered is
//! marked with who they are, the same on every store (on Redis, carried in
//! the entry so every server renders the same); anyone else's is text.

use super::*;

async fn a_mention_of_someone_present_is_marked_and_of_someone_absent_is_not(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, otter) = (member("Ann"), member("Bob"), member("Quiet Otter"));
    let mut sub = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    chat.enter(&general(), &otter).await.expect("enter");
    let text = "hi @BOB, @Quiet Otter and @Cy";
    chat.post(&general(), ann.id, say(text))
        .await
        .expect("post");
    let marked = format!(
        "Ann: {text} [@Bob,Quiet Otter {},{}]",
        bob.seed.as_str(),
        otter.seed.as_str()
    );
    let got = drain(&mut sub.rx);
    assert!(got.contains(&marked), "{got:?}");
}

async fn someone_who_left_is_no_longer_mentioned(kit: Kit) {
    let chat = kit.store().await;
    let (ann, cy) = (member("Ann"), member("Cy"));
    let mut sub = listen(&*chat, &ann).await;
    chat.enter(&general(), &cy).await.expect("enter");
    chat.leave(&general(), cy.id).await.expect("leave");
    chat.post(&general(), ann.id, say("@Cy are you there?"))
        .await
        .expect("post");
    let got = drain(&mut sub.rx);
    assert!(
        got.contains(&"Ann: @Cy are you there?".to_owned()),
        "{got:?}"
    );
}

async fn a_messages_frame_says_whom_it_mentions_for_their_streams(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let mut sub = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    chat.enter(&general(), &cy).await.expect("enter");
    chat.post(&general(), ann.id, say("@bob and @Ann"))
        .await
        .expect("post");
    let mut said = None;
    while let Ok(frame) = sub.rx.try_recv() {
        if frame.kind == FrameKind::Log && frame.reach.whose.as_ref() == Some(&ann.seed) {
            said = Some(frame);
        }
    }
    let said = said.expect("the message's frame");
    assert_eq!(*said.reach.mentions, [bob.seed.clone(), ann.seed.clone()]);
    let view = |who: &Member| crate::chat::ignore::View::of(who.seed.clone());
    assert!(view(&bob).mentioned(&said), "Bob's stream says so");
    assert!(!view(&cy).mentioned(&said), "Cy's does not");
    assert!(!view(&ann).mentioned(&said), "nor its author's");
}

on_both_stores!(
    a_messages_frame_says_whom_it_mentions_for_their_streams,
    a_mention_of_someone_present_is_marked_and_of_someone_absent_is_not,
    someone_who_left_is_no_longer_mentioned,
);
