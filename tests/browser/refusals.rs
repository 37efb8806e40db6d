//! Refusals as a person sees them: where they are said, until when, and the
//! text kept.

use super::*;

/// Seconds since midnight UTC of an "HH:MM:SS" clock.
fn clock_seconds(clock: &str) -> Option<u64> {
    let parts: Vec<u64> = clock
        .split(':')
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [h, m, s] if h < 24 && m < 60 && s < 60 => Some(h * 3600 + m * 60 + s),
        _ => None,
    }
}

/// A refusal to wait, on a page without JavaScript (which never changes by
/// itself), says until when, as a clock time in UTC: "send again at
/// 07:48:30 UTC", not "wait 600 s" frozen at the moment of the refusal. With
/// JavaScript it says the seconds. The text stays in the box either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_without_javascript_is_said_as_a_clock_time() {
    let Some(Stage { server, mut driver }) =
        stage_with(&["--rate-messages", "1", "--rate-window", "600"]).await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    let room = format!("/r/{code}");
    ann.send_and_see(Js::Off, &room, "the one message").await;
    ann.mark_page().await;
    ann.send("one too many", Submit::Enter).await;
    ann.wait_for_new_page().await;
    let alert = ann
        .find("//p[@role='alert'][contains(., 'You are sending messages too fast')]")
        .await
        .text()
        .await
        .must("the alert's words");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .must("the clock")
        .as_secs()
        % 86_400;
    let clock = alert
        .strip_prefix("You are sending messages too fast: send again at ")
        .and_then(|rest| rest.strip_suffix(" UTC"))
        .unwrap_or_else(|| panic!("a clock time, not a countdown: {alert:?}"));
    let at = clock_seconds(clock).unwrap_or_else(|| panic!("a clock time: {alert:?}"));
    let ahead = (at + 86_400 - now) % 86_400;
    assert!(
        (590..=602).contains(&ahead),
        "the window's end, about 600 s from now: {alert:?} ({ahead} s ahead)"
    );
    assert_eq!(
        ann.value("Message").await,
        "one too many",
        "the text is kept"
    );
    ann.wait_for_focus("#message").await;
    assert_no_axe_violations(&ann.c, "a wait said as a clock time (JavaScript off)").await;

    bob.join_room(&server, "Bob", &code).await;
    bob.send_and_see(Js::On, &room, "Bob's one message").await;
    bob.send("Bob's one too many", Submit::Enter).await;
    let alert = bob
        .find("//p[@role='alert'][contains(., 'You are sending messages too fast')]")
        .await
        .text()
        .await
        .must("the alert's words");
    let seconds = alert
        .strip_prefix("You are sending messages too fast: wait ")
        .and_then(|rest| rest.strip_suffix(" s and send again"))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(
        seconds.is_some_and(|n| (590..=600).contains(&n)),
        "with JavaScript, the seconds: {alert:?}"
    );
    assert_eq!(bob.value("Message").await, "Bob's one too many");

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// **Find a new stranger** refused (the queue is full of waiters whose pages
/// closed): the reason shows and is announced next to the button, which has
/// the focus, and the person is still in the room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_find_a_new_stranger_says_why_where_the_button_is() {
    use livechat::chat::{Member, MemberId, Name, Seed};
    let Some(Stage { server, mut driver }) =
        stage_with(&["--max-queue", "1", "--grace", "120"]).await
    else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    ann.queue_for_stranger(&server, "Ann").await;
    bob.queue_for_stranger(&server, "Bob").await;
    let room = bob.wait_for_room().await;
    assert_eq!(ann.wait_for_room().await, room, "paired");
    bob.press("Leave").await;
    ann.wait_for_log("Bob left the chat").await;

    // Carol queued, opened her waiting page and closed it: she holds the one
    // place in the queue for the grace period, and cannot be paired.
    let carol = Member {
        id: MemberId::random(),
        name: Name::parse("Carol", 32).expect("name"),
        seed: Seed::random(),
    };
    server.state.chat.queue(&carol).await.expect("Carol queues");
    drop(
        server
            .state
            .chat
            .watch_pairing(carol.id)
            .await
            .expect("within the caps")
            .expect("Carol's page"),
    );

    // The one shown: it took the send form's place when Bob left.
    ann.find("//div[@id='send']//button[normalize-space()='Find a new stranger']")
        .await
        .click()
        .await
        .must("press Find a new stranger");
    ann.find(
        "//div[@id='send']//form[contains(@class, 'pair-again')]/p[@role='alert'][normalize-space()='The queue is full right now: try again in a minute']",
    )
    .await;
    ann.wait_for_focus("button:Find a new stranger").await;
    assert_eq!(ann.path().await, room, "Ann is still in the room");
    assert_no_axe_violations(&ann.c, "pair room, Find a new stranger refused").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// Many people behind one address share one budget of messages: past it a
/// post is refused on the Message field, with the text still in the box,
/// with JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_over_the_addresss_budget_keeps_the_text() {
    let Some(Stage { server, mut driver }) =
        stage_with(&["--address-messages", "1", "--rate-window", "600"]).await
    else {
        return;
    };
    let why = "Too many messages from your network address";
    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    ann.send_and_see(Js::On, &format!("/r/{code}"), "the one message")
        .await;
    let bob = driver.person("Bob", Js::Off).await;
    bob.create_room(&server, "Bob").await;
    for (person, text) in [(&ann, "over the budget"), (&bob, "over it without script")] {
        person.fill("Message", text).await;
        person.press("Send").await;
        person
            .find(&format!(
                "//p[@role='alert'][contains(., {})]",
                xpath_literal(why)
            ))
            .await;
        person.wait_for_value("Message", text).await;
    }
    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}
