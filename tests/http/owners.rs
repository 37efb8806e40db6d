//! A room's owner, and what the owner and the moderators decide: the owner
//! marked in the Online list, **Lock room**, **Remove {name}**, bans, slow
//! mode and read-only rooms, each refusal with its status and words.

use std::time::Duration;

use livechat::chat::Chat;

use super::*;

/// A site whose store the test also holds, as the moderator console would.
fn site_with_store(flags: &[&str]) -> (Visitor, Chat) {
    let (state, trigger) = AppState::new(common::config(flags)).expect("config");
    let chat = state.chat.clone();
    let visitor = Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    };
    (visitor, chat)
}

/// This visitor makes a private room as `name`: its code.
async fn make_room(owner: &mut Visitor, name: &str) -> String {
    let made = owner.post("/rooms", &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let code = made.location().trim_start_matches("/r/").to_owned();
    assert_eq!(owner.get(made.location()).await.status, StatusCode::OK);
    code
}

/// The avatar seed a room page was rendered for (its own stylesheet).
fn own_seed(page: &Answer) -> String {
    page.body
        .split("href=\"/me/")
        .nth(1)
        .and_then(|s| s.split(".css").next())
        .expect("own css")
        .to_owned()
}

#[tokio::test]
async fn the_maker_of_a_private_room_is_its_owner_and_alone_offered_the_lock() {
    let mut ann = site(&[]);
    let code = make_room(&mut ann, "Ann").await;
    let page = ann.get(&format!("/r/{code}")).await;
    page.assert_has(r#"<span class="owner">(owner)</span>"#);
    page.assert_has(r#"<input type="hidden" name="lock" value="on">"#);
    page.assert_has(">Lock room</button>");
    let mut bob = ann.stranger();
    bob.join("Bob", &code).await;
    let page = bob.get(&format!("/r/{code}")).await;
    page.assert_has("(owner)");
    assert!(!page.body.contains("Lock room"), "only the owner locks");
    // A public room has no owner.
    ann.join("Ann", "general").await;
    let page = ann.get("/r/general").await;
    assert!(!page.body.contains("(owner)") && !page.body.contains("Lock room"));
}

#[tokio::test]
async fn a_locked_room_refuses_newcomers_on_the_form_and_the_invite_card_keeping_the_name() {
    let mut ann = site(&[]);
    let code = make_room(&mut ann, "Ann").await;
    let mut bob = ann.stranger();
    bob.join("Bob", &code).await;
    let lock = format!("/r/{code}/lock");
    let refused = bob.post(&lock, &[("lock", "on")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_has("Only the room's owner may do that");
    let cross = ann
        .post_with(&lock, &[("lock", "on")], &[("origin", "http://evil.test")])
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "cross-site");
    let page = ann.get(&format!("/r/{code}")).await;
    page.assert_has(">Lock room</button>");
    let htmx = bob.htmx_post(&lock, &[("lock", "on")]).await;
    assert_eq!(htmx.status, StatusCode::FORBIDDEN);
    htmx.assert_has("Only the room's owner may do that");
    let odd = ann.post(&lock, &[("lock", "maybe")]).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without JavaScript: back to the room, which now offers Unlock room.
    let locked = ann.post(&lock, &[("lock", "on")]).await;
    assert_eq!(locked.status, StatusCode::SEE_OTHER);
    assert_eq!(locked.location(), format!("/r/{code}"));
    let page = ann.get(&format!("/r/{code}")).await;
    page.assert_has(">Unlock room</button>");
    page.assert_has("The room was locked: nobody new may join");
    let words = format!("Room {code} is locked: nobody new may join");
    let mut cy = ann.stranger();
    let refused = cy.post("/join", &[("name", "Cy"), ("code", &code)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_has(&format!(r#"role="alert">{words}"#));
    refused.assert_has(r#"value="Cy""#);
    // The invite card says it too, with the name kept.
    let card = cy
        .post(
            "/join",
            &[("name", "Cy"), ("room", &code), ("invite", &code)],
        )
        .await;
    assert_eq!(card.status, StatusCode::FORBIDDEN);
    card.assert_has("You are invited to room");
    card.assert_has(&format!(r#"role="alert">{words}"#));
    let link = cy.get(&format!("/r/{code}")).await;
    assert_eq!(link.status, StatusCode::FORBIDDEN);
    link.assert_has(&words);
    link.assert_has(r#"value="Cy""#);
    // A member reloads as ever.
    assert_eq!(bob.get(&format!("/r/{code}")).await.status, StatusCode::OK);
    // With htmx: the form that follows.
    let open = ann.htmx_post(&lock, &[("lock", "off")]).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        open.body.starts_with(r#"<form class="lock" id="lock""#),
        "{}",
        open.body
    );
    open.assert_has(">Lock room</button>");
    cy.join("Cy", &code).await;
}

#[tokio::test]
async fn the_owner_removes_a_member_who_cannot_come_back_by_any_door() {
    let mut ann = site(&[]);
    let code = make_room(&mut ann, "Ann").await;
    let ann_seed = own_seed(&ann.get(&format!("/r/{code}")).await);
    let mut bob = ann.stranger();
    bob.join("Bob", &code).await;
    let bob_seed = own_seed(&bob.get(&format!("/r/{code}")).await);
    let refused = bob
        .post(&format!("/r/{code}/p/{ann_seed}/remove"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "only the owner");
    let own = ann
        .post(&format!("/r/{code}/p/{ann_seed}/remove"), &[])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    own.assert_has("You cannot remove yourself");
    for seed in ["0123456789abcdef", "not-a-seed"] {
        let nobody = ann.post(&format!("/r/{code}/p/{seed}/remove"), &[]).await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND, "{seed}");
    }
    let cross = ann
        .post_with(
            &format!("/r/{code}/p/{bob_seed}/remove"),
            &[],
            &[("origin", "http://evil.test")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.get(&format!("/r/{code}")).await.status, StatusCode::OK);
    let removed = ann
        .post(&format!("/r/{code}/p/{bob_seed}/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(removed.location(), format!("/r/{code}"));
    let words = "The room's owner removed you from this room";
    let page = bob.get(&format!("/r/{code}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_has(words);
    let join = bob.post("/join", &[("name", "Bob"), ("code", &code)]).await;
    assert_eq!(join.status, StatusCode::FORBIDDEN);
    join.assert_has(words);
    let post = bob
        .post(&format!("/r/{code}/messages"), &[("text", "let me in")])
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND, "no longer a member");
    post.assert_has(r#"value="let me in""#);
    // With htmx the owner is sent back to the room.
    let mut cy = ann.stranger();
    cy.join("Cy", &code).await;
    let cy_seed = own_seed(&cy.get(&format!("/r/{code}")).await);
    let htmx = ann
        .htmx_post(&format!("/r/{code}/p/{cy_seed}/remove"), &[])
        .await;
    assert_eq!(htmx.headers["hx-redirect"], format!("/r/{code}"));
}

#[tokio::test]
async fn a_banned_session_and_its_address_may_not_join_or_post_until_the_ban_ends() {
    let (mut ann, chat) = site_with_store(&[]);
    ann.from = Some(([203, 0, 113, 9], 40_000).into());
    let code = make_room(&mut ann, "Ann").await;
    let owner = livechat::chat::RoomCode::from_path(&code).expect("code");
    let ann_id = chat.owner(&owner).await.expect("owner").expect("Ann");
    ann.join("Ann", "general").await;
    let until = time::OffsetDateTime::now_utc() + Duration::from_secs(3600);
    chat.ban(ann_id, Some(until)).await.expect("ban");
    let words = format!(
        "You may not join or post until {}",
        livechat::chat::control::clock_words(until)
    );
    let post = ann.post("/r/general/messages", &[("text", "spam")]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    post.assert_has(&words);
    post.assert_has(r#"value="spam""#);
    let htmx = ann
        .htmx_post("/r/general/messages", &[("text", "spam")])
        .await;
    assert_eq!(htmx.status, StatusCode::FORBIDDEN);
    htmx.assert_has(&words);
    let join = ann
        .post("/join", &[("name", "Ann"), ("code", "general")])
        .await;
    assert_eq!(join.status, StatusCode::FORBIDDEN);
    join.assert_has(&words);
    let page = ann.get("/r/general").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let create = ann.post("/rooms", &[("name", "Ann")]).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    let pair = ann.post("/pair", &[("name", "Ann")]).await;
    assert_eq!(pair.status, StatusCode::FORBIDDEN);
    pair.assert_has(&words);
    // A fresh session from the same address is the same person.
    let mut again = ann.stranger();
    again.from = ann.from;
    let join = again
        .post("/join", &[("name", "Annie"), ("code", "general")])
        .await;
    assert_eq!(join.status, StatusCode::FORBIDDEN);
    join.assert_has(&words);
    // Others are not touched.
    let mut bob = ann.stranger();
    bob.from = Some(([198, 51, 100, 2], 40_000).into());
    bob.join("Bob", "general").await;
    chat.ban(ann_id, None).await.expect("lifted");
    let post = ann.post("/r/general/messages", &[("text", "sorry")]).await;
    assert_eq!(post.status, StatusCode::SEE_OTHER);
    again.join("Annie", "general").await;
}

#[tokio::test]
async fn slow_mode_and_read_only_are_said_by_the_send_form_and_enforced() {
    let (mut ann, chat) = site_with_store(&[]);
    ann.join("Ann", "general").await;
    let general = livechat::chat::RoomCode::parse_slug("general").expect("slug");
    chat.slow_mode(&general, Some(Duration::from_secs(30)))
        .await
        .expect("slow");
    let page = ann.get("/r/general").await;
    page.assert_has("<li>Slow mode: one message every 30 s</li>");
    let first = ann.post("/r/general/messages", &[("text", "one")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = ann
        .htmx_post("/r/general/messages", &[("text", "two")])
        .await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    second.assert_has("You are sending messages too fast: wait 30 s and send again");
    second.assert_has(r#"value="two""#);
    chat.slow_mode(&general, None).await.expect("off");
    let until = time::OffsetDateTime::now_utc() + Duration::from_secs(600);
    chat.read_only(&general, Some(until))
        .await
        .expect("read-only");
    let words = format!(
        "This room is read-only until {}",
        livechat::chat::control::clock_words(until)
    );
    let page = ann.get("/r/general").await;
    page.assert_has(&format!("<li>{words}</li>"));
    page.assert_has("Slow mode is off");
    let refused = ann.post("/r/general/messages", &[("text", "three")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_has(&words);
    refused.assert_has(r#"value="three""#);
    chat.read_only(&general, None).await.expect("lifted");
    let sent = ann.post("/r/general/messages", &[("text", "three")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_persons_page_offers_remove_to_the_owner_alone() {
    let (mut ann, _) = site_with_store(&[]);
    let code = make_room(&mut ann, "Ann").await;
    let ann_seed = own_seed(&ann.get(&format!("/r/{code}")).await);
    let mut bob = ann.stranger();
    let joined = bob.post("/join", &[("name", "Bob"), ("code", &code)]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let bob_seed = own_seed(&bob.get(&format!("/r/{code}")).await);
    let page = ann.get(&format!("/r/{code}/p/{bob_seed}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_has("Remove <bdi>Bob</bdi>");
    page.assert_has(&format!("action=\"/r/{code}/p/{bob_seed}/remove\""));
    let theirs = bob.get(&format!("/r/{code}/p/{ann_seed}")).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(!theirs.body.contains("Remove"), "{}", theirs.body);
    let own = ann.get(&format!("/r/{code}/p/{ann_seed}")).await;
    assert!(!own.body.contains("Remove"), "not oneself");
}
