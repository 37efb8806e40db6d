//! The tab title of whom a message mentions says so: their own stream sends
//! the mention title after that message, nobody else's does.

use super::*;
use crate::common::sse::Event;

const MENTIONED: &str = "(@) You were mentioned";

/// Whether the message right after the one holding `said` is the mention
/// title, in what a stream heard.
fn title_follows(heard: &[Event], said: &str) -> bool {
    let Some(at) = heard.iter().position(|e| e.data.contains(said)) else {
        panic!("{said:?} never arrived: {heard:?}");
    };
    heard
        .get(at + 1)
        .is_some_and(|next| next.data.contains(&format!("<title>{MENTIONED}")))
}

#[tokio::test]
async fn only_the_mentioned_readers_stream_carries_the_mention_title() {
    let server = spawn_app(&[]).await;
    let (ann, mut anns) = member(&server, "Ann", "general").await;
    let (_bob, mut bobs) = member(&server, "Bob", "general").await;
    let (_cat, mut cats) = member(&server, "Cat", "general").await;
    anns.until("Cat joined").await;
    ann.say(&server, "general", "hello @bob").await;
    ann.say(&server, "general", "and no one").await;

    let bob_heard = bobs.until("and no one").await;
    assert!(title_follows(&bob_heard, "hello <span"), "{bob_heard:?}");
    let mention_titles = bob_heard
        .iter()
        .filter(|e| e.data.contains(MENTIONED))
        .count();
    assert_eq!(mention_titles, 1, "once, after the message: {bob_heard:?}");
    assert!(
        bob_heard
            .iter()
            .any(|e| e.data.contains("# general · livechat")),
        "the title names the room: {bob_heard:?}"
    );
    for heard in [
        cats.until("and no one").await,
        anns.until("and no one").await,
    ] {
        assert!(
            !heard.iter().any(|e| e.data.contains(MENTIONED)),
            "neither the others nor the author: {heard:?}"
        );
    }
}

#[tokio::test]
async fn a_stream_resumed_after_a_mention_still_carries_the_mention_title() {
    let server = spawn_app(&[]).await;
    let (ann, mut anns) = member(&server, "Ann", "general").await;
    let bob = enter(&server, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(&server, "general", "are you there @Bob").await;
    // Bob's page, loaded before the message, opens its stream after it.
    let mut bobs = bob.stream(&server, "general").await;
    let heard = bobs.until("are you there").await;
    let more = bobs.until_within(MENTIONED, Duration::from_secs(3)).await;
    assert!(
        more.iter().any(|e| e.data.contains(MENTIONED)),
        "{heard:?} {more:?}"
    );
}
