//! What a room's owner and the moderators decide: ownership and its
//! handover, removal, the lock, slow mode, read-only rooms and bans.

use super::*;

/// `owner` makes a private room and `others` enter it, in that order.
async fn private_room(chat: &dyn Store, owner: &Member, others: &[&Member]) -> RoomCode {
    let code = chat.create_room(owner, None).await.expect("create");
    for who in others {
        chat.enter(&code, who).await.expect("enter");
    }
    code
}

async fn whoever_makes_a_private_room_owns_it_and_public_rooms_have_none(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = private_room(&*chat, &ann, &[]).await;
    assert_eq!(chat.owner(&code).await, Ok(Some(ann.id)));
    chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(chat.owner(&general()).await, Ok(None));
    let rules = chat.room_rules(&code).await.expect("rules");
    assert_eq!(rules.owner, Some(ann.id));
    assert!(!rules.locked);
}

async fn the_longest_present_owns_the_room_when_the_owner_leaves(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let code = private_room(&*chat, &ann, &[&bob, &cy]).await;
    let mut sub = chat.subscribe(&code, cy.id, None).await.expect("subscribe");
    let snapshot = chat.enter(&code, &cy).await.expect("reload");
    assert_eq!(snapshot.online.owner, Some(ann.seed.clone()), "marked");
    chat.leave(&code, ann.id).await.expect("leave");
    assert_eq!(chat.owner(&code).await, Ok(Some(bob.id)));
    let got = hear(&mut sub.rx, "owner Bob").await;
    assert!(got.contains(&"owner Bob".to_owned()), "{got:?}");
    let snapshot = chat.enter(&code, &cy).await.expect("reload");
    assert_eq!(snapshot.online.owner, Some(bob.seed.clone()), "marked");
    // Bob goes too: Cy, the only one left.
    chat.leave(&code, bob.id).await.expect("leave");
    assert_eq!(chat.owner(&code).await, Ok(Some(cy.id)));
}

async fn the_owner_is_handed_over_when_their_grace_period_ends(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let code = private_room(&*chat, &ann, &[]).await;
    chat.enter(&code, &bob).await.expect("enter");
    let mut sub = chat
        .subscribe(&code, bob.id, None)
        .await
        .expect("subscribe");
    // Ann never opens a stream: her grace period ends.
    kit.pass(kit.grace * 2).await;
    let got = hear(&mut sub.rx, "owner Bob").await;
    assert!(got.contains(&"owner Bob".to_owned()), "{got:?}");
    assert_eq!(chat.owner(&code).await, Ok(Some(bob.id)));
}

async fn a_removed_member_leaves_at_once_and_is_kept_out(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let code = private_room(&*chat, &ann, &[&bob, &cy]).await;
    let sub = chat
        .subscribe(&code, bob.id, None)
        .await
        .expect("subscribe");
    assert_eq!(
        chat.remove(&code, cy.id, &bob.seed).await,
        Err(ChatError::NotOwner),
        "only the owner removes"
    );
    assert_eq!(
        chat.remove(&code, ann.id, &ann.seed).await,
        Err(ChatError::RemoveSelf)
    );
    chat.remove(&code, ann.id, &bob.seed).await.expect("remove");
    let mut here = sub.here;
    let ended = tokio::time::timeout(kit.patience(), here.changed()).await;
    assert!(matches!(ended, Ok(Err(_))), "Bob's stream ends");
    assert_eq!(chat.removed(&code, bob.id).await, Ok(true));
    assert_eq!(chat.removed(&code, cy.id).await, Ok(false));
    assert_eq!(
        chat.enter(&code, &bob).await.err(),
        Some(ChatError::Removed)
    );
    assert_eq!(
        chat.leads(&code, Some(bob.id), Access::Member).await,
        Ok(false)
    );
}

async fn a_locked_room_refuses_newcomers_but_not_a_members_reload(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let code = private_room(&*chat, &ann, &[&bob]).await;
    assert_eq!(
        chat.lock(&code, bob.id, true).await,
        Err(ChatError::NotOwner)
    );
    let mut sub = chat
        .subscribe(&code, bob.id, None)
        .await
        .expect("subscribe");
    chat.lock(&code, ann.id, true).await.expect("lock");
    let got = hear(&mut sub.rx, "locked true").await;
    assert!(got.contains(&"locked true".to_owned()), "{got:?}");
    assert!(chat.room_rules(&code).await.expect("rules").locked);
    assert_eq!(
        chat.enter(&code, &cy).await.err(),
        Some(ChatError::Locked(code.clone()))
    );
    chat.enter(&code, &bob).await.expect("a member reloads");
    chat.lock(&code, ann.id, false).await.expect("unlock");
    let got = hear(&mut sub.rx, "locked false").await;
    assert!(got.contains(&"locked false".to_owned()), "{got:?}");
    chat.enter(&code, &cy).await.expect("open again");
}

