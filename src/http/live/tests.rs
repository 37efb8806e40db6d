//! A live stream on its own, without a socket: what it sends, in order.

use super::*;
use crate::chat::{Member, MemberId, MessageText, Name, Seed};
use crate::config::Config;
use clap::Parser;

fn live_member(name: &str) -> (RoomCode, Member) {
    let room = RoomCode::parse_slug("general").expect("slug");
    let member = Member {
        id: MemberId::random(),
        name: Name::parse(name, 32).expect("name"),
        seed: Seed::random(),
    };
    (room, member)
}

async fn open_live(app: &AppState, room: &RoomCode, who: &Member) -> Live {
    let snapshot = app.chat.enter(room, who).await.expect("enter");
    let sub = app
        .chat
        .subscribe(room, who.id, Some(snapshot.last))
        .await
        .expect("subscribe");
    let mut live = Live::new(app, room.clone(), sub, connected(), Doc::Events);
    while !live.backlog.is_empty() {
        live.next(Doc::Events).await;
    }
    live
}

async fn say(app: &AppState, room: &RoomCode, who: &Member, text: &str) {
    let text = MessageText::parse(text, 2000).expect("text");
    app.chat.post(room, who.id, text).await.expect("post");
}

/// Frames already waiting go out at once; once the member has left, what
/// was published before goes out, then the last words, and nothing after.
#[tokio::test]
async fn a_member_who_left_gets_what_was_waiting_then_last_words() {
    let config = Config::parse_from(["livechat", "--rate-messages", "1000"]);
    let (app, _trigger) = AppState::new(config).expect("config");
    let (room, ann) = live_member("Ann");
    let (_, bob) = live_member("Bob");
    let mut live = open_live(&app, &room, &ann).await;
    app.chat.enter(&room, &bob).await.expect("enter");
    say(&app, &room, &bob, "one").await;
    say(&app, &room, &bob, "two").await;
    app.chat.leave(&room, ann.id).await.expect("leave");
    let mut sent = String::new();
    loop {
        match live.next(Doc::Events).await {
            Step::Send(bytes) => sent.push_str(&String::from_utf8_lossy(&bytes)),
            Step::End(bytes) => {
                sent.push_str(&String::from_utf8_lossy(&bytes));
                break;
            }
        }
    }
    let one = sent.find(">one<").expect("one");
    let two = sent.find(">two<").expect("two");
    let words = sent.find("You left this room.").expect("last words");
    assert!(one < two && two < words, "{sent}");
}

/// A stream waiting with nothing to send is woken when its member leaves.
#[tokio::test]
async fn a_waiting_stream_hears_its_member_leave() {
    let config = Config::parse_from(["livechat"]);
    let (app, _trigger) = AppState::new(config).expect("config");
    let (room, ann) = live_member("Ann");
    let mut live = open_live(&app, &room, &ann).await;
    let waiting = tokio::spawn(async move { live.next(Doc::Events).await });
    tokio::task::yield_now().await;
    app.chat.leave(&room, ann.id).await.expect("leave");
    // Her own leave notice, or the last words if that went first.
    let (Step::Send(bytes) | Step::End(bytes)) = waiting.await.expect("the stream task");
    let sent = String::from_utf8_lossy(&bytes);
    assert!(
        sent.contains("<bdi>Ann</bdi> left") || sent.contains("You left"),
        "{sent}"
    );
}

/// A stopping server ends a stream even while its room keeps sending.
#[tokio::test]
async fn a_stream_ends_on_shutdown_even_with_frames_waiting() {
    let config = Config::parse_from(["livechat", "--rate-messages", "1000"]);
    let (app, trigger) = AppState::new(config).expect("config");
    let (room, ann) = live_member("Ann");
    let mut live = open_live(&app, &room, &ann).await;
    for n in 0..10 {
        say(&app, &room, &ann, &format!("m{n}")).await;
    }
    trigger.stop();
    let Step::End(bytes) = live.next(Doc::Events).await else {
        panic!("a stopping server sends no more frames")
    };
    assert!(String::from_utf8_lossy(&bytes).contains("restarting"));
}

/// A reader that stopped reading falls behind the room's channel; when it
/// reads again it gets the whole log once, never the room held up.
#[tokio::test]
async fn a_slow_reader_is_resynced_not_waited_for() {
    let config = Config::parse_from(["livechat", "--history", "16", "--rate-messages", "1000"]);
    let (app, _trigger) = AppState::new(config).expect("config");
    let room = RoomCode::parse_slug("general").expect("slug");
    let ann = Member {
        id: MemberId::random(),
        name: Name::parse("Ann", 32).expect("name"),
        seed: Seed::random(),
    };
    let snapshot = app.chat.enter(&room, &ann).await.expect("enter");
    let sub = app
        .chat
        .subscribe(&room, ann.id, Some(snapshot.last))
        .await
        .expect("subscribe");
    let mut live = Live::new(&app, room.clone(), sub, connected(), Doc::Events);
    while !live.backlog.is_empty() {
        live.next(Doc::Events).await;
    }
    for n in 0..100 {
        let text = MessageText::parse(&format!("m{n}"), 2000).expect("text");
        app.chat
            .post(&room, ann.id, text)
            .await
            .expect("posting never waits for readers");
    }
    let Step::Send(bytes) = live.next(Doc::Events).await else {
        panic!("the stream goes on")
    };
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("innerMorph") && text.contains(">m99<") && !text.contains(">m50<"),
        "{text}"
    );
    app.chat
        .post(
            &room,
            ann.id,
            MessageText::parse("after", 2000).expect("text"),
        )
        .await
        .expect("post");
    loop {
        let Step::Send(bytes) = live.next(Doc::Events).await else {
            panic!("the stream goes on")
        };
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(">m99<"), "nothing is sent twice: {text}");
        if text.contains(">after<") {
            break;
        }
    }
}
