//! Waiting pages: both hear the match, a cancelled or closed one is never
//! paired, and the no-JavaScript document links to the chat.

use super::*;

#[tokio::test]
async fn two_waiting_pages_both_hear_the_match_and_go_to_one_room() {
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (headers, mut ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["x-accel-buffering"], "no");
    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;

    let heard = ann_stream.until("A stranger is here").await;
    let found = &heard.last().expect("the match").data;
    assert!(
        found.contains(r#"hx-get="/pair" hx-trigger="load""#),
        "{found}"
    );
    let room = room_in(found);
    assert!(room.starts_with("/r/"), "{room}");
    let bobs = bob_stream.until("A stranger is here").await;
    assert_eq!(room_in(&bobs.last().expect("the match").data), room);
    for stream in [&mut ann_stream, &mut bob_stream] {
        let close = stream.next().await.expect("then the stream closes");
        assert_eq!(close.event.as_deref(), Some("close"));
        assert!(stream.next().await.is_none(), "and ends");
    }

    for http in [&ann, &bob] {
        assert_eq!(sent_to(http, &server).await, room);
    }
    let page = ann
        .get(server.url(&room))
        .send()
        .await
        .expect("room")
        .text()
        .await
        .expect("body");
    assert!(page.contains("<bdi>Ann</bdi> and <bdi>Bob</bdi> are now talking: say hello"));
    server.shut_down().await;
}

#[tokio::test]
async fn someone_who_cancelled_is_never_paired_and_their_page_is_told() {
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (_, mut ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let res = ann
        .post(server.url("/pair/cancel"))
        .header("origin", server.origin())
        .send()
        .await
        .expect("cancel");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    let words = ann_stream.until("You are no longer waiting.").await;
    assert!(!words.iter().any(|e| e.data.contains("A stranger is here")));

    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;
    let first = bob_stream.next().await.expect("connected");
    assert!(!first.data.contains("A stranger is here"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let metrics = get_text(&bob, &server.url("/metrics")).await;
    assert!(
        metrics.lines().any(|l| l == "livechat_queue 1"),
        "{metrics}"
    );
    let res = bob.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 200, "Bob still waits");
    server.shut_down().await;
}

#[tokio::test]
async fn a_closed_waiting_page_is_skipped_and_leaves_after_grace() {
    let server = spawn_app(&["--grace", "1"]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (_, ann_stream) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    drop(ann_stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bob = queue_for_stranger(&server, "Bob").await;
    let (_, mut bob_stream) = Sse::open(&bob, &server.url("/pair/events"), None).await;
    bob_stream.next().await.expect("connected");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let res = ann.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 303, "Ann left the queue");
    assert_eq!(res.headers()["location"], "/");
    let res = bob.get(server.url("/pair")).send().await.expect("pair");
    assert_eq!(res.status(), 200, "Bob, whose page is open, still waits");
    server.shut_down().await;
}

#[tokio::test]
async fn without_javascript_the_waiting_document_shows_a_link_to_the_chat_with_the_stranger_named()
{
    let server = spawn_app(&[]).await;
    let ann = queue_for_stranger(&server, "Ann").await;
    let (headers, mut doc) = Growing::open(&ann, &server.url("/pair/wait")).await;
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("frame-ancestors 'self'")
    );
    let _bob = queue_for_stranger(&server, "Bob").await;
    let text = doc.until("</a>").await;
    assert!(
        text.contains(r#"target="_top">Go to your chat with <bdi>Bob</bdi></a>"#),
        "{text}"
    );
    server.shut_down().await;
}
