//! A person's own filter across servers: an ignore made through one server
//! takes effect at once on the ignorer's stream open on another, and after
//! it resumes on a third; a mute made through one server hides the muted
//! session's messages on every other, but from itself.

use super::*;

/// The seed of `name` in the Online list of `page`.
fn seed_of(page: &str, name: &str) -> String {
    between(page, "id=\"online\"", "</ul>")
        .split("<li data-author=\"")
        .skip(1)
        .find(|li| {
            li.split("</li>")
                .next()
                .is_some_and(|li| li.contains(&format!("<bdi>{name}</bdi>")))
        })
        .and_then(|li| li.split('"').next())
        .unwrap_or_else(|| panic!("{name} is not online: {page}"))
        .to_owned()
}

#[tokio::test]
async fn an_ignore_made_on_one_server_filters_the_stream_open_on_another_and_its_resume() {
    let Some(c) = cluster(3, &[]).await else {
        return;
    };
    let (a, b, third) = (c.node(0), c.node(1), c.node(2));
    let (ann, mut anns) = member(b, "Ann", "general").await;
    let bob = enter(a, "Bob", "general").await;
    let cat = enter(a, "Cat", "general").await;
    anns.until("Cat joined").await;
    let page = get_text(&ann.http, &a.url("/r/general")).await;
    let bob_seed = seed_of(&page, "Bob");
    let to = post_see_other(
        &ann.http,
        a,
        &format!("/r/general/p/{bob_seed}/ignore"),
        &[("ignore", "on")],
    )
    .await;
    assert_eq!(to, "/r/general");

    bob.say(a, "general", "spam from A").await;
    post_see_other(&bob.http, a, "/name", &[("name", "Robert")]).await;
    bob.say(a, "general", "spam renamed").await;
    cat.say(a, "general", "hello from Cat").await;
    let heard = anns.until("hello from Cat").await;
    for hidden in ["spam from A", "spam renamed", "is now known as"] {
        assert!(
            !heard.iter().any(|e| e.data.contains(hidden)),
            "{hidden} reached Ann on B: {heard:?}"
        );
    }

    // Resumed on the third server from before Bob spoke: still without him.
    drop(anns);
    let (_, mut resumed) = Sse::open(&ann.http, &ann.stream_url(third, "general"), None).await;
    let again = resumed.until("hello from Cat").await;
    assert!(!again.iter().any(|e| e.data.contains("spam")), "{again:?}");
    bob.say(a, "general", "more spam").await;
    cat.say(a, "general", "still here").await;
    let later = resumed.until("still here").await;
    assert!(!later.iter().any(|e| e.data.contains("spam")), "{later:?}");
}

#[tokio::test]
async fn a_mute_made_through_one_server_hides_on_another_but_from_the_muted() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, mut anns) = member(b, "Ann", "general").await;
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    anns.until("Bob joined").await;
    let page = get_text(&ann.http, &b.url("/r/general")).await;
    let bob_seed = seed_of(&page, "Bob");
    // One more server on the same Redis, in this process: the moderators'.
    let flags = ["--redis", &c.redis.url(), "--grace", "1"];
    let (console, _trigger) = livechat::AppState::connect(common::config(&flags))
        .await
        .expect("a server on the same Redis");
    let general = livechat::chat::RoomCode::parse_slug("general").expect("slug");
    let seed = livechat::chat::Seed::parse(&bob_seed).expect("seed");
    let found = console.chat.person(&general, &seed).await.expect("look-up");
    let until = time::OffsetDateTime::now_utc() + Duration::from_secs(600);
    console
        .chat
        .mute(found.expect("Bob is present").member, Some(until))
        .await
        .expect("mute");

    bob.say(a, "general", "muted words").await;
    ann.say(a, "general", "Ann speaks").await;
    let heard = anns.until("Ann speaks").await;
    assert!(
        !heard.iter().any(|e| e.data.contains("muted words")),
        "{heard:?}"
    );
    let own = bobs.until("Ann speaks").await;
    assert!(
        own.iter().any(|e| e.data.contains("muted words")),
        "{own:?}"
    );
    let anns_page = get_text(&ann.http, &a.url("/r/general")).await;
    assert!(!anns_page.contains("muted words"));
    let bobs_page = get_text(&bob.http, &a.url("/r/general")).await;
    assert!(bobs_page.contains("muted words"), "the muted are not told");
}
