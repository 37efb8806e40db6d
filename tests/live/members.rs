//! Members on their streams: chatting live, grace after a reload, leaving,
//! and a private room gone with its last member.

use super::*;

#[tokio::test]
async fn two_members_chat_live() {
    let server = spawn_app(&[]).await;
    let (ann, mut anns) = member(&server, "Ann", "general").await;
    let (bob, mut bobs) = member(&server, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(&server, "general", "hello Bob").await;
    let got = bobs.until("hello Bob").await;
    let message = got.last().expect("message");
    assert!(message.id.is_some(), "every event has an id");
    assert!(
        message.data.starts_with("<li class=\"msg\""),
        "{}",
        message.data
    );
    bob.say(&server, "general", "hi Ann").await;
    anns.until("hi Ann").await;
    let online = anns.until("hx-target=\"#online\"").await;
    assert!(online.last().expect("online").data.contains("Bob"));
    assert!(
        got.iter()
            .chain(&online)
            .all(|e| !e.data.contains("autofocus")),
        "nothing streamed steals focus"
    );
}

#[tokio::test]
async fn a_reload_within_grace_makes_no_notice() {
    let server = spawn_app(&["--grace", "1"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut anns = ann.stream(&server, "general").await;
    let bob = enter(&server, "Bob", "general").await;
    let bobs = bob.stream(&server, "general").await;
    anns.until("Bob joined").await;
    drop(bobs);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bob_again = bob.stream(&server, "general").await; // the reload
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ann.say(&server, "general", "marker").await;
    let got = anns.until("marker").await;
    assert!(
        !got.iter().any(|e| e.data.contains("Bob</bdi> left")),
        "{got:#?}"
    );
    drop(bob_again);
    anns.until("Bob left").await; // and a real departure is told after the grace period
}

#[tokio::test]
async fn a_private_room_disappears_after_its_last_member() {
    let server = spawn_app(&["--grace", "1"]).await;
    let http = client();
    let res = post_form(&http, &server, "/rooms", &[("name", "Ann")]).await;
    let room = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        http.get(server.url(&room))
            .send()
            .await
            .expect("page")
            .status(),
        200
    );
    let (_, sse) = Sse::open(&http, &server.url(&format!("{room}/events")), None).await;
    drop(sse);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let gone = http.get(server.url(&room)).send().await.expect("page");
    assert_eq!(gone.status(), 404);
    let metrics = get_text(&http, &server.url("/metrics")).await;
    assert!(
        metrics.lines().any(|l| l == "livechat_rooms 5"),
        "{metrics}"
    );
}

#[tokio::test]
async fn leaving_ends_the_members_other_streams() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let mut tab = ann.stream(&server, "general").await;
    tab.until("hx-target=\"#online\"").await;
    let res = ann
        .http
        .post(server.url("/r/general/leave"))
        .header("origin", server.origin())
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 303);
    let got = tab.until("You left this room").await;
    assert!(got.iter().any(|e| e.data.contains("<bdi>Ann</bdi> left")));
    assert_eq!(
        tab.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
}
