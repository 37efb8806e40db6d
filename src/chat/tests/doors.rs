//! Rooms that an earlier version left in Redis, without doors, let in the
//! same people once a server of this version has started. Skipped (loudly)
//! without `redis-server`.

use super::*;
use crate::chat::Access;

/// Takes a room's door away, as an earlier version kept rooms.
async fn without_door(conn: &mut crate::chat::redis::testing::Conn, code: &RoomCode) {
    let key = format!("lc:{{{code}}}:r");
    let fields: Vec<String> = ::redis::AsyncCommands::hkeys(&mut *conn, &key)
        .await
        .expect("fields");
    for field in fields.iter().filter(|f| f.starts_with("pass:")) {
        let _: () = ::redis::AsyncCommands::hdel(&mut *conn, &key, field)
            .await
            .expect("hdel");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_kept_by_an_earlier_version_let_the_same_people_in() {
    let Some(kit) = Kit::redis() else { return };
    let url = kit.redis.as_ref().expect("redis").url();
    let settings = kit.settings(200, 50, 1000);
    let first = RedisStore::connect(&url, settings.clone(), Arc::new(Plain))
        .await
        .expect("the test's redis-server answers");
    let (ann, bob, cy, dan) = (member("Ann"), member("Bob"), member("Cy"), member("Dan"));
    first.enter(&general(), &ann).await.expect("enter");
    let private = first.create_room(&ann, None).await.expect("room");
    first.queue(&bob).await.expect("queue");
    let Pairing::Matched(pair) = first.queue(&cy).await.expect("queue") else {
        panic!("two strangers are paired");
    };
    let mut conn = crate::chat::redis::testing::connect(&url);
    for code in [&general(), &private, &pair] {
        without_door(&mut conn, code).await;
    }
    assert!(
        !first
            .leads(&private, Some(dan.id), Access::Enter)
            .await
            .expect("leads"),
        "without its door, a room lets nobody in"
    );
    let second = RedisStore::connect(&url, settings, Arc::new(Plain))
        .await
        .expect("the test's redis-server answers");
    let opened = kit
        .until(|| async {
            matches!(
                second.leads(&private, Some(dan.id), Access::Enter).await,
                Ok(true)
            )
        })
        .await;
    assert!(opened, "a private room opens to anyone again");
    let leads = |code: RoomCode, who: Option<MemberId>| {
        let second = second.clone();
        async move {
            second
                .leads(&code, who, Access::Enter)
                .await
                .expect("leads")
        }
    };
    assert!(leads(general(), None).await, "a public room is anyone's");
    assert!(leads(pair.clone(), Some(bob.id)).await && leads(pair.clone(), Some(cy.id)).await);
    assert!(
        !leads(pair.clone(), Some(dan.id)).await,
        "a pair room is still its two's"
    );
    second
        .enter(&general(), &dan)
        .await
        .expect("the public room is entered");
}