async fn slow_mode_allows_one_message_per_pace(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.enter(&general(), &ann).await.expect("enter");
    chat.enter(&general(), &bob).await.expect("enter");
    let every = kit.rate_window * 30;
    chat.slow_mode(&general(), Some(every)).await.expect("slow");
    assert_eq!(
        chat.room_rules(&general()).await.expect("rules").slow,
        Some(every)
    );
    chat.post(&general(), ann.id, say("one"))
        .await
        .expect("first");
    chat.post(&general(), bob.id, say("mine"))
        .await
        .expect("per member");
    match chat.post(&general(), ann.id, say("two")).await {
        Err(ChatError::TooFast(wait)) => assert!(wait <= every && wait > every / 2, "{wait:?}"),
        other => panic!("not refused: {other:?}"),
    }
    chat.slow_mode(&general(), None).await.expect("off");
    chat.post(&general(), ann.id, say("two"))
        .await
        .expect("off again");
}

async fn leaving_and_coming_back_does_not_reset_slow_mode(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    for who in [&ann, &bob, &cy] {
        chat.enter(&general(), who).await.expect("enter");
    }
    let every = kit.rate_window * 30;
    chat.slow_mode(&general(), Some(every)).await.expect("slow");
    chat.post(&general(), ann.id, say("one"))
        .await
        .expect("first");
    chat.post(&general(), cy.id, say("mine"))
        .await
        .expect("first");
    chat.leave(&general(), ann.id).await.expect("leave");
    chat.enter(&general(), &ann).await.expect("back");
    match chat.post(&general(), ann.id, say("two")).await {
        Err(ChatError::TooFast(wait)) => assert!(wait <= every && wait > every / 2, "{wait:?}"),
        other => panic!("a leave and a join let it through: {other:?}"),
    }
    // Others' leaves change nothing; once the pace has passed, it is over.
    chat.leave(&general(), bob.id).await.expect("leave");
    assert!(matches!(
        chat.post(&general(), cy.id, say("again")).await,
        Err(ChatError::TooFast(_))
    ));
    // Gone by now (no stream held her), back once the pace has passed.
    kit.pass(every).await;
    chat.enter(&general(), &ann).await.expect("back");
    chat.post(&general(), ann.id, say("two"))
        .await
        .expect("its time came");
}

async fn a_read_only_room_refuses_posts_until_its_time(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let until = kit.clock.now_utc() + kit.grace * 4;
    chat.read_only(&general(), Some(until))
        .await
        .expect("read-only");
    assert_eq!(
        chat.post(&general(), ann.id, say("hi")).await,
        Err(ChatError::ReadOnly(rules::from_ms(rules::to_ms(until))))
    );
    kit.pass(kit.grace * 5).await;
    chat.enter(&general(), &ann).await.expect("enter");
    chat.post(&general(), ann.id, say("hi"))
        .await
        .expect("over");
    chat.read_only(&general(), Some(kit.clock.now_utc() + kit.grace))
        .await
        .expect("again");
    chat.read_only(&general(), None).await.expect("lifted");
    chat.post(&general(), ann.id, say("again"))
        .await
        .expect("lifted");
}

async fn a_ban_holds_the_session_and_its_address_until_its_end(kit: Kit) {
    let chat = kit.store().await;
    let (ann, fresh, other) = (member("Ann"), member("Ann2"), member("Bob"));
    chat.cleared(ann.id, Some("a:1")).await.expect("seen");
    let until = kit.clock.now_utc() + kit.grace * 4;
    chat.ban(ann.id, Some(until)).await.expect("ban");
    let banned = Err(ChatError::Banned(rules::from_ms(rules::to_ms(until))));
    assert_eq!(chat.cleared(ann.id, None).await, banned, "the session");
    assert_eq!(chat.cleared(ann.id, Some("a:2")).await, banned, "elsewhere");
    assert_eq!(
        chat.cleared(fresh.id, Some("a:1")).await,
        banned,
        "a fresh session from the address"
    );
    chat.cleared(other.id, Some("a:3")).await.expect("others");
    kit.pass(kit.grace * 5).await;
    chat.cleared(ann.id, Some("a:1")).await.expect("over");
    chat.ban(ann.id, Some(kit.clock.now_utc() + kit.grace * 4))
        .await
        .expect("again");
    chat.ban(ann.id, None).await.expect("lifted");
    chat.cleared(ann.id, Some("a:1")).await.expect("lifted");
}

on_both_stores!(
    whoever_makes_a_private_room_owns_it_and_public_rooms_have_none,
    the_longest_present_owns_the_room_when_the_owner_leaves,
    the_owner_is_handed_over_when_their_grace_period_ends,
    a_removed_member_leaves_at_once_and_is_kept_out,
    a_locked_room_refuses_newcomers_but_not_a_members_reload,
    slow_mode_allows_one_message_per_pace,
    leaving_and_coming_back_does_not_reset_slow_mode,
    a_read_only_room_refuses_posts_until_its_time,
    a_ban_holds_the_session_and_its_address_until_its_end,
);
