//! Notices decided once in `rules` and obeyed by both stores: renames,
//! how many names a gathered notice spells out, and arrivals and departures
//! gathered in a busy room. Batches wait on the kit's clock (`Kit::pass`),
//! never in real time.

use super::*;

async fn a_notice_spells_out_as_many_names_as_the_store_is_set_to(kit: Kit) {
    let mut settings = kit.settings(200, 3, 1000);
    settings.room.notice_names = 3;
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 10).await;
    kit.pass(rules::BATCH_EVERY).await;
    let joins: Vec<String> = hear(&mut sub.rx, "joined P2,P3,P4 +5")
        .await
        .into_iter()
        .filter(|t| t.starts_with("joined"))
        .collect();
    assert_eq!(
        joins,
        ["joined P0 +0", "joined P1 +0", "joined P2,P3,P4 +5"]
    );
}

async fn departures_from_a_busy_room_are_gathered_into_one_notice(kit: Kit) {
    // Nobody here opens a stream: a long grace keeps them until they leave.
    let settings = Settings {
        grace: Duration::from_secs(600),
        ..kit.settings(200, 3, 1000)
    };
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    let crowd: Vec<Member> = (0..9).map(|n| member(&format!("P{n}"))).collect();
    for one in &crowd {
        chat.enter(&general(), one).await.expect("enter");
    }
    kit.pass(rules::BATCH_EVERY).await;
    hear(&mut sub.rx, "joined P2,P3 +5").await;
    for one in &crowd[4..] {
        chat.leave(&general(), one.id).await.expect("leave");
    }
    kit.pass(rules::BATCH_EVERY).await;
    let leaves: Vec<String> = hear(&mut sub.rx, "left P4,P5 +3")
        .await
        .into_iter()
        .filter(|t| t.starts_with("left"))
        .collect();
    // Five members stay: the room is still busy, so all five leaves are one notice.
    assert_eq!(leaves, ["left P4,P5 +3"]);
}

async fn a_rename_is_announced_in_every_room_and_old_messages_keep_their_name(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
    chat.enter(&general(), &ann).await.expect("enter");
    chat.post(&general(), ann.id, say("before"))
        .await
        .expect("post");
    chat.rename(ann.id, &Name::parse("Annie", 32).expect("name"))
        .await
        .expect("renamed");
    for room in [&code, &general()] {
        let renamed = Member {
            name: Name::parse("Annie", 32).expect("name"),
            ..ann.clone()
        };
        let snap = chat.enter(room, &renamed).await.expect("enter");
        assert!(
            log_texts(&snap).contains(&"renamed Ann Annie".to_owned()),
            "{room}"
        );
        assert_eq!(snap.online.members[0].name.as_str(), "Annie");
    }
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    assert!(log_texts(&snap).contains(&"Ann: before".to_owned()));
}

async fn joins_in_a_big_room_are_batched_into_one_notice(kit: Kit) {
    let chat = kit.store_with(200, 3, 1000).await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    for n in 0..10 {
        chat.enter(&general(), &member(&format!("P{n}")))
            .await
            .expect("enter");
    }
    kit.pass(rules::BATCH_EVERY).await;
    let joins: Vec<String> = hear(&mut sub.rx, "joined P2,P3 +6")
        .await
        .into_iter()
        .filter(|t| t.starts_with("joined"))
        .collect();
    // Up to three members is a small room; from the fourth on, joins are gathered.
    assert_eq!(joins, ["joined P0 +0", "joined P1 +0", "joined P2,P3 +6"]);
}

/// Going by the name one already has changes nothing and tells nobody
/// (`rules::renames`), on either store.
async fn renaming_to_the_name_one_has_tells_nobody(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    chat.rename(ann.id, &ann.name).await.expect("same name");
    let annie = Name::parse("Annie", 32).expect("name");
    chat.rename(ann.id, &annie).await.expect("renamed");
    let heard = hear(&mut sub.rx, "renamed Ann Annie").await;
    let renames: Vec<&String> = heard.iter().filter(|t| t.starts_with("renamed")).collect();
    assert_eq!(renames, ["renamed Ann Annie"], "{heard:?}");
}

on_both_stores!(
    a_notice_spells_out_as_many_names_as_the_store_is_set_to,
    departures_from_a_busy_room_are_gathered_into_one_notice,
    a_rename_is_announced_in_every_room_and_old_messages_keep_their_name,
    joins_in_a_big_room_are_batched_into_one_notice,
    renaming_to_the_name_one_has_tells_nobody,
);
