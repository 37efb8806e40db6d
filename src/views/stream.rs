//! What the streams carry: each event rendered once into a `text/event-stream`
//! message (for htmx's `hx-sse`) and a bare log item (for the no-JavaScript log).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::{BufMut, Bytes, BytesMut};
use maud::{Markup, PreEscaped, html};

use super::components::{Who, lost, online_items, online_now, stranger_left};
use super::log::{day_divider, item, item_id};
use super::room::{mention_title, unread_title};
use crate::chat::{
    Author, Event, EventId, Frame, FrameKind, Looks, Online, Place, Render, RoomCode,
};
use crate::look::{self, Look};
use crate::{t, th};

/// Name of the event that tells a page to stop its stream (`hx-sse:close`).
pub const CLOSE_EVENT: &str = "close";

/// The views' `Render`: the one place events become bytes.
pub struct Renderer;

impl Render for Renderer {
    // Each frame is rendered at once for the default look (whatever look
    // is in scope: a message is published inside its poster's request),
    // and again, once per look, for readers of another (`Frame::for_look`).
    fn log_item(&self, room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame {
        let frame = look::render_with(&Look::default(), || log_frame(room, id, event, place));
        let (room, event) = (room.clone(), event.clone());
        Frame {
            looks: Looks::new(move || log_frame(&room, id, &event, place)),
            ..frame
        }
    }

    fn deletion(&self, _: &RoomCode, id: EventId, item: &Frame) -> Frame {
        let frame = look::render_with(&Look::default(), || deletion_frame(id, item));
        let item = item.clone();
        Frame {
            looks: Looks::new(move || deletion_frame(id, &item.for_look(&look::current()))),
            ..frame
        }
    }

    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame {
        let frame = look::render_with(&Look::default(), || online_frame(room, last, online));
        let (room, online) = (room.clone(), online.clone());
        Frame {
            looks: Looks::new(move || online_frame(&room, last, &online)),
            ..frame
        }
    }

    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        let frame = look::render_with(&Look::default(), || resync_frame(room, last, items));
        let (room, items) = (room.clone(), items.to_vec());
        Frame {
            looks: Looks::new(move || {
                let look = look::current();
                let items: Vec<Frame> = items.iter().map(|f| f.for_look(&look)).collect();
                resync_frame(&room, last, &items)
            }),
            ..frame
        }
    }

    fn status(&self, last: EventId, text: &str) -> Frame {
        Frame::new(
            last,
            FrameKind::Status,
            message(None, &live_status(text).into_string()),
            Bytes::new(),
        )
    }

    fn typing(&self, _: &RoomCode, last: EventId, who: &Author) -> Frame {
        let frame = look::render_with(&Look::default(), || typing_frame(last, who));
        let who = who.clone();
        Frame {
            looks: Looks::new(move || typing_frame(last, &who)),
            ..frame
        }
    }
}

/// "Ann is typing…", in the look in scope. No `id:`: nothing numbered,
/// nothing to resume from. A new line restarts the stylesheet's clock that
/// hides it (`TYPING_SHOWN`).
fn typing_frame(last: EventId, who: &Author) -> Frame {
    let body = html! {
        hx-partial hx-target={ "#" (TYPING) } hx-swap="innerHTML" {
            span.typing { (th!("typing-line", name = Who(&who.name))) }
        }
    };
    Frame::new(
        last,
        FrameKind::Typing,
        message(None, &body.into_string()),
        Bytes::new(),
    )
}

/// The `id` of a random-chat page's typing line.
pub const TYPING: &str = "typing";

/// Empties the typing line: sent by a stream after the message of whom it
/// named (the same bytes for every stream).
pub fn typing_cleared() -> Bytes {
    let body = html! { hx-partial hx-target={ "#" (TYPING) } hx-swap="innerHTML" {} };
    message(None, &body.into_string())
}

/// How many rooms' and looks' mention titles are kept; past that the kept
/// ones are let go, so that no number of rooms and looks grows it for ever.
const MENTION_TITLES_KEPT: usize = 4096;

