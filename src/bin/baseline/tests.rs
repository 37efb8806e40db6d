use livechat::chat::{Author, Event, EventId, MessageText, Name, Place, Render, RoomCode, Seed};
use livechat::views::stream::Renderer;

use super::*;

/// The baseline's message frame is byte for byte livechat's for the same
/// message (its log item, then the unread mark), so the fan-out
/// comparison moves as many bytes; a change to livechat's markup fails
/// here until the baseline follows.
#[test]
fn a_message_is_framed_as_livechat_frames_it() {
    let at = time::macros::datetime!(2026-12-03 07:46:09.5 UTC);
    let (name, text) = ("Ann & <Bo>", "Hi \"Eve\" & <b>you</b>\nbye");
    let seed = format!("{:016x}", seed_of(name));
    let code = "K7QX";
    let (epoch, seq) = (1_764_748_800_000, 42);
    let event = Event::Message {
        mentions: Vec::new(),
        author: Author {
            name: Name::parse(name, 40).expect("a name"),
            seed: Seed::parse(&seed).expect("a seed"),
        },
        text: MessageText::parse(text, 2000).expect("a message"),
        at,
    };
    let room = RoomCode::parse_private(code).expect("a code");
    let livechat = Renderer.log_item(&room, EventId { epoch, seq }, &event, Place::default());
    let id = format!("{epoch}-{seq}");
    let item = message_item(code, &id, &seed, name, text, at);
    assert_eq!(
        item,
        String::from_utf8_lossy(&livechat.html),
        "the log item"
    );
    let ours = frame(&id, &item, &format!("Room {code}"));
    assert_eq!(ours, String::from_utf8_lossy(&livechat.sse), "the frame");
}

/// A join or a leave is livechat's notice for one name, byte for byte.
#[test]
fn a_notice_is_rendered_as_livechat_renders_it() {
    let at = time::macros::datetime!(2026-12-03 23:59:59 UTC);
    let name = "Ann & <Bo>";
    let names = vec![Name::parse(name, 40).expect("a name")];
    let (epoch, seq) = (1_764_748_800_000, 7);
    let room = RoomCode::parse_private("K7QX").expect("a code");
    let id = format!("{epoch}-{seq}");
    for (what, event) in [
        (
            "joined",
            Event::Joined {
                names: names.clone(),
                more: 0,
                at,
            },
        ),
        (
            "left",
            Event::Left {
                names: names.clone(),
                more: 0,
                at,
            },
        ),
    ] {
        let livechat = Renderer.log_item(&room, EventId { epoch, seq }, &event, Place::default());
        let ours = notice_item(&id, name, what, at);
        assert_eq!(ours, String::from_utf8_lossy(&livechat.html), "{what}");
    }
}
