//! A room's owner and the moderators, across servers: a lock made on one
//! server refuses joins on another, a removal on one ends the stream on
//! another, and a ban made through one refuses everywhere.

use livechat::AppState;
use livechat::chat::{Chat, RoomCode};

use super::*;

/// The avatar seed a room page was rendered for (its own stylesheet).
fn own_seed(page: &str) -> String {
    between(page, "href=\"/me/", ".css").to_owned()
}

/// The store as another server (or the moderator console) on the
/// cluster's Redis sees it.
async fn console(c: &Cluster) -> Chat {
    let url = c.redis.url();
    let config = common::config(&["--redis", &url]);
    let (state, _trigger) = AppState::connect(config)
        .await
        .expect("the cluster's redis");
    state.chat
}

#[tokio::test]
async fn a_lock_made_on_one_server_refuses_joins_on_another() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, code) = create_room(a, "Ann").await;
    let bob = enter(b, "Bob", &code).await;
    let lock = format!("/r/{code}/lock");
    let refused = post_form(&bob.http, b, &lock, &[("lock", "on")]).await;
    assert_eq!(refused.status(), 403, "only the owner locks");
    post_see_other(&ann, a, &lock, &[("lock", "on")]).await;
    let (status, body) = try_join(&client(), b, "Cy", &code).await;
    assert_eq!(status, 403);
    assert!(
        body.contains(&format!("Room {code} is locked: nobody new may join")),
        "{body}"
    );
    assert!(body.contains(r#"value="Cy""#), "the name is kept");
    // Bob, a member, reloads on the other server.
    let page = get_text(&bob.http, &a.url(&format!("/r/{code}"))).await;
    assert!(page.contains("The room was locked"), "{page}");
    post_see_other(&ann, b, &lock, &[("lock", "off")]).await;
    let (status, _) = try_join(&client(), a, "Cy", &code).await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn a_removal_on_one_server_ends_the_stream_on_another() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, code) = create_room(a, "Ann").await;
    let (bob, mut bobs) = member(b, "Bob", &code).await;
    let seed = own_seed(&get_text(&bob.http, &b.url(&format!("/r/{code}"))).await);
    post_see_other(&ann, a, &format!("/r/{code}/p/{seed}/remove"), &[]).await;
    bobs.until("The room's owner removed you from this room.")
        .await;
    let (status, body) = try_join(&bob.http, a, "Bob", &code).await;
    assert_eq!(status, 403);
    assert!(body.contains("The room's owner removed you from this room"));
    let (status, _) = try_join(&bob.http, b, "Bob", &code).await;
    assert_eq!(status, 403, "on every server");
}

#[tokio::test]
async fn a_ban_made_through_one_server_refuses_joins_and_posts_on_every_server() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (ann, code) = create_room(a, "Ann").await;
    let chat = console(&c).await;
    let code = RoomCode::from_path(&code).expect("code");
    let ann_id = chat.owner(&code).await.expect("owner").expect("Ann");
    let ann = enter_with(ann, b, "Ann", "general").await;
    let until = time::OffsetDateTime::now_utc() + Duration::from_secs(3600);
    chat.ban(ann_id, Some(until)).await.expect("ban");
    let res = ann.send(b, "general", "spam").await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.expect("body");
    assert!(body.contains("You may not join or post until"), "{body}");
    let (status, _) = try_join(&ann.http, a, "Ann", "hobby").await;
    assert_eq!(status, 403, "on the other server");
    chat.ban(ann_id, None).await.expect("lifted");
    ann.say(a, "general", "sorry").await;
}
