//! The room page: the live log, the Online list, and the forms to send, rename
//! and leave (the send and rename forms are in `forms`). Plus the log document
//! that streams by itself without JavaScript.

use maud::{Markup, PreEscaped, html};

use super::components::{Who, block_stranger, not_live, online_items, online_now, stranger_left};
use super::layout::{Skip, StartTag, open_document, page_skipping, tab_title};
use super::log::{UNREAD, opening_divider, own_divider, unread_divider};
use super::stream::{CLOSE_EVENT, TYPING};
use crate::chat::{EventId, Frame, FrameKind, Member, Name, RoomCode, RoomRules, Snapshot};
use crate::{paths, t, th};

mod forms;
pub mod owner;
pub use forms::{RenameForm, SendForm, refused_send_form, rename_form, send_form, unsent};

/// The room's heading: "# general" or "Room K7QX". Private codes are upper
/// case and public slugs lower case, so the code alone tells which.
pub fn title(code: &RoomCode) -> String {
    if RoomCode::parse_private(code.as_str()).as_ref() == Some(code) {
        t!("room-title-private", code = code)
    } else {
        t!("room-title-public", code = code)
    }
}

/// The person's stranger in a random-chat room, while present.
fn stranger<'a>(snapshot: &'a Snapshot, me: &Member) -> Option<&'a Name> {
    snapshot
        .online
        .members
        .iter()
        .find(|one| snapshot.pair && one.seed != me.seed)
        .map(|one| &one.name)
}

/// What the tab calls the room for `me`: its heading's words, and in a
/// random-chat room "Chatting with Hank" ("Random chat" once they left).
fn place(snapshot: &Snapshot, me: &Member) -> String {
    match (snapshot.pair, stranger(snapshot, me)) {
        (true, Some(name)) => t!("pair-chatting-with", name = name),
        (true, None) => t!("pair-random-chat"),
        (false, _) => title(&snapshot.code),
    }
}

/// The tab's title while nothing new is waiting: the room, as `me` knows it.
pub fn plain_title(snapshot: &Snapshot, me: &Member) -> Markup {
    html! { title { (tab_title(&place(snapshot, me))) } }
}

/// The tab's title of a room anyone may enter, named by its code alone.
pub fn open_title(code: &RoomCode) -> Markup {
    html! { title { (tab_title(&title(code))) } }
}

/// The tab's title once something new arrived: every new item's message
/// carries it (`views::stream::marked`), and the room page puts
/// `plain_title` back when the person returns to the tab or has just sent a
/// message.
pub fn unread_title(code: &RoomCode) -> Markup {
    html! { title { (t!("unread-title", title = tab_title(&title(code)))) } }
}

/// The tab's title of a person a new message mentions: their own stream
/// sends it after that message (`views::stream::mentioned`), and it goes
/// back like `unread_title`.
pub fn mention_title(code: &RoomCode) -> Markup {
    html! { title { (t!("mention-title", title = tab_title(&title(code)))) } }
}

/// Asks for the plain title when `trigger` fires; swaps nothing visible.
fn title_reset(code: &RoomCode, trigger: &str) -> Markup {
    html! {
        span.title-reset hidden hx-get=(paths::title(code)) hx-trigger=(trigger) hx-swap="innerHTML" {}
    }
}

/// What a room page shows its one reader beyond the room itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reader<'a> {
    /// What the person's last action did (a report sent), where they come
    /// back to the room.
    pub notice: Option<&'a str>,
    /// The last item they had seen before this page (`None` on a first
    /// visit), which their no-JavaScript log document is told.
    pub seen: Option<EventId>,
    /// The first item they had not seen (`rules::first_unseen`): the
    /// "New since you were last here" divider goes before it.
    pub unread: Option<EventId>,
    /// Their page tells the other stranger when they type (random chat,
    /// and the setting on).
    pub typing: bool,
}

/// Asks the server to tell the other stranger "{name} is typing…", at most
/// once per `rules::TYPING_EVERY` while the Message box changes; swaps
/// nothing, and sends nothing of the text (it stands outside the form).
fn typing_signal(code: &RoomCode) -> Markup {
    let every = crate::chat::rules::TYPING_EVERY.as_secs();
    let trigger = format!("input changed from:document target:#message throttle:{every}s");
    html! {
        span.typing-signal hidden hx-post=(paths::typing(code)) hx-trigger=(trigger) hx-swap="none" {}
    }
}

