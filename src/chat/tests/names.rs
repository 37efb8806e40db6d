//! Names are unique in a room, on both stores: one already there is
//! refused (in any case, however it is spelled alike), on entering and on a
//! rename, which is then made nowhere; two strangers may share one. On
//! Redis, two servers letting two people of one name in at once admit one.

use super::*;

fn named(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .online
        .members
        .iter()
        .map(|a| a.name.to_string())
        .collect()
}

fn taken(name: &str) -> ChatError {
    ChatError::NameTaken(Name::parse(name, 32).expect("name"))
}

async fn a_name_already_in_the_room_is_refused_however_it_is_written(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    for typed in ["Ann", "ANN", "ａｎｎ", "A\u{200B}nn"] {
        let other = member(typed);
        let refused = chat.enter(&general(), &other).await.map(|_| ());
        assert_eq!(refused, Err(taken(typed)), "{typed:?}");
    }
    let again = chat.enter(&general(), &ann).await.expect("Ann comes back");
    assert_eq!(named(&again), vec!["Ann"], "nobody else came in");
    chat.leave(&general(), ann.id).await.expect("leave");
    let later = member("ann");
    chat.enter(&general(), &later)
        .await
        .expect("a name is free once its bearer left");
}

async fn a_private_room_refuses_a_name_its_maker_goes_by(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("room");
    let refused = chat.enter(&code, &member("ann")).await.map(|_| ());
    assert_eq!(refused, Err(taken("ann")));
    chat.enter(&code, &member("Bob"))
        .await
        .expect("Bob is welcome");
}

async fn a_rename_that_clashes_in_any_room_is_made_in_none(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let code = chat.create_room(&ann, None).await.expect("room");
    chat.enter(&code, &bob).await.expect("enter");
    chat.enter(&general(), &bob).await.expect("enter");
    let to = Name::parse("ANN", 32).expect("name");
    assert_eq!(chat.rename(bob.id, &to).await, Err(taken("ANN")));
    for room in [&general(), &code] {
        let snap = chat.enter(room, &bob).await.expect("still in");
        assert!(named(&snap).contains(&"Bob".to_owned()), "{room}");
        assert!(
            !log_texts(&snap).iter().any(|t| t.contains("renamed")),
            "{room}: nothing announced"
        );
    }
    // Ann may write her own name another way; Bob may take a free one.
    let own = Name::parse("ANN", 32).expect("name");
    chat.rename(ann.id, &own).await.expect("her own name");
    let free = Name::parse("Bobby", 32).expect("name");
    chat.rename(bob.id, &free).await.expect("a free name");
    let snap = chat.enter(&code, &bob).await.expect("in");
    let mut names = named(&snap);
    names.sort();
    assert_eq!(names, vec!["ANN", "Bobby"]);
    // The name Bob left is free again, and the one he took is his.
    let refused = chat.enter(&code, &member("bobby")).await.map(|_| ());
    assert_eq!(refused, Err(taken("bobby")));
    chat.enter(&code, &member("Bob"))
        .await
        .expect("Bob is free");
}

async fn someone_in_no_room_may_take_any_name(kit: Kit) {
    let chat = kit.store().await;
    chat.enter(&general(), &member("Ann")).await.expect("enter");
    let to = Name::parse("Ann", 32).expect("name");
    assert_eq!(chat.rename(MemberId::random(), &to).await, Ok(()));
}

async fn two_strangers_of_one_name_are_paired_anyway(kit: Kit) {
    let chat = kit.store().await;
    let (ann, other) = (member("Ann"), member("ann"));
    assert_eq!(chat.queue(&ann).await, Ok(Pairing::Waiting));
    let Ok(Pairing::Matched(code)) = chat.queue(&other).await else {
        panic!("two strangers of one name are paired");
    };
    let snap = chat.enter(&code, &other).await.expect("in their room");
    assert_eq!(snap.online.total, 2);
    let to = Name::parse("ANN", 32).expect("name");
    chat.rename(ann.id, &to)
        .await
        .expect("a stranger room's names may be alike");
}

on_both_stores!(
    a_name_already_in_the_room_is_refused_however_it_is_written,
    a_private_room_refuses_a_name_its_maker_goes_by,
    a_rename_that_clashes_in_any_room_is_made_in_none,
    someone_in_no_room_may_take_any_name,
    two_strangers_of_one_name_are_paired_anyway,
);

/// Many people called Ann come in at once through two servers of one
/// Redis, and as many rename themselves Bob at once: one of each is let in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_at_once_let_one_person_of_a_name_in() {
    let Some(kit) = Kit::redis() else { return };
    let (one, two) = (kit.store().await, kit.store().await);
    let anns: Vec<Member> = (0..20).map(|_| member("Ann")).collect();
    let room = general();
    let entries = anns.iter().enumerate().map(|(i, ann)| {
        let chat = if i % 2 == 0 { &one } else { &two };
        chat.enter(&room, ann)
    });
    let entered = futures_util::future::join_all(entries).await;
    let admitted = entered.iter().filter(|e| e.is_ok()).count();
    assert_eq!(admitted, 1, "one Ann");
    assert!(entered.iter().all(|e| match e {
        Ok(_) => true,
        Err(why) => *why == taken("Ann"),
    }));
    let people: Vec<Member> = (0..20).map(|i| member(&format!("P{i}"))).collect();
    for who in &people {
        one.enter(&general(), who).await.expect("enter");
    }
    let bob = Name::parse("Bob", 32).expect("name");
    let renames = people.iter().enumerate().map(|(i, who)| {
        let chat = if i % 2 == 0 { &one } else { &two };
        chat.rename(who.id, &bob)
    });
    let renamed = futures_util::future::join_all(renames).await;
    assert_eq!(renamed.iter().filter(|r| r.is_ok()).count(), 1, "one Bob");
}
