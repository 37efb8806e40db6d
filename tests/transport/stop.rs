//! Stopping: every kind of open answer hears it, and nothing holds it.

use super::*;

#[tokio::test]
async fn shutdown_ends_the_server_with_a_stream_open() {
    let server = spawn_app(&[]).await;
    let http = client();
    let res = http
        .post(server.url("/join"))
        .header("origin", server.origin())
        .form(&[("name", "Ann"), ("code", "general")])
        .send()
        .await
        .expect("join");
    assert_eq!(res.status(), 303);
    let stream = http
        .get(server.url("/r/general/events"))
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let addr = server.addr;
    tokio::time::timeout(Duration::from_secs(12), server.shut_down())
        .await
        .expect("the server ends while a stream is open");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
    drop(stream);
}

/// The case: a stream opened as the room page opens it, on a fresh
/// connection, beside a keep-alive connection left idle.
#[tokio::test]
async fn on_stop_a_room_stream_hears_restarting_and_idle_connections_do_not_hold_it() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut idle = Raw::connect(addr).await;
    let (cookie, after) = join_by_hand(&mut idle, addr).await;
    let mut stream = Raw::connect(addr).await;
    stream
        .send(&events_request(addr, &cookie, &after, "HTTP/1.1"))
        .await;
    stream.until("\n\n\r\n").await;
    stops_at_once(server).await;
    let rest = stream.rest().await;
    assert!(rest.contains("restarting"), "{rest}");
    assert!(rest.ends_with("\r\n0\r\n\r\n"), "{rest:?}");
    assert_eq!(idle.rest().await, "", "the idle connection is closed");
}

/// Without JavaScript the log is a document that never ends: on stop it
/// says so in its own words.
#[tokio::test]
async fn on_stop_the_log_document_says_the_server_is_restarting() {
    let server = spawn_app(&[]).await;
    let addr = server.addr;
    let mut raw = Raw::connect(addr).await;
    let (cookie, _) = join_by_hand(&mut raw, addr).await;
    let mut log = Raw::connect(addr).await;
    log.send(&format!(
        "GET /r/general/log HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
    ))
    .await;
    let head = log.until("\r\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(
        header_in(&head, "content-type"),
        Some("text/html; charset=utf-8")
    );
    log.until("\r\n").await;
    stops_at_once(server).await;
    let rest = log.rest().await;
    assert!(rest.contains("The server is restarting"), "{rest}");
}

/// Someone waiting for a stranger: the waiting page's stream, the document
/// it frames without JavaScript, and a held `GET /pair?hold` all hear the stop.
#[tokio::test]
async fn on_stop_every_wait_for_a_stranger_hears_restarting() {
    let server = spawn_app(&[]).await;
    let ann = common::people::queue_for_stranger(&server, "Ann").await;
    let (_, mut events) = common::sse::Sse::open(&ann, &server.url("/pair/events"), None).await;
    events.next().await.expect("the waiting stream is open");
    let wait = ann
        .get(server.url("/pair/wait"))
        .send()
        .await
        .expect("wait document");
    assert_eq!(wait.status(), 200);
    let mut wait = wait.bytes_stream();
    wait.next().await.expect("its head").expect("bytes");
    let held = {
        let ann = ann.clone();
        let url = server.url("/pair?hold");
        tokio::spawn(async move { ann.get(url).send().await })
    };
    // The hold is under way before the stop.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!held.is_finished(), "the hold ended by itself");

    stops_at_once(server).await;
    events.until_within("restarting", STOP).await;
    let mut rest = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(STOP, wait.next()).await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(rest.contains("The server is restarting"), "{rest}");
    let held = tokio::time::timeout(STOP, held)
        .await
        .expect("the held page is answered at once")
        .expect("task")
        .expect("an answer");
    assert_eq!(held.status(), 503);
    let page = held.text().await.expect("page");
    assert!(page.contains("The server is restarting"), "{page}");
}
