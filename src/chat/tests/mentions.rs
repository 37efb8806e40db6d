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

on_both_stores!(
    a_mention_of_someone_present_is_marked_and_of_someone_absent_is_not,
    someone_who_left_is_no_longer_mentioned,
);