/// The tab title that tells a reader a message mentions them
/// (`mention_title`), as a message of its own: a stream sends it after the
/// frame of that message, to the readers it mentions alone. Rendered once
/// per room and look and shared by every stream.
pub fn mentioned(room: &RoomCode, look: &Look) -> Bytes {
    type Kept = HashMap<(RoomCode, Look), Bytes>;
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    let kept = KEPT.get_or_init(Mutex::default);
    let key = (room.clone(), look.clone());
    if let Some(bytes) = kept
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return bytes.clone();
    }
    let bytes = look::render_with(look, || message(None, &mention_title(room).into_string()));
    let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.len() >= MENTION_TITLES_KEPT {
        kept.clear();
    }
    kept.entry(key).or_insert(bytes).clone()
}

/// A log item's frame for the look in scope: the day divider goes before
/// it when it opens a day in the reader's zone, and its times read on the
/// reader's clock.
fn log_frame(room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame {
    let look = look::current();
    let at = event.at();
    let new_day = match place.before {
        Some(before) => look.day(before) != look.day(at),
        None => place.new_day,
    };
    let day = look.day(at);
    let divider = new_day.then(|| day_divider(id, day));
    let item = item(room, id, event, place.grouped && !new_day);
    let live = html! {
        @if let Some(divider) = &divider { (divider) }
        (item)
        @if let Event::StrangerLeft { name, code, .. } = event {
            // The page's send form gives way to "Hank left" and what to do next.
            hx-partial hx-target="#send" hx-swap="outerHTML" { (stranger_left(code, Some(name))) }
        }
    };
    Frame {
        id,
        kind: FrameKind::Log,
        sse: marked(room, id, &live.into_string()),
        html: Bytes::from(item.into_string()),
        divider: divider.map_or_else(Bytes::new, |d| Bytes::from(d.into_string())),
        day: Some(day),
        place,
        reach: Default::default(),
        looks: Looks::default(),
    }
}

/// The item in place of the deleted one, by its `id`: a page that shows
/// it swaps it, one that does not (it came later, or its log was let go)
/// has nothing to swap. No unread mark: nothing new.
fn deletion_frame(id: EventId, item: &Frame) -> Frame {
    let body = html! {
        hx-partial hx-target={ "#" (item_id(item.id)) } hx-swap="outerHTML" {
            (PreEscaped(String::from_utf8_lossy(&item.html)))
        }
    };
    Frame::new(
        id,
        FrameKind::Deletion,
        message(Some(id), &body.into_string()),
        Bytes::new(),
    )
}

fn online_frame(room: &RoomCode, last: EventId, online: &Online) -> Frame {
    let body = html! {
        hx-partial hx-target="#online" hx-swap="innerHTML" { (online_items(room, online)) }
        hx-partial hx-target="#online-count" hx-swap="textContent" { (online.total) }
    };
    Frame::new(
        last,
        FrameKind::Online,
        message(Some(last), &body.into_string()),
        // For the no-JavaScript Online document, which appends it.
        Bytes::from(online_now(room, online).into_string()),
    )
}

fn resync_frame(room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
    // Each item after its divider, as they were sent.
    let all: String = items
        .iter()
        .flat_map(|frame| [&frame.divider, &frame.html])
        .map(|bytes| String::from_utf8_lossy(bytes))
        .collect();
    // A morph keeps the items the page already has (same ids), so screen
    // readers hear only what is new; the status says that some was missed.
    let body = html! {
        hx-partial hx-target="#log-items" hx-swap="innerMorph" { (PreEscaped(all)) }
        (live_status(&t!("stream-resynced")))
    };
    Frame::new(
        last,
        FrameKind::Resync,
        marked(room, last, &body.into_string()),
        Bytes::new(),
    )
}

/// One message with `html` and the tab title's mark (`unread_title`),
/// which htmx takes out of what it swaps in and applies: one event per new
/// item for every stream (and every page), rendered once.
fn marked(room: &RoomCode, id: EventId, html: &str) -> Bytes {
    let mut all = String::with_capacity(html.len() + 80);
    all.push_str(html);
    all.push_str(&unread_title(room).into_string());
    message(Some(id), &all)
}

/// `status` for a stream that goes on: what says a lost stream stays in
/// the line, hidden, after the words.
fn live_status(text: &str) -> Markup {
    html! { hx-partial hx-target="#stream-status" hx-swap="innerHTML" { (text) (lost()) } }
}

/// A partial that puts `text` in the page's stream status line.
fn status(text: &str) -> Markup {
    html! { hx-partial hx-target="#stream-status" hx-swap="innerHTML" { (text) } }
}

/// One `text/event-stream` message: an optional `id:` and the HTML as `data:` lines.
pub fn message(id: Option<EventId>, html: &str) -> Bytes {
    let mut out = BytesMut::with_capacity(html.len() + 48);
    if let Some(id) = id {
        out.put_slice(format!("id: {id}\n").as_bytes());
    }
    for line in html.split('\n') {
        out.put_slice(b"data: ");
        out.put_slice(line.trim_end_matches('\r').as_bytes());
        out.put_u8(b'\n');
    }
    out.put_u8(b'\n');
    out.freeze()
}

/// The last words of a stream that cannot go on: says why on the page, then
/// tells htmx to stop reconnecting.
pub fn final_words(why: &str, link: Option<(&str, &str)>) -> Bytes {
    let body = html! {
        hx-partial hx-target="#stream-status" hx-swap="innerHTML" {
            (why)
            @if let Some((href, text)) = link { " " a href=(href) { (text) } }
        }
    };
    then_close(&message(None, &body.into_string()))
}

/// `bytes`, then the named event that makes htmx close the stream for good.
pub fn then_close(bytes: &[u8]) -> Bytes {
    let mut out = BytesMut::from(bytes);
    out.put_slice(format!("event: {CLOSE_EVENT}\ndata: {CLOSE_EVENT}\n\n").as_bytes());
    out.freeze()
}

/// A notice in the no-JavaScript log document, where nothing can be swapped.
pub fn log_notice(text: &str) -> Bytes {
    Bytes::from(html! { li.notice { p { (text) } } }.into_string())
}

/// The last words of the no-JavaScript log document after a message was
/// deleted: it cannot take back an item it has shown, so it loads itself
/// anew (the refresh of this framed document alone, once it ended; the
/// page around it and what is typed there stay), with a link for a browser
/// that does not follow it. Its plain address (`log`, beside itself): not
/// at the "New since you were last here" it opened with, which the person
/// has read since.
pub fn log_refresh() -> Bytes {
    let words = html! {
        meta http-equiv="refresh" content="0; url=log";
        li.notice { p { (t!("stream-deleted")) " " a href="log" { (t!("stream-show-log")) } } }
    };
    Bytes::from(words.into_string())
}

/// The last words of the no-JavaScript Online document once it has shown
/// `ONLINE_LISTS` lists: it loads itself anew, so it stays small (the
/// refresh of this framed document alone, once it ended), with a link for a
/// browser that does not follow it.
pub fn online_refresh() -> Bytes {
    let words = html! {
        meta http-equiv="refresh" content="0";
        p.notice { a href="" { (t!("stream-show-online")) } }
    };
    Bytes::from(words.into_string())
}

/// A line in a no-JavaScript waiting document, with a link for the whole window.
pub fn frame_notice(text: &str, link: Option<(&str, &str)>) -> Bytes {
    let line = html! {
        p { (text) @if let Some((href, words)) = link { " " a href=(href) target="_top" { (words) } } }
    };
    Bytes::from(line.into_string())
}

/// Sent to every stream when the server stops: reconnect in a few seconds.
pub fn restarting() -> Bytes {
    retrying(&t!("stream-restarting"))
}

/// A status line, and a reconnect three seconds after the stream ends.
fn retrying(text: &str) -> Bytes {
    let body = status(text).into_string();
    let mut out = BytesMut::from(&b"retry: 3000\n"[..]);
    out.put_slice(&message(None, &body));
    out.freeze()
}

/// Sent to a stream that cannot start because the store is out of reach:
/// the page says so and reconnects by itself a few seconds later.
pub fn unavailable() -> Bytes {
    retrying(&t!("stream-unreachable"))
}

/// Sent first on every stream: clears a stale status line (after a
/// reconnect), leaving in it, hidden, what says when the stream is lost.
pub fn connected() -> Bytes {
    let body = html! {
        hx-partial hx-target="#stream-status" hx-swap="innerHTML" { (lost()) }
    };
    message(None, &body.into_string())
}

/// A comment line that keeps proxies and browsers from timing the stream out.
pub const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

#[cfg(test)]
mod tests {
    use super::*;

    /// The Online list is rendered once per change for both kinds of page:
    /// partials for htmx, and a whole list for the no-JavaScript document.
    #[test]
    fn an_online_frame_carries_the_list_for_pages_without_javascript_too() {
        use crate::chat::{Author, Name, Seed};
        let online = Online {
            members: vec![Author {
                name: Name::parse("Ann", 32).expect("name"),
                seed: Seed::random(),
            }],
            total: 3,
            owner: None,
        };
        let room = RoomCode::parse_slug("general").expect("slug");
        let frame = Renderer.online(&room, EventId { epoch: 1, seq: 4 }, &online);
        let html = String::from_utf8_lossy(&frame.html);
        assert!(
            html.starts_with(r#"<div class="online-now"><p class="count">3 here now</p><ul class="online" aria-label="Online">"#),
            "{html}"
        );
        assert!(
            html.contains("<bdi>Ann</bdi>") && html.contains("and 2 more"),
            "{html}"
        );
        assert!(!html.contains("hx-partial"), "{html}");
        assert!(String::from_utf8_lossy(&frame.sse).contains(r##"hx-target="#online""##));
    }

    /// The server's own 5xx comes as a partial over the send form, which
    /// htmx applies though the form swaps no 5xx; other refusals are the
    /// form itself.
    #[test]
    fn a_send_refused_by_the_server_comes_as_a_partial() {
        use crate::views::room::{SendForm, refused_send_form};
        let code = RoomCode::parse_slug("general").expect("slug");
        let form = SendForm {
            text: "kept",
            error: Some("The chat cannot be reached".into()),
            ended: false,
        };
        let ours = refused_send_form(&code, &form, true).into_string();
        assert!(
            ours.starts_with(r##"<hx-partial hx-target="#send" hx-swap="outerHTML"><form"##),
            "{ours}"
        );
        assert!(ours.contains(r#"value="kept""#) && ours.contains("cannot be reached"));
        let plain = refused_send_form(&code, &form, false).into_string();
        assert!(plain.starts_with("<form"), "{plain}");
    }

    #[test]
    fn multi_line_html_becomes_several_data_lines() {
        let id = EventId { epoch: 1, seq: 2 };
        let bytes = message(Some(id), "<p>a\nb</p>");
        assert_eq!(&bytes[..], b"id: 1-2\ndata: <p>a\ndata: b</p>\n\n");
    }

    /// A new item and the tab title's mark travel as one message, so streams
    /// send one buffer per item, rendered once, and pages swap once.
    #[test]
    fn a_log_item_frame_carries_the_item_then_the_title_mark() {
        use crate::chat::{Author, MessageText, Name, Seed};
        let room = RoomCode::parse_slug("general").expect("slug");
        let id = EventId { epoch: 1, seq: 7 };
        let event = Event::Message {
            mentions: Vec::new(),
            author: Author {
                name: Name::parse("Ann", 32).expect("name"),
                seed: Seed::random(),
            },
            text: MessageText::parse("hello", 2000).expect("text"),
            at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let frame = Renderer.log_item(&room, id, &event, Place::default());
        let sse = String::from_utf8_lossy(&frame.sse);
        assert!(sse.starts_with("id: 1-7\ndata: <li"), "{sse}");
        assert!(
            sse.ends_with("</li><title>New activity · # general · livechat</title>\n\n"),
            "one message, the item then the mark: {sse}"
        );
        assert_eq!(sse.matches("\n\n").count(), 1, "{sse}");
        assert!(!String::from_utf8_lossy(&frame.html).contains("<title>"));
        let resync = Renderer.resync(&room, id, &[frame]);
        assert!(
            String::from_utf8_lossy(&resync.sse)
                .ends_with("New activity · # general · livechat</title>\n\n")
        );
    }

    /// An item that opens a day keeps its shared divider apart, with its
    /// day, so that a page for one reader words its own; the stream's
    /// message and a resync carry the divider, then the item.
    #[test]
    fn a_frame_opening_a_day_keeps_its_divider_beside_the_item() {
        use crate::chat::Name;
        let room = RoomCode::parse_slug("general").expect("slug");
        let id = EventId { epoch: 1, seq: 5 };
        let event = Event::Joined {
            names: vec![Name::parse("Ann", 32).expect("name")],
            more: 0,
            at: time::macros::datetime!(2026-12-01 07:46 UTC),
        };
        let place = Place {
            new_day: true,
            grouped: false,
            before: None,
        };
        let frame = Renderer.log_item(&room, id, &event, place);
        let divider = r#"<li class="day" id="day-e1-5"><h3><time datetime="2026-12-01">Tuesday 1 December 2026</time></h3></li>"#;
        assert_eq!(String::from_utf8_lossy(&frame.divider), divider);
        assert_eq!(frame.day, Some(time::macros::date!(2026 - 12 - 01)));
        let item = String::from_utf8_lossy(&frame.html).into_owned();
        assert!(
            item.starts_with(r#"<li class="notice presence" id="e1-5">"#),
            "{item}"
        );
        let sse = String::from_utf8_lossy(&frame.sse);
        assert!(
            sse.starts_with(&format!("id: 1-5\ndata: {divider}{item}<title>")),
            "{sse}"
        );
        let resync = Renderer.resync(&room, id, std::slice::from_ref(&frame));
        assert!(
            String::from_utf8_lossy(&resync.sse).contains(&format!("{divider}{item}")),
            "{:?}",
            resync.sse
        );
        let later = Renderer.log_item(&room, id.next(), &event, Place::default());
        assert!(later.divider.is_empty());
    }

    /// When a stranger leaves, one message (rendered once, for both; only the
    /// one who stays still hears it) adds the notice to the log and puts
    /// "Hank left" with **Find a new stranger** and **Home** in place of the
    /// send form; the kept log item carries no partial (a reload, the
    /// no-JavaScript log document and a resync show the item alone).
    #[test]
    fn a_stranger_leaving_replaces_the_send_form_in_the_same_message() {
        use crate::chat::Name;
        let room = RoomCode::parse_slug("general").expect("slug");
        let id = EventId { epoch: 1, seq: 3 };
        let event = Event::StrangerLeft {
            name: Name::parse("Hank", 32).expect("name"),
            code: room.clone(),
            at: time::OffsetDateTime::UNIX_EPOCH,
        };
        let frame = Renderer.log_item(&room, id, &event, Place::default());
        let sse = String::from_utf8_lossy(&frame.sse);
        assert_eq!(sse.matches("\n\n").count(), 1, "one message: {sse}");
        assert!(
            sse.contains(r##"<hx-partial hx-target="#send" hx-swap="outerHTML"><div class="stranger-left" id="send"><p class="left-words"><bdi>Hank</bdi> left</p>"##),
            "{sse}"
        );
        assert!(
            sse.contains(
                r#"<button class="primary" id="message" type="submit">Find a new stranger</button>"#
            ),
            "{sse}"
        );
        assert!(
            !sse.contains("autofocus"),
            "no focus pulled over the stream"
        );
        let html = String::from_utf8_lossy(&frame.html);
        assert!(!html.contains("hx-partial"), "{html}");
        assert!(
            html.contains(r#"<a class="button" href="/" target="_top">Home</a>"#),
            "{html}"
        );
    }

    /// The first event of every stream clears the status line, which a
    /// page starts with "Live updates are not connected" in it, leaving only
    /// what says a lost stream, hidden until one is.
    #[test]
    fn the_first_event_clears_the_status_line() {
        let bytes = connected();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.starts_with(
                "data: <hx-partial hx-target=\"#stream-status\" hx-swap=\"innerHTML\"><span class=\"lost\""
            ),
            "{text}"
        );
        assert!(!text.contains("not connected"), "{text}");
        assert_eq!(text.matches("\n\n").count(), 1, "one message: {text}");
    }

    #[test]
    fn final_words_close_the_stream() {
        let bytes = final_words("Gone.", None);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("data: <hx-partial"));
        assert!(text.ends_with("event: close\ndata: close\n\n"));
    }

    /// A deletion is one message of its own that swaps the item (in its
    /// place, grouped as it was) by its id, without the unread mark; the
    /// kept item is the deleted one, so a page load and a resync show it and
    /// no longer the text.
    #[test]
    fn a_deletion_swaps_the_item_in_its_place_and_the_log_keeps_it_deleted() {
        use crate::chat::log::RoomLog;
        use crate::chat::{Author, MessageText, Name, Seed};
        let room = RoomCode::parse_slug("general").expect("slug");
        let ann = Author {
            name: Name::parse("Ann", 32).expect("name"),
            seed: Seed::random(),
        };
        let at = time::macros::datetime!(2026-12-03 07:46 UTC);
        let said = |text: &str, at| Event::Message {
            mentions: Vec::new(),
            author: ann.clone(),
            text: MessageText::parse(text, 2000).expect("text"),
            at,
        };
        let mut log = RoomLog::new(room.clone(), EventId::start(1), 10);
        log.publish(&Renderer, &said("first secret", at));
        let later = at + time::Duration::minutes(1);
        log.publish(&Renderer, &said("second secret", later));
        let second = EventId { epoch: 1, seq: 2 };
        let deleted = Event::Deleted {
            author: ann.clone(),
            at: later,
            moderator: false,
        };
        assert!(log.delete_as(&Renderer, second.next(), second, &deleted));

        let history = log.history();
        let kinds: Vec<FrameKind> = history.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FrameKind::Log, FrameKind::Log, FrameKind::Deletion]);
        let kept = String::from_utf8_lossy(&history[1].html).into_owned();
        assert!(
            kept.starts_with(r#"<li class="msg deleted" id="e1-2" data-author="#)
                && kept.contains(" data-grouped>")
                && kept.contains(r#"<p class="text gone">Message deleted</p>"#)
                && !kept.contains("secret"),
            "{kept}"
        );
        let sse = String::from_utf8_lossy(&history[2].sse).into_owned();
        assert_eq!(
            sse,
            format!(
                "id: 1-3\ndata: <hx-partial hx-target=\"#e1-2\" hx-swap=\"outerHTML\">{kept}</hx-partial>\n\n"
            )
        );
        assert!(history[2].html.is_empty(), "no item of its own");
        let resync = log.resync().frame(&Renderer);
        let whole = String::from_utf8_lossy(&resync.sse);
        assert!(whole.contains("first secret") && !whole.contains("second secret"));
        assert!(whole.contains("Message deleted"), "{whole}");
    }
}

/// Each frame is rendered at once for the default look, and once more for
/// each other look among its readers, whatever their number.
#[cfg(test)]
mod looks {
    use super::*;
    use crate::chat::{Author, MessageText, Name, Seed};
    use crate::look::Clock;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn said(at: time::OffsetDateTime) -> Event {
        Event::Message {
            mentions: Vec::new(),
            author: Author {
                name: Name::parse("Ann", 32).expect("name"),
                seed: Seed::random(),
            },
            text: MessageText::parse("hello", 2000).expect("text"),
            at,
        }
    }

    fn look(zone: Option<&str>, clock: Clock) -> Look {
        Look {
            zone: zone.map(str::to_owned),
            clock,
            ..Look::default()
        }
    }

    #[test]
    fn a_frame_is_rendered_once_per_look_whatever_the_number_of_readers() {
        let room = RoomCode::parse_slug("general").expect("slug");
        let at = time::macros::datetime!(2026-12-03 18:05 UTC);
        let id = EventId { epoch: 1, seq: 1 };
        let frame = Renderer.log_item(&room, id, &said(at), Place::default());
        let renders = Arc::new(AtomicU64::new(0));
        let counter = renders.clone();
        let frame = Frame {
            looks: frame.looks.clone().counted(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }),
            ..frame
        };
        let paris = look(Some("Europe/Paris"), Clock::H12);
        let twelve = look(None, Clock::H12);
        let readers = [&paris, &paris, &paris, &twelve, &twelve];
        let shown: Vec<Frame> = readers
            .iter()
            // Every reader holds a clone, as every stream does.
            .map(|look| frame.clone().for_look(look))
            .collect();
        assert_eq!(renders.load(Ordering::Relaxed), 2);
        let text = |f: &Frame| String::from_utf8_lossy(&f.sse).into_owned();
        assert!(
            text(&shown[0]).contains(">7:05 PM</time>"),
            "{}",
            text(&shown[0])
        );
        assert!(text(&shown[0]).contains("7:05 PM CET"));
        assert!(text(&shown[3]).contains(">6:05 PM</time>") && text(&shown[3]).contains("UTC"));
        assert_eq!(shown[0].sse, shown[2].sse);
        // The default look is the eager render itself.
        let plain = frame.for_look(&Look::default());
        assert!(text(&plain).contains(">18:05</time>") && text(&plain).contains("18:05 UTC"));
        assert_eq!(renders.load(Ordering::Relaxed), 2);
        assert!(text(&plain).contains(r#"datetime="2026-12-03T18:05:00Z""#));
        assert!(text(&shown[0]).contains(r#"datetime="2026-12-03T18:05:00Z""#));
    }

    #[test]
    fn a_frame_opens_a_day_where_the_readers_day_begins() {
        let room = RoomCode::parse_slug("general").expect("slug");
        let before = time::macros::datetime!(2026-12-03 22:30 UTC);
        let at = time::macros::datetime!(2026-12-03 23:30 UTC);
        let place = Place {
            new_day: false,
            grouped: true,
            before: Some(before),
        };
        let frame = Renderer.log_item(&room, EventId { epoch: 1, seq: 2 }, &said(at), place);
        assert!(frame.divider.is_empty(), "the same UTC day");
        let paris = frame.for_look(&look(Some("Europe/Paris"), Clock::H24));
        let divider = String::from_utf8_lossy(&paris.divider);
        assert!(divider.contains(r#"datetime="2026-12-04""#), "{divider}");
        assert_eq!(paris.day, Some(time::macros::date!(2026 - 12 - 04)));
        let html = String::from_utf8_lossy(&paris.html);
        assert!(
            !html.contains("data-grouped"),
            "a new day breaks a group: {html}"
        );
        assert!(String::from_utf8_lossy(&frame.html).contains("data-grouped"));
    }

    /// A resync for a reader of another look carries each item as
    /// rendered for that look, itself rendered once for the look.
    #[test]
    fn a_resync_is_rendered_once_per_look_from_the_items_of_that_look() {
        let room = RoomCode::parse_slug("general").expect("slug");
        let at = time::macros::datetime!(2026-12-03 18:05 UTC);
        let id = EventId { epoch: 1, seq: 1 };
        let item = Renderer.log_item(&room, id, &said(at), Place::default());
        let resync = Renderer.resync(&room, id, std::slice::from_ref(&item));
        let plain = String::from_utf8_lossy(&resync.sse).into_owned();
        assert!(plain.contains(">18:05</time>"), "{plain}");
        let paris = look(Some("Europe/Paris"), Clock::H12);
        let shown = resync.for_look(&paris);
        let text = String::from_utf8_lossy(&shown.sse).into_owned();
        assert!(
            text.contains(">7:05 PM</time>") && text.contains("7:05 PM CET"),
            "{text}"
        );
        assert_eq!((shown.id, shown.kind), (resync.id, FrameKind::Resync));
        assert_eq!((resync.looks.kept(), item.looks.kept()), (1, 1));
    }

    #[test]
    fn a_frame_keeps_the_renders_of_a_bounded_number_of_looks() {
        let room = RoomCode::parse_slug("general").expect("slug");
        let at = time::macros::datetime!(2026-12-03 18:05 UTC);
        let frame = Renderer.log_item(
            &room,
            EventId { epoch: 1, seq: 1 },
            &said(at),
            Place::default(),
        );
        let zones = crate::look::zones::all();
        for zone in zones.iter().take(crate::chat::LOOKS_KEPT + 10) {
            let shown = frame.for_look(&look(Some(zone), Clock::H24));
            assert!(!shown.sse.is_empty());
        }
        assert_eq!(frame.looks.kept(), crate::chat::LOOKS_KEPT);
    }

    /// Readers of many zones at once (one person opening a stream in each)
    /// cost a frame at most `LOOKS_KEPT` renders for zones and one per
    /// language and clock, never one per reader: past the zones kept, a
    /// reader is shown their language and clock in UTC, said "UTC".
    #[test]
    fn readers_of_many_zones_cost_a_bounded_number_of_renders() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let room = RoomCode::parse_slug("general").expect("slug");
        let at = time::macros::datetime!(2026-12-03 18:05 UTC);
        let frame = Renderer.log_item(
            &room,
            EventId { epoch: 1, seq: 1 },
            &said(at),
            Place::default(),
        );
        let renders = Arc::new(AtomicUsize::new(0));
        let counter = renders.clone();
        let frame = Frame {
            looks: frame.looks.counted(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }),
            ..frame
        };
        let zones = crate::look::zones::all();
        let zones: Vec<&String> = zones
            .iter()
            .filter(|zone| zone.starts_with("Europe/"))
            .collect();
        for _reader in 0..3 {
            for zone in zones.iter().take(crate::chat::LOOKS_KEPT + 20) {
                let shown = frame.for_look(&look(Some(zone), Clock::H24));
                assert!(!shown.sse.is_empty());
            }
        }
        assert_eq!(renders.load(Ordering::Relaxed), crate::chat::LOOKS_KEPT);
        let last = zones[crate::chat::LOOKS_KEPT + 5];
        let shown = frame.for_look(&look(Some(last), Clock::H12));
        let text = String::from_utf8_lossy(&shown.sse).into_owned();
        assert!(text.contains("6:05 PM UTC"), "{text}");
        frame.for_look(&look(Some(zones[crate::chat::LOOKS_KEPT + 6]), Clock::H12));
        assert_eq!(renders.load(Ordering::Relaxed), crate::chat::LOOKS_KEPT + 1);
    }

    #[test]
    fn the_mention_title_is_one_message_per_room_and_look_in_its_language() {
        let room = RoomCode::parse_slug("general").expect("slug");
        let en = mentioned(&room, &Look::default());
        let text = String::from_utf8_lossy(&en);
        assert_eq!(
            text,
            "data: <title>(@) You were mentioned · # general · livechat</title>\n\n"
        );
        // The same bytes (shared, not rendered again) for the next reader.
        assert_eq!(
            mentioned(&room, &Look::default()).as_ptr(),
            en.as_ptr(),
            "shared"
        );
        let arabic = Look {
            lang: crate::look::Lang::Ar,
            ..Look::default()
        };
        let ar = mentioned(&room, &arabic);
        let text = String::from_utf8_lossy(&ar);
        assert!(text.contains("<title>(@) ورد اسمك · "), "{text}");
        let other = RoomCode::parse_slug("random").expect("slug");
        assert!(String::from_utf8_lossy(&mentioned(&other, &Look::default())).contains("random"));
    }
}
