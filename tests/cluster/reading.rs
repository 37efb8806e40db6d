//! What a person has seen is kept in Redis: a reload on another server opens
//! at the same "New since you were last here"; random chat's typing line
//! crosses servers over pub/sub.

use super::*;

const DIVIDER: &str = r#"<li class="unread" id="unread">"#;

#[tokio::test]
async fn what_was_seen_survives_a_reload_on_the_other_server() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let ann = enter(a, "Ann", "general").await;
    let bob = enter(b, "Bob", "general").await;
    bob.say(b, "general", "said while Ann was away").await;

    // Ann's page on the other server opens at what is new since her last.
    let page = get_text(&ann.http, &b.url("/r/general")).await;
    let divider = page.find(DIVIDER).unwrap_or_else(|| panic!("{page}"));
    let bobs = page.find("Bob</bdi> joined").expect("Bob's arrival");
    let anns = page.find("Ann</bdi> joined").expect("Ann's arrival");
    assert!(anns < divider && divider < bobs, "{page}");
    assert!(page.contains("Skip to new messages"), "{page}");

    // Seen there, it is seen here too.
    let back = get_text(&ann.http, &a.url("/r/general")).await;
    assert!(!back.contains(DIVIDER), "{back}");
    assert!(back.contains("said while Ann was away"), "{back}");
}

#[tokio::test]
async fn a_typing_line_crosses_servers_and_never_reaches_the_typer() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let ann = queue_for_stranger(a, "Ann").await;
    let (_, mut ann_waits) = Sse::open(&ann, &a.url("/pair/events"), None).await;
    let bob = queue_for_stranger(b, "Bob").await;
    let (_, mut bob_waits) = Sse::open(&bob, &b.url("/pair/events"), None).await;
    let room = room_in(
        &ann_waits
            .until("A stranger is here")
            .await
            .last()
            .expect("match")
            .data,
    );
    bob_waits.until("A stranger is here").await;

    let stream = |http: &reqwest::Client, node: &Node| {
        let (http, node_url) = (http.clone(), node.url(&room));
        let events = node.url(&format!("{room}/events"));
        async move {
            let page = get_text(&http, &node_url).await;
            let url = format!("{events}?after={}", after_id(&page));
            Sse::open(&http, &url, None).await.1
        }
    };
    let mut anns = stream(&ann, a).await;
    let mut bobs = stream(&bob, b).await;

    let told = post(&ann, a, &format!("{room}/typing"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("typing");
    assert_eq!(told.status(), 204);
    let heard = bobs.until("is typing").await;
    assert!(
        heard
            .last()
            .expect("the line")
            .data
            .contains("<bdi>Ann</bdi> is typing…"),
        "{heard:?}"
    );

    let code = room.trim_start_matches("/r/");
    let sent = post_form(
        &ann,
        a,
        &format!("/r/{code}/messages"),
        &[("text", "hi Bob")],
    )
    .await;
    assert_eq!(sent.status(), 303);
    let mine = anns.until("hi Bob").await;
    assert!(
        !mine.iter().any(|e| e.data.contains("is typing")),
        "{mine:?}"
    );
    bobs.until("hi Bob").await;
    let cleared = bobs.next().await.expect("the line cleared");
    assert!(
        cleared.data.contains(r##"hx-target="#typing""##) && !cleared.data.contains("typing…"),
        "{cleared:?}"
    );
}
