//! A member the room's owner removes: every stream of theirs, the event
//! stream and the no-JavaScript log document alike, says why and ends.

use super::*;

#[tokio::test]
async fn a_removed_members_streams_say_why_and_end() {
    let server = spawn_app(&[]).await;
    let ann = client();
    let made = post_form(&ann, &server, "/rooms", &[("name", "Ann")]).await;
    assert_eq!(made.status(), 303);
    let room = made.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let code = room.trim_start_matches("/r/").to_owned();
    let bob = enter(&server, "Bob", &code).await;
    let page = get_text(&bob.http, &server.url(&room)).await;
    let seed = page
        .split("href=\"/me/")
        .nth(1)
        .and_then(|s| s.split(".css").next())
        .expect("own css")
        .to_owned();
    let mut tab = bob.stream(&server, &code).await;
    tab.until("hx-target=\"#online\"").await;
    let (_, mut doc) = Growing::open(&bob.http, &server.url(&format!("{room}/log"))).await;
    let removed = post_form(&ann, &server, &format!("{room}/p/{seed}/remove"), &[]).await;
    assert_eq!(removed.status(), 303);
    let why = "The room's owner removed you from this room.";
    let got = tab.until(why).await;
    assert!(got.iter().any(|e| e.data.contains("<bdi>Bob</bdi> left")));
    assert_eq!(
        tab.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
    doc.until(why).await;
    // And the room's page keeps them out.
    let back = bob.http.get(server.url(&room)).send().await.expect("page");
    assert_eq!(back.status(), 403);
}