/// The room page for `me`; `rules` says how the room works now, and
/// whether `me` owns it (the lock form); `reader` what is for `me` alone.
pub fn room(
    snapshot: &Snapshot,
    me: &Member,
    share_url: &str,
    send: &SendForm<'_>,
    rename: &RenameForm<'_>,
    rules: &RoomRules,
    reader: &Reader<'_>,
) -> Markup {
    let notice = reader.notice;
    let code = &snapshot.code;
    // In a random-chat room, the other one of the two, while present.
    let stranger = stranger(snapshot, me);
    let heading = match (snapshot.pair, stranger) {
        (true, Some(name)) => th!("pair-chatting-with", name = Who(name)),
        (true, None) => html! { (t!("pair-random-chat")) },
        (false, _) => html! { (title(code)) },
    };
    let skip = Skip {
        href: "#message",
        text: t!("room-skip"),
    };
    let unread_href = format!("#{UNREAD}");
    let to_unread = Skip {
        href: &unread_href,
        text: t!("room-skip-unread"),
    };
    let skips = match reader.unread {
        Some(_) => vec![skip, to_unread],
        None => vec![skip],
    };
    let own_css = paths::own_css(&me.seed);
    let items = own_items(&snapshot.items, today(), reader.unread);
    let log_document = match reader.seen {
        Some(seen) => paths::log_document_since(code, seen, reader.unread.is_some()),
        None => paths::log_document(code),
    };
    // The unread mark every new item carries is rendered once for everyone
    // and names the room by its code; a random-chat room's tab names the
    // stranger instead, for each of the two, so its page leaves the mark out
    // (`ignoreTitle`) rather than switch between two names for one place.
    let log_swap = if snapshot.pair {
        "beforeend ignoreTitle:true"
    } else {
        "beforeend"
    };
    page_skipping(
        &place(snapshot, me),
        Some(&own_css),
        &skips,
        html! {
            main #main.room {
                div.room-head {
                    h1 { (heading) }
                    // Nobody else can enter a random-chat room: nothing to share.
                    @if !snapshot.pair {
                        div.share {
                            p { (th!("room-code", code = html! { strong.code { (code) } })) }
                            label for="share" { (t!("room-share")) }
                            input #share type="text" readonly value=(share_url) dir="auto";
                        }
                    }
                }
                @if let Some(notice) = notice {
                    p #notice.status role="status" { (notice) }
                }
                section.chat aria-label=(t!("room-chat")) {
                    h2 #messages-h.visually-hidden { (t!("room-messages")) }
                    div.log-wrap {
                        div #log.log role="log" aria-labelledby="messages-h" tabindex="0" {
                            (log_end())
                            // An error page (a proxy's 502) never lands in the log.
                            ol #log-items.log-items
                                hx-sse:connect=(paths::events(code, Some(snapshot.last)))
                                hx-swap=(log_swap) hx-sse:close=(CLOSE_EVENT)
                                hx-status:4xx="swap:none" hx-status:5xx="swap:none" {
                                (items)
                            }
                        }
                        (jump_to_newest())
                    }
                    noscript {
                        iframe.log-frame src=(log_document) title=(t!("room-messages")) {}
                    }
                    p #stream-status.status role="status" { (not_live(&paths::room(code))) }
                    // The other stranger's "Ann is typing…", over the stream.
                    @if snapshot.pair { p.status.typing-line id=(TYPING) role="status" {} }
                    @if snapshot.pair && stranger.is_some() && reader.typing {
                        (typing_signal(code))
                    }
                    (title_reset(code, "visibilitychange from:document"))
                    @if snapshot.pair && stranger.is_none() {
                        (stranger_left(code, None))
                    } @else {
                        // The focus stays at the top of the page, where the
                        // room's name is read first (the skip link leads to
                        // the box), unless the box holds a refused message.
                        (owner::rules_lines(rules))
                        (send_form(code, send, send.error.is_some() || send.ended, false))
                    }
                    @if snapshot.pair { (block_stranger(code, None)) }
                }
                aside.side aria-label=(t!("room-people")) {
                    h2 #online-h { (t!("online-heading")) }
                    p.count { (th!("online-count-live", count = html! { span #online-count { (snapshot.online.total) } })) }
                    ul #online.online aria-labelledby="online-h" { (online_items(code, &snapshot.online)) }
                    // Without JavaScript the list above cannot follow joins
                    // and leaves (nojs.css hides it): this document can.
                    noscript {
                        iframe.online-frame src=(paths::online_document(code)) title=(t!("online-heading")) {}
                    }
                    (rename_form(&paths::room(code), rename))
                    form.leave action=(paths::leave(code)) method="post" {
                        button.secondary type="submit" { (t!("room-leave")) }
                    }
                    @if rules.owner == Some(me.id) {
                        (owner::lock_form(code, rules.locked, None))
                    }
                }
            }
        },
    )
}

/// The newest end of a log: the scroller's first child, which its reversed
/// column puts at the bottom, below the newest item; **Jump to newest**
/// leads here.
fn log_end() -> Markup {
    html! { span #log-end {} }
}

/// **Jump to newest**: shown by the stylesheet only while the reader is
/// scrolled up from the newest message (a scroll-driven animation on the
/// log, no script), and where the browser cannot tell, never.
fn jump_to_newest() -> Markup {
    html! { a.jump href="#log-end" { (t!("room-jump")) } }
}

/// The log's items as a page rendered for one reader on `today` (UTC)
/// shows them: opening with their first day's divider, also when the kept
/// history begins in the middle of a day, and the dividers of today and
/// yesterday say "Today" and "Yesterday". Each divider is rendered here from
/// the frame's day; the items are the bytes rendered once for everyone.
/// Items that arrive later keep the date, which stays true past midnight.
/// The "New since you were last here" divider goes before `unread`.
fn own_items(items: &[Frame], today: time::Date, unread: Option<EventId>) -> Markup {
    // Deletions are no items: the item in a deleted message's place is kept.
    // Each item as rendered for this reader's look (once per look, shared).
    let look = crate::look::current();
    let items: Vec<Frame> = items
        .iter()
        .filter(|frame| frame.kind == FrameKind::Log)
        .map(|frame| frame.for_look(&look))
        .collect();
    let opening = items
        .first()
        .filter(|first| first.divider.is_empty())
        .and_then(|first| first.day);
    html! {
        @if let Some(day) = opening { (opening_divider(day, today)) }
        @for frame in items {
            @if let (false, Some(day)) = (frame.divider.is_empty(), frame.day) {
                (own_divider(frame.id, day, today))
            }
            @if unread == Some(frame.id) { (unread_divider()) }
            (PreEscaped(String::from_utf8_lossy(&frame.html)))
        }
    }
}

/// Today, as a page rendered now for its reader says it (in their zone).
fn today() -> time::Date {
    crate::look::current().today()
}

/// The start of the log document that, without JavaScript, streams new items
/// into an `<iframe>` by itself. Left open: items follow as they happen.
/// The "New since you were last here" divider goes before `unread`.
pub fn log_document_head(snapshot: &Snapshot, me: &Member, unread: Option<EventId>) -> String {
    // The list is left open: the browser shows each item as it arrives in it.
    let messages = t!("room-messages");
    let log = [
        ("class", "log"),
        ("role", "log"),
        ("aria-label", messages.as_str()),
        ("tabindex", "0"),
    ];
    let opening = html! {
        (jump_to_newest())
        (StartTag { name: "div", attrs: &log })
        (log_end())
        (StartTag { name: "ol", attrs: &[("class", "log-items")] })
        // Items the views rendered once for everyone, their days as this
        // reader says them.
        (own_items(&snapshot.items, today(), unread))
    };
    open_document(
        &messages,
        Some(&paths::own_css(&me.seed)),
        "log-document",
        opening,
    )
}

/// The start of the Online document that, without JavaScript, streams the
/// Online list into an `<iframe>` by itself: each change appends the whole
/// list, and the stylesheet shows only the newest. No live region: a change
/// is announced by the log's notice, and the list is read when visited.
pub fn online_document_head(snapshot: &Snapshot, me: &Member) -> String {
    open_document(
        &t!("online-heading"),
        Some(&paths::own_css(&me.seed)),
        "online-document",
        online_now(&snapshot.code, &snapshot.online),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Event, EventId, Place, Render};
    use crate::views::stream::Renderer;

    fn joined(seq: u64, at: time::OffsetDateTime, new_day: bool) -> Frame {
        let room = RoomCode::parse_slug("general").expect("slug");
        let event = Event::Joined {
            names: vec![Name::parse("Ann", 32).expect("name")],
            more: 0,
            at,
        };
        let place = Place {
            new_day,
            grouped: false,
            before: None,
        };
        Renderer.log_item(&room, EventId { epoch: 1, seq }, &event, place)
    }

    /// A kept log that begins in the middle of a day opens with that day's
    /// divider on a page for one reader; one that begins with its divider,
    /// or is empty, gets no other; each divider says "Today" or "Yesterday"
    /// when it may, and every item is the bytes rendered for everyone.
    #[test]
    fn a_page_for_one_reader_words_its_own_dividers() {
        let today = time::macros::date!(2026 - 12 - 03);
        let before = joined(1, time::macros::datetime!(2026-12-02 23:00 UTC), false);
        let after = joined(2, time::macros::datetime!(2026-12-03 07:46 UTC), true);
        let page = own_items(&[before.clone(), after.clone()], today, None).into_string();
        let expected = [
            r#"<li class="day" id="day-opening"><h3><time datetime="2026-12-02" title="Wednesday 2 December 2026">Yesterday</time></h3></li>"#.to_owned(),
            String::from_utf8_lossy(&before.html).into_owned(),
            r#"<li class="day" id="day-e1-2"><h3><time datetime="2026-12-03" title="Thursday 3 December 2026">Today</time></h3></li>"#.to_owned(),
            String::from_utf8_lossy(&after.html).into_owned(),
        ];
        assert_eq!(page, expected.concat());

        let whole = own_items(std::slice::from_ref(&after), today, None).into_string();
        assert_eq!(whole, expected[2..].concat());
        assert_eq!(own_items(&[], today, None).into_string(), "");
    }
}
