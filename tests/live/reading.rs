//! Over a real socket: random chat's typing line reaches the other
//! stranger's stream (never the typer's) and their next message clears it;
//! what a stream delivered counts as seen on the next page load, noted
//! while it runs (at most every 2 s) and when it ends.

use super::*;
use common::people::post;
use common::{after_id, say};

const TYPING: &str = r##"<hx-partial hx-target="#typing" hx-swap="innerHTML"><span class="typing"><bdi>Ann</bdi> is typing…</span></hx-partial>"##;
const CLEARED: &str = r##"<hx-partial hx-target="#typing" hx-swap="innerHTML"></hx-partial>"##;

/// The stream of `room`'s page as `http` loads it.
async fn page_stream(http: &reqwest::Client, server: &common::TestServer, room: &str) -> Sse {
    let page = get_text(http, &server.url(room)).await;
    let url = server.url(&format!("{room}/events?after={}", after_id(&page)));
    Sse::open(http, &url, None).await.1
}

#[tokio::test]
async fn the_other_stranger_hears_typing_the_typer_does_not_and_the_message_clears_it() {
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let bob = queue_for_stranger(&server, "Bob").await;
    let room = sent_to(&bob, &server).await;
    let mut ann_stream = page_stream(&ann, &server, &room).await;
    let mut bob_stream = page_stream(&bob, &server, &room).await;

    let told = post(&ann, &server, &format!("{room}/typing"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("typing");
    assert_eq!(told.status(), 204);
    let heard = bob_stream.until("is typing").await;
    let line = heard.last().expect("the line");
    assert_eq!(line.data, TYPING);
    assert!(line.id.is_none(), "nothing numbered: resuming is untouched");

    let code = room.trim_start_matches("/r/");
    say(&ann, &server, code, "hello Bob").await;
    let mine = ann_stream.until("hello Bob").await;
    assert!(
        !mine.iter().any(|e| e.data.contains("is typing")),
        "never the typer's own: {mine:#?}"
    );
    bob_stream.until("hello Bob").await;
    let cleared = bob_stream.next().await.expect("right after the message");
    assert_eq!(cleared.data, CLEARED, "the message clears the line");
    assert!(cleared.id.is_none());
    let next = ann_stream
        .next_within(Duration::from_millis(300))
        .await
        .map(|e| e.data);
    assert!(
        !next.as_deref().is_some_and(|d| d.contains(CLEARED)),
        "nothing to clear on the typer's page: {next:?}"
    );

    // Bob's own message clears nothing of Ann's next line.
    post(&ann, &server, &format!("{room}/typing"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("typing");
    bob_stream.until("is typing").await;
    say(&bob, &server, code, "and hello Ann").await;
    bob_stream.until("and hello Ann").await;
    let next = bob_stream
        .next_within(Duration::from_millis(300))
        .await
        .map(|e| e.data);
    assert!(
        !next.as_deref().is_some_and(|d| d.contains(CLEARED)),
        "Ann still types: {next:?}"
    );
    server.shut_down().await;
}

/// Whether `room`'s page for `http` shows the unread divider.
async fn divider(http: &reqwest::Client, server: &common::TestServer, room: &str) -> bool {
    get_text(http, &server.url(room))
        .await
        .contains(r#"id="unread""#)
}

#[tokio::test]
async fn what_a_stream_delivered_counts_as_seen_while_it_runs_and_when_it_ends() {
    let server = spawn_app(&[]).await;
    let ann = common::joined(&server, "Ann", "general").await;
    let bob = common::joined(&server, "Bob", "general").await;
    get_text(&bob, &server.url("/r/general")).await;
    let mut stream = page_stream(&ann, &server, "/r/general").await;
    // Each check is one page load, which notes itself: what it shows was
    // noted before it, by the stream alone.

    // The first item after a while is noted at once.
    say(&bob, &server, "general", "one").await;
    stream.until(">one<").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!divider(&ann, &server, "/r/general").await, "noted at once");

    // A burst: the rest is noted once 2 s have passed, with no reload.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    say(&bob, &server, "general", "two").await;
    stream.until(">two<").await;
    say(&bob, &server, "general", "three").await;
    stream.until(">three<").await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(
        !divider(&ann, &server, "/r/general").await,
        "noted within 2 s"
    );

    // Items right after a note wait for the next; the stream ending notes them.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    say(&bob, &server, "general", "four").await;
    stream.until(">four<").await;
    say(&bob, &server, "general", "five").await;
    stream.until(">five<").await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(
        !divider(&ann, &server, "/r/general").await,
        "noted when it ended"
    );

    // And what no stream delivered is new.
    say(&bob, &server, "general", "six").await;
    let page = get_text(&ann, &server.url("/r/general")).await;
    let divider_at = page.find(r#"id="unread""#).expect("a divider");
    assert!(divider_at < page.find(">six<").expect("six"), "{page}");
    assert!(divider_at > page.find(">five<").expect("five"), "{page}");
    server.shut_down().await;
}

#[tokio::test]
async fn with_the_setting_off_the_other_stranger_hears_nothing() {
    let server = spawn_app(&[]).await;
    // Ann turned "Tell the other person when I am typing" off (the settings
    // cookie); an old page of hers may still ask.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let site: reqwest::Url = server.url("/").parse().expect("url");
    jar.add_cookie_str("settings=y=0; Path=/", &site);
    let ann = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    common::people::post_see_other(&ann, &server, "/pair", &[("name", "Ann")]).await;
    let bob = queue_for_stranger(&server, "Bob").await;
    let room = sent_to(&bob, &server).await;
    let ann_page = get_text(&ann, &server.url(&room)).await;
    assert!(!ann_page.contains("/typing\""), "her page does not ask");
    let mut bob_stream = page_stream(&bob, &server, &room).await;
    let told = post(&ann, &server, &format!("{room}/typing"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("typing");
    assert_eq!(told.status(), 204);
    let code = room.trim_start_matches("/r/");
    say(&ann, &server, code, "no line before this").await;
    let heard = bob_stream.until("no line before this").await;
    assert!(
        !heard.iter().any(|e| e.data.contains("is typing")),
        "{heard:#?}"
    );
    server.shut_down().await;
}
