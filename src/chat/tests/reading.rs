//! What each person has seen of each room, and random chat's typing line,
//! the same on both stores: seen moves only forward, per person and room;
//! a typing line reaches the room's streams (on Redis, through every
//! server) and is shown to the other stranger only.

use super::*;

async fn what_was_seen_is_kept_per_person_and_room_and_never_goes_back(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let other = RoomCode::parse_slug("random").expect("slug");
    let at = |seq| EventId { epoch: 7, seq };
    assert_eq!(chat.seen(&general(), ann.id).await, Ok(None), "first visit");

    chat.saw(&general(), ann.id, at(5)).await.expect("noted");
    assert_eq!(chat.seen(&general(), ann.id).await, Ok(Some(at(5))));
    chat.saw(&general(), ann.id, at(3)).await.expect("noted");
    assert_eq!(
        chat.seen(&general(), ann.id).await,
        Ok(Some(at(5))),
        "a tab closing late does not undo what another showed"
    );
    chat.saw(&general(), ann.id, at(9)).await.expect("noted");
    assert_eq!(chat.seen(&general(), ann.id).await, Ok(Some(at(9))));
    let next_life = EventId { epoch: 8, seq: 1 };
    chat.saw(&general(), ann.id, next_life)
        .await
        .expect("noted");
    assert_eq!(chat.seen(&general(), ann.id).await, Ok(Some(next_life)));

    assert_eq!(chat.seen(&other, ann.id).await, Ok(None), "per room");
    assert_eq!(chat.seen(&general(), bob.id).await, Ok(None), "per person");
}

/// Two strangers paired, each in the room, and each one's stream.
async fn paired(chat: &dyn Store) -> (RoomCode, [(Member, Subscription); 2]) {
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(code)) = chat.queue(&bob).await else {
        panic!("paired");
    };
    let mut subs = Vec::new();
    for who in [&ann, &bob] {
        let snap = chat.enter(&code, who).await.expect("in the room");
        let sub = chat
            .subscribe(&code, who.id, Some(snap.last))
            .await
            .expect("subscribe");
        subs.push(sub);
    }
    let bob_sub = subs.pop().expect("two");
    let ann_sub = subs.pop().expect("two");
    (code, [(ann, ann_sub), (bob, bob_sub)])
}

async fn a_typing_line_reaches_the_other_stranger_and_never_the_typer(kit: Kit) {
    let chat = kit.store().await;
    let (code, [(ann, mut ann_sub), (_, mut bob_sub)]) = paired(&*chat).await;
    chat.typing(&code, &ann).await.expect("told");
    let heard = hear(&mut bob_sub.rx, "typing Ann").await;
    assert_eq!(
        heard.last().map(String::as_str),
        Some("typing Ann"),
        "{heard:?}"
    );

    // The same frame reaches the room's channel; only the other one is
    // shown it.
    let frame = loop {
        let frame = tokio::time::timeout(kit.patience(), ann_sub.rx.recv())
            .await
            .expect("in time")
            .expect("a frame");
        if frame.kind == FrameKind::Typing {
            break frame;
        }
    };
    assert_eq!(frame.reach.whose.as_ref(), Some(&ann.seed));
    assert!(!ann_sub.view.borrow().shows(&frame), "not the typer");
    assert!(bob_sub.view.borrow().shows(&frame), "the other one");
    assert!(
        chat.enter(&code, &ann)
            .await
            .expect("in")
            .items
            .iter()
            .all(|f| f.kind == FrameKind::Log),
        "nothing of it is kept"
    );
}

async fn typing_is_refused_outside_random_chat_and_to_others(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(
        chat.typing(&general(), &ann).await,
        Err(ChatError::NoTyping)
    );
    let (code, _) = paired(&*chat).await;
    assert_eq!(
        chat.typing(&code, &member("Cy")).await,
        Err(ChatError::NotMember),
        "only its two strangers"
    );
}

on_both_stores!(
    what_was_seen_is_kept_per_person_and_room_and_never_goes_back,
    a_typing_line_reaches_the_other_stranger_and_never_the_typer,
    typing_is_refused_outside_random_chat_and_to_others,
);
