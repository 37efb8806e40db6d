//! Random chat per address: waiting pages count among its streams, it cannot
//! fill the strangers' pool, and its asks are counted.

use super::*;

const FROM_ADDRESS: &str = "Too many chat pages are open from your network address";
const TOO_MANY_PAGES: &str = "You have too many pages of the chat open";

#[tokio::test]
async fn waiting_pages_count_among_the_addresses_streams() {
    let server = spawn_app(&["--max-address-streams", "2", "--pair-hold", "1"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let room = enter(&server, "Bob", "general").await;
    let _waiting = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let _reading = room.stream(&server, "general").await;
    let (_, mut third) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let said = third.until(FROM_ADDRESS).await;
    assert_eq!(
        third.next().await.and_then(|e| e.event).as_deref(),
        Some("close"),
        "{said:?}"
    );
    let res = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait");
    assert_eq!(res.status(), 503, "the no-JS waiting document too");
    assert!(res.text().await.expect("body").contains(FROM_ADDRESS));
    let res = ann
        .get(server.url("/pair?hold"))
        .send()
        .await
        .expect("hold");
    assert_eq!(res.status(), 503, "and a held waiting page");
    assert!(res.text().await.expect("body").contains(FROM_ADDRESS));
    let (_, mut log) = Sse::open(&room.http, &room.stream_url(&server, "general"), None).await;
    log.until(FROM_ADDRESS).await;
}

#[tokio::test]
async fn waiting_pages_count_among_the_members_streams() {
    let server = spawn_app(&["--max-streams", "2", "--pair-hold", "30"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let first = Sse::open(&ann, &server.url("/pair/events"), None).await;
    // A held plain page is the second.
    let held = {
        let ann = ann.clone();
        let url = server.url("/pair?hold");
        tokio::spawn(async move { ann.get(url).send().await.expect("hold").status() })
    };
    let mut third = None;
    for _ in 0..100 {
        let (_, mut sse) = Sse::open(&ann, &server.url("/pair/events"), None).await;
        let event = sse.next().await.expect("an event");
        if event.data.contains(TOO_MANY_PAGES) {
            third = Some(event);
            break;
        }
        drop(sse);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(third.is_some(), "a third waiting page is too many");
    let res = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait");
    assert_eq!(res.status(), 503);
    assert!(res.text().await.expect("body").contains(TOO_MANY_PAGES));
    drop(first);
    held.abort();
    let mut again = false;
    for _ in 0..100 {
        let (_, mut sse) = Sse::open(&ann, &server.url("/pair/events"), None).await;
        let event = sse.next().await.expect("an event");
        if !event.data.contains(TOO_MANY_PAGES) {
            again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again, "closed pages give their places back");
}

/// Two sessions of one address queue again and again for each other
/// ("Find a new stranger" needs no new session, so `--address-sessions`
/// never counts it): every match opens a random-chat room, and one address
/// alone must not be able to fill `--max-pair-rooms`, which would drop
/// every honest stranger from the queue.
#[tokio::test]
async fn one_address_cannot_fill_the_strangers_pool() {
    let server = spawn_app(&["--max-pair-rooms", "20"]).await;
    let (x, y) = (client_from("127.0.0.1"), client_from("127.0.0.1"));
    for (http, name) in [(&x, "X"), (&y, "Y")] {
        post_form(http, &server, "/pair", &[("name", name)]).await;
    }
    let mut rooms = std::collections::HashSet::new();
    for _ in 0..40 {
        for http in [&x, &y] {
            post_form(http, &server, "/pair", &[("leave", "")]).await;
        }
        let res = x.get(server.url("/pair")).send().await.expect("pair");
        if let Some(to) = res.headers().get("location") {
            let to = to.to_str().expect("ascii");
            if to.starts_with("/r/") {
                rooms.insert(to.to_owned());
            }
        }
    }
    let (ann, ben) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    for (http, name) in [(&ann, "Ann"), (&ben, "Ben")] {
        post_form(http, &server, "/pair", &[("name", name)]).await;
    }
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    let to = res
        .headers()
        .get("location")
        .map(|to| to.to_str().expect("ascii").to_owned());
    assert!(
        to.as_deref().is_some_and(|to| to.starts_with("/r/")),
        "two strangers from elsewhere are paired, but one address made {} \
         random-chat rooms and Ann was sent to {to:?}",
        rooms.len()
    );
}

/// Asking for a stranger is counted per address, on the home page's button
/// and on **Find a new stranger** alike: past `--address-pairs` a minute the
/// answer is `429` saying how long to wait, and nobody is queued.
#[tokio::test]
async fn asking_for_strangers_is_counted_per_address() {
    let server = spawn_app(&["--address-pairs", "2"]).await;
    let ann = client();
    for _ in 0..2 {
        let res = post_form(&ann, &server, "/pair", &[("name", "Ann")]).await;
        assert_eq!(res.status(), 303);
        post(&ann, &server, "/pair/cancel")
            .send()
            .await
            .expect("cancel");
    }
    let words = "Too many new strangers asked for from your network address";
    let res = post_form(&ann, &server, "/pair", &[("name", "Ann")]).await;
    assert_eq!(res.status(), 429);
    let body = res.text().await.expect("body");
    // A plain form's page says until when; htmx's fragment below, how long.
    assert!(body.contains(&format!("{words}: try again at ")), "{body}");
    assert!(body.contains("value=\"Ann\""), "the name is kept: {body}");
    // From a room's **Find a new stranger** (htmx), the same words there.
    let res = post(&ann, &server, "/pair")
        .header("hx-request", "true")
        .form(&[("leave", "ABCD")])
        .send()
        .await
        .expect("find a new stranger");
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains(&format!("{words}: wait "))
    );
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(
        res.headers().get("location").and_then(|l| l.to_str().ok()),
        Some("/"),
        "not queued"
    );
    // Another address is not slowed.
    let res = post_form(
        &client_from("127.0.0.2"),
        &server,
        "/pair",
        &[("name", "Bob")],
    )
    .await;
    assert_eq!(res.status(), 303);
}
