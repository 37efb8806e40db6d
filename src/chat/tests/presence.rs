//! Who is present: entering, grace periods, several streams of one member,
//! leaving, rooms that go with their last member, the Online list.

use super::*;

async fn entering_twice_announces_once(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let snapshot = chat.enter(&general(), &ann).await.expect("enter again");
    assert_eq!(log_texts(&snapshot), ["joined Ann +0"]);
}

async fn a_reload_within_grace_makes_no_notice(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut watcher = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    let first = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe");
    drop(first); // the reload closes the stream...
    kit.pass(kit.grace / 3).await;
    let second = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe"); // ...and opens another
    kit.pass(kit.grace * 2).await;
    let got = drain(&mut watcher.rx);
    assert!(!got.iter().any(|t| t.starts_with("left")), "{got:?}");
    drop(second);
    kit.pass(kit.grace * 2).await;
    let got = hear(&mut watcher.rx, "left Bob +0").await;
    assert!(got.contains(&"left Bob +0".to_owned()), "{got:?}");
}

async fn a_member_who_never_connects_leaves_after_grace(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(chat.public_rooms().await[0].members, 1);
    kit.pass(kit.grace * 2).await;
    let gone = kit
        .until(|| async { chat.public_rooms().await[0].members == 0 })
        .await;
    assert!(gone, "Ann left after the grace period");
}

async fn page_loads_without_a_stream_do_not_keep_a_member(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let gone = kit
        .until(|| async {
            let gone = chat.public_rooms().await[0].members == 0;
            if !gone {
                chat.enter(&general(), &ann).await.expect("reload");
                kit.pass(kit.grace / 2).await;
            }
            gone
        })
        .await;
    assert!(gone, "only an open stream keeps a member present");
}

async fn several_streams_are_one_member(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    let a = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("tab 1");
    let b = chat
        .subscribe(&general(), ann.id, None)
        .await
        .expect("tab 2");
    assert_eq!(chat.public_rooms().await[0].members, 1);
    drop(a);
    kit.pass(kit.grace * 2).await;
    assert_eq!(
        chat.public_rooms().await[0].members,
        1,
        "one tab still open"
    );
    assert_eq!(chat.stats().await.streams, 1);
    drop(b);
}

async fn leave_is_immediate_and_ends_the_members_streams(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut watcher = listen(&*chat, &ann).await;
    chat.enter(&general(), &bob).await.expect("enter");
    let mut bobs = chat
        .subscribe(&general(), bob.id, None)
        .await
        .expect("subscribe");
    chat.leave(&general(), bob.id).await.expect("leave");
    assert!(drain(&mut watcher.rx).contains(&"left Bob +0".to_owned()));
    assert!(
        bobs.here.changed().await.is_err(),
        "Bob's stream is told he left"
    );
    assert_eq!(
        chat.post(&general(), bob.id, say("still here?")).await,
        Err(ChatError::NotMember)
    );
    assert_eq!(
        chat.subscribe(&general(), bob.id, None).await.err(),
        Some(ChatError::NotMember)
    );
}

async fn a_private_room_goes_with_its_last_member_and_public_rooms_stay(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
    assert_eq!(chat.resolve(code.as_str()).await, Ok(code.clone()));
    let mut sub = chat
        .subscribe(&code, ann.id, None)
        .await
        .expect("subscribe");
    chat.enter(&general(), &ann).await.expect("enter");
    chat.leave(&general(), ann.id).await.expect("leave");
    assert!(chat.resolve("general").await.is_ok());
    drain(&mut sub.rx);
    let rx_closed = {
        let guard = sub.guard;
        drop(guard);
        kit.pass(kit.grace * 2).await;
        loop {
            match tokio::time::timeout(kit.patience(), sub.rx.recv()).await {
                Ok(Ok(_)) => continue, // her own leave notice
                Ok(Err(e)) => break matches!(e, RecvError::Closed),
                Err(_) => break false,
            }
        }
    };
    assert!(rx_closed, "the room's channel is gone");
    assert_eq!(
        chat.resolve(code.as_str()).await,
        Err(ChatError::NoSuchRoom(code.to_string()))
    );
    assert_eq!(chat.stats().await.rooms, 1);
    assert_eq!(chat.stats().await.members, 0);
}

#[tokio::test(start_paused = true)]
async fn the_online_list_is_sent_at_most_once_a_second() {
    // Counted against the paused clock, so only in memory; the Redis store
    // coalesces the same way per server (see `online_counts_everyone`).
    let kit = Kit::memory();
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 20).await;
    let onlines = |got: &[String]| got.iter().filter(|t| t.starts_with("online")).count();
    assert!(onlines(&drain(&mut sub.rx)) <= 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let got = drain(&mut sub.rx);
    assert_eq!(onlines(&got), 1, "{got:?}");
    assert!(
        got.iter().any(|t| t.ends_with("of 21")),
        "the last list counts everyone: {got:?}"
    );
}

async fn online_counts_everyone(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 20).await;
    let got = hear(
        &mut sub.rx,
        "online Ann,P0,P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P12,P13,P14,P15,P16,P17,P18,P19 of 21",
    )
    .await;
    assert!(
        got.iter().any(|t| t.ends_with("of 21")),
        "the last list counts everyone, in order of arrival: {got:?}"
    );
}

on_both_stores!(
    entering_twice_announces_once,
    a_reload_within_grace_makes_no_notice,
    a_member_who_never_connects_leaves_after_grace,
    page_loads_without_a_stream_do_not_keep_a_member,
    several_streams_are_one_member,
    leave_is_immediate_and_ends_the_members_streams,
    a_private_room_goes_with_its_last_member_and_public_rooms_stay,
    online_counts_everyone,
);
