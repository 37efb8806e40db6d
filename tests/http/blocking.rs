//! **Block and find a new stranger** in random chat: it leaves the room and
//! queues again like **Find a new stranger**, and the stranger is never
//! paired with the blocker again, with JavaScript and without.

use super::*;

#[tokio::test]
async fn a_stranger_room_offers_to_block_beside_the_send_form() {
    let mut ann = site(&[]);
    let (_bob, room) = ann.paired_with_bob().await;
    let page = ann.get(&room).await;
    let code = room.trim_start_matches("/r/");
    page.assert_has(r#"<form class="block-stranger" action="/pair" method="post""#);
    page.assert_has(&format!(
        r#"name="leave" value="{code}"><input type="hidden" name="block" value="on">"#
    ));
    page.assert_has(">Block and find a new stranger</button>");
    let general = ann.get("/r/general").await;
    assert!(
        !general.body.contains("Block and find"),
        "only in random chat"
    );
}

#[tokio::test]
async fn one_blocked_is_never_paired_with_the_blocker_again() {
    let mut ann = site(&[]);
    let (mut bob, room) = ann.paired_with_bob().await;
    let code = room.trim_start_matches("/r/").to_owned();
    let blocked = ann
        .post("/pair", &[("leave", code.as_str()), ("block", "on")])
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        blocked.location(),
        "/pair",
        "queued again, as Find a new stranger"
    );
    let page = bob.get(&room).await;
    page.assert_has("<bdi>Ann</bdi> left the chat");

    // Bob looks for a new stranger too: not Ann, who waits.
    let again = bob.htmx_post("/pair", &[("leave", code.as_str())]).await;
    assert_eq!(
        again.headers.get("hx-redirect").expect("htmx redirect"),
        "/pair"
    );
    for waiting in [&mut ann, &mut bob] {
        let page = waiting.get("/pair").await;
        assert_eq!(page.status, StatusCode::OK, "still waiting");
        page.assert_has("<h1>Waiting for a stranger</h1>");
    }

    // Cy comes: paired with Ann, who waited longest; Dan then with Bob.
    let mut cy = ann.stranger();
    cy.post("/pair", &[("name", "Cy")]).await;
    let anns = ann.get("/pair").await;
    assert_eq!(anns.status, StatusCode::SEE_OTHER);
    assert_eq!(cy.get("/pair").await.location(), anns.location());
    let mut dan = ann.stranger();
    dan.post("/pair", &[("name", "Dan")]).await;
    let bobs = bob.get("/pair").await;
    assert_eq!(bobs.location(), dan.get("/pair").await.location());
}

#[tokio::test]
async fn blocking_with_htmx_leaves_and_queues_and_a_cross_site_post_is_refused() {
    let mut ann = site(&[]);
    let (mut bob, room) = ann.paired_with_bob().await;
    let code = room.trim_start_matches("/r/").to_owned();
    let cross = ann
        .post_with(
            "/pair",
            &[("leave", code.as_str()), ("block", "on")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let page = bob.get(&room).await;
    assert!(!page.body.contains("left the chat"), "Ann is still there");
    let blocked = ann
        .htmx_post("/pair", &[("leave", code.as_str()), ("block", "on")])
        .await;
    assert_eq!(
        blocked.headers.get("hx-redirect").expect("htmx redirect"),
        "/pair"
    );
    bob.get(&room)
        .await
        .assert_has("<bdi>Ann</bdi> left the chat");
}
