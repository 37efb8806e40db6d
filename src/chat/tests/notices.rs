//! Notices decided once in `rules` and obeyed by both stores: how many
//! names a gathered notice spells out, and departures gathered like arrivals.

use super::*;

async fn a_notice_spells_out_as_many_names_as_the_store_is_set_to(kit: Kit) {
    let mut settings = kit.settings(200, 3, 1000);
    settings.room.notice_names = 3;
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    crowd(&*chat, 10).await;
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
    hear(&mut sub.rx, "joined P2,P3 +5").await;
    for one in &crowd[4..] {
        chat.leave(&general(), one.id).await.expect("leave");
    }
    let leaves: Vec<String> = hear(&mut sub.rx, "left P4,P5 +3")
        .await
        .into_iter()
        .filter(|t| t.starts_with("left"))
        .collect();
    // Five members stay: the room is still busy, so all five leaves are one notice.
    assert_eq!(leaves, ["left P4,P5 +3"]);
}

on_both_stores!(
    a_notice_spells_out_as_many_names_as_the_store_is_set_to,
    departures_from_a_busy_room_are_gathered_into_one_notice,
);
