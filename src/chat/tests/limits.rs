//! Caps through the store: private rooms held per address, the pools of
//! private and random-chat rooms, and waiting pages among a member's streams.

use super::*;

/// The kit's settings with a few caps set small.
fn small(kit: &Kit, max_rooms: usize, max_pair_rooms: usize, held: usize) -> Settings {
    Settings {
        max_rooms,
        max_pair_rooms,
        address_rooms_held: held,
        max_streams: 2,
        max_queue: 100,
        ..kit.settings(200, 50, 1000)
    }
}

async fn private_rooms_count_against_their_holder_until_they_close(kit: Kit) {
    let chat = kit.make(small(&kit, 100, 100, 2), Arc::new(Plain)).await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let first = chat
        .create_room(&ann, Some("10.0.0.1"))
        .await
        .expect("first");
    chat.create_room(&bob, Some("10.0.0.1"))
        .await
        .expect("second, by someone else from the same address");
    assert_eq!(
        chat.create_room(&member("Cy"), Some("10.0.0.1")).await,
        Err(ChatError::RoomsHeld),
        "two at once from one address"
    );
    chat.create_room(&member("Dee"), Some("10.0.0.2"))
        .await
        .expect("other addresses are not held up");
    chat.leave(&first, ann.id).await.expect("Ann leaves");
    chat.create_room(&member("Cy"), Some("10.0.0.1"))
        .await
        .expect("a room that closed gives its place back");
    assert_eq!(
        chat.create_room(&member("Eve"), Some("10.0.0.1")).await,
        Err(ChatError::RoomsHeld),
        "and only one"
    );
}

async fn a_room_closed_after_grace_gives_its_holders_place_back(kit: Kit) {
    let chat = kit.make(small(&kit, 100, 100, 1), Arc::new(Plain)).await;
    chat.create_room(&member("Ann"), Some("10.0.0.1"))
        .await
        .expect("first");
    assert_eq!(
        chat.create_room(&member("Bob"), Some("10.0.0.1")).await,
        Err(ChatError::RoomsHeld)
    );
    // Ann never opens the room's stream: it closes after the grace period.
    kit.pass(kit.grace * 2).await;
    let again = kit
        .until(|| async {
            chat.create_room(&member("Bob"), Some("10.0.0.1"))
                .await
                .is_ok()
        })
        .await;
    assert!(again, "the room closed and its place came back");
}

async fn filling_the_private_rooms_leaves_strangers_their_own_pool(kit: Kit) {
    let chat = kit.make(small(&kit, 2, 1, 100), Arc::new(Plain)).await;
    let ann = member("Ann");
    let first = chat.create_room(&ann, None).await.expect("first");
    chat.create_room(&member("Bob"), None)
        .await
        .expect("second");
    assert_eq!(
        chat.create_room(&member("Eve"), None).await,
        Err(ChatError::Full),
        "--max-rooms private rooms at once"
    );
    let (cy, dee) = (member("Cy"), member("Dee"));
    assert_eq!(chat.queue(&cy).await, Ok(Pairing::Waiting));
    let Ok(Pairing::Matched(code)) = chat.queue(&dee).await else {
        panic!("strangers are paired while the private rooms are full");
    };
    assert_eq!(
        chat.pairing(cy.id).await,
        Some(Pairing::Matched(code)),
        "both"
    );
    // The pair room takes no place among the private rooms.
    chat.leave(&first, ann.id).await.expect("Ann leaves");
    chat.create_room(&member("Gus"), None)
        .await
        .expect("one private room closed: one more, beside the pair room");
}

async fn waiting_pages_count_among_the_members_streams(kit: Kit) {
    let chat = kit.make(small(&kit, 100, 100, 100), Arc::new(Plain)).await;
    let ann = member("Ann");
    chat.queue(&ann).await.expect("queued");
    let first = chat
        .watch_pairing(ann.id)
        .await
        .expect("one")
        .expect("queued");
    let snapshot = chat.enter(&general(), &ann).await.expect("enter");
    let _room = chat
        .subscribe(&general(), ann.id, Some(snapshot.last))
        .await
        .expect("a room page beside it: two");
    assert!(
        matches!(
            chat.watch_pairing(ann.id).await,
            Err(ChatError::TooManyStreams)
        ),
        "a third waiting page is one stream too many"
    );
    assert!(
        matches!(
            chat.subscribe(&general(), ann.id, Some(snapshot.last))
                .await,
            Err(ChatError::TooManyStreams)
        ),
        "so is a third room page"
    );
    drop(first);
    let again = kit
        .until(|| async { matches!(chat.watch_pairing(ann.id).await, Ok(Some(_))) })
        .await;
    assert!(again, "a closed waiting page gives its place back");
}

on_both_stores!(
    private_rooms_count_against_their_holder_until_they_close,
    a_room_closed_after_grace_gives_its_holders_place_back,
    filling_the_private_rooms_leaves_strangers_their_own_pool,
    waiting_pages_count_among_the_members_streams,
);
