//! Where each item stands in the log, decided once as it is numbered and the
//! same on both stores: one person's messages in a row are grouped, and a
//! new day (UTC) opens with a divider; a page load gets the same decisions.

use super::*;

/// Prefixes each item with its place: "day", "grouped" or "item".
struct Placing;

impl Render for Placing {
    fn log_item(&self, room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame {
        let what = match (place.new_day, place.grouped) {
            (true, _) => "day",
            (false, true) => "grouped",
            (false, false) => "item",
        };
        let plain = Plain.log_item(room, id, event, place);
        let text = format!("{what} {}", String::from_utf8_lossy(&plain.sse));
        Frame {
            sse: text.clone().into(),
            html: text.into(),
            ..plain
        }
    }
    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame {
        Plain.online(room, last, online)
    }
    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        Plain.resync(room, last, items)
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        Plain.status(last, text)
    }
}

/// How long until just past the next midnight (UTC) on `clock`.
fn to_next_day(clock: &Clock) -> Duration {
    let now = clock.now_utc();
    let midnight = now
        .date()
        .next_day()
        .map_or(now, |day| day.midnight().assume_utc());
    let left = (midnight - now).unsigned_abs();
    left + Duration::from_secs(1)
}

fn items(heard: &[String]) -> Vec<String> {
    heard
        .iter()
        .filter(|t| !t.starts_with("online"))
        .cloned()
        .collect()
}

async fn messages_in_a_row_are_grouped_and_a_new_day_opens_with_a_divider(mut kit: Kit) {
    if kit.redis.is_none() {
        // Wall time that the test moves, on tokio's paused time.
        kit.clock = Clock::movable();
    }
    // Not too close to midnight, so the first part stays on one day.
    if to_next_day(&kit.clock) < Duration::from_secs(3600) {
        kit.clock.advance(Duration::from_secs(7200));
    }
    let chat = kit
        .make(kit.settings(200, 50, 1000), Arc::new(Placing))
        .await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut sub = listen(&*chat, &ann).await;
    let _bob_listens = listen(&*chat, &bob).await;
    for (who, text) in [
        (&ann, "one"),
        (&ann, "two"),
        (&bob, "three"),
        (&ann, "four"),
    ] {
        chat.post(&general(), who.id, say(text))
            .await
            .expect("post");
    }
    let heard = items(&hear(&mut sub.rx, "item Ann: four").await);
    assert_eq!(
        heard,
        [
            "item joined Bob +0",
            "item Ann: one",
            "grouped Ann: two",
            "item Bob: three",
            "item Ann: four",
        ]
    );

    kit.clock.advance(to_next_day(&kit.clock));
    chat.post(&general(), ann.id, say("five"))
        .await
        .expect("post");
    chat.post(&general(), ann.id, say("six"))
        .await
        .expect("post");
    let heard = items(&hear(&mut sub.rx, "grouped Ann: six").await);
    assert_eq!(heard, ["day Ann: five", "grouped Ann: six"]);

    // A page load shows the same decisions, kept with the items; on Redis,
    // another server of the cluster places them alike.
    let expected = [
        "day joined Ann +0",
        "item joined Bob +0",
        "item Ann: one",
        "grouped Ann: two",
        "item Bob: three",
        "item Ann: four",
        "day Ann: five",
        "grouped Ann: six",
    ];
    let again = chat.enter(&general(), &ann).await.expect("enter again");
    assert_eq!(log_texts(&again), expected);
    if kit.redis.is_some() {
        let other = kit
            .make(kit.settings(200, 50, 1000), Arc::new(Placing))
            .await;
        let there = other.enter(&general(), &bob).await.expect("enter there");
        assert_eq!(log_texts(&there), expected);
    }
}

on_both_stores!(messages_in_a_row_are_grouped_and_a_new_day_opens_with_a_divider);
