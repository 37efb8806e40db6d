//! Small pieces every page shares: avatars, times, names, log items, the
//! Online list, form fields with their errors.
//!
//! A name is always shown isolated (`Who`, a `<bdi>`), so that text in it
//! that runs right to left cannot reorder the words around it; message text
//! and text boxes take their direction from their own content (`dir="auto"`).

use maud::{Markup, Render, html};
use time::OffsetDateTime;

use crate::chat::{Author, Event, EventId, Name, Online, Place, RoomCode, Seed};
use crate::paths;

/// An avatar image; decorative, since the name is always written beside it.
pub struct Avatar<'a>(pub &'a Seed);

impl Render for Avatar<'_> {
    fn render(&self) -> Markup {
        html! { img.avatar src=(paths::avatar(self.0)) alt="" width="32" height="32"; }
    }
}

/// A person's name, isolated from the text around it (`<bdi>`): a name in a
/// right-to-left script, or one that slipped past `Name::parse`, cannot
/// reorder the words of the notice, list or greeting it stands in.
pub struct Who<'a>(pub &'a Name);

impl Render for Who<'_> {
    fn render(&self) -> Markup {
        html! { bdi { (self.0) } }
    }
}

/// "Live updates are not connected", with a link that reloads the page: the
/// first content of a page's stream status line. The stream's first event
/// (`views::stream::connected`) clears it; the stylesheet shows it only when
/// that has not happened after a few seconds, so it speaks up when the first
/// stream request failed (htmx 4.0.1 does not retry a first connect), and
/// never flashes on a normal load. Never shown without JavaScript.
pub fn not_live(reload: &str) -> Markup {
    html! {
        span.not-live {
            "Live updates are not connected. "
            a href=(reload) { "Reload the page" }
        }
    }
}

/// "Connection lost", for a page's stream status line, where every stream's
/// first event puts it (`views::stream::connected`), hidden. No script:
/// htmx's SSE extension fires `htmx:sse:error` when an open stream breaks
/// (the network gone) and at each reconnect that fails; that makes this
/// element ask the server whether it is up, and htmx's request class, on
/// it while the question is out, leaves behind (as "Not sent" does, see
/// `style.css`) the words, which stay until a stream is back and its first
/// event replaces them. A server that stops says so itself and takes this
/// out of the line first, so a restart is never called a lost connection.
pub fn lost() -> Markup {
    html! {
        // Whatever the answer (a 503 from a server whose store is out of
        // reach comes with headers that would put an error in the page's
        // alerts), nothing is swapped.
        span.lost hx-get=(paths::HEALTHZ) hx-trigger="htmx:sse:error from:document" hx-swap="none"
            hx-status:4xx="swap:none" hx-status:5xx="swap:none" {
            span { "Connection lost: live updates will come back by themselves when it does." }
        }
    }
}

/// A moment in the log as a `<time>`: the short clock time ("07:46", UTC)
/// that a screen reader reads after the text, with the full date and zone
/// in `datetime` and in `title` for whoever wants them.
pub struct When(pub OffsetDateTime);

impl Render for When {
    fn render(&self) -> Markup {
        let at = self.0.to_offset(time::UtcOffset::UTC);
        let machine = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let full = at
            .format(time::macros::format_description!(
                "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        let short = at
            .format(time::macros::format_description!("[hour]:[minute]"))
            .unwrap_or_default();
        html! { time datetime=(machine) title=(full) { (short) } }
    }
}

/// The `id` of a log item: stable, so a morph keeps the nodes a reader has heard.
pub fn item_id(id: EventId) -> String {
    format!("e{}-{}", id.epoch, id.seq)
}

/// A message or notice as it stands in the log, the same bytes for everyone,
/// after a day divider when it is the first of its day (`place`).
/// Whose message it is shows through `data-author` and the member's own stylesheet.
pub fn log_item(id: EventId, event: &Event, place: Place) -> Markup {
    html! {
        @if place.new_day { (day_divider(id, crate::chat::rules::day(event.at()))) }
        (item(id, event, place.grouped))
    }
}

/// A day divider: a small heading (so a screen reader's heading keys move
/// from day to day) with the absolute date, "Thursday 3 December 2026", before
/// the item `id`. It is rendered once for everyone, so it cannot say "Today":
/// that is up to a page rendered for one reader (`own_divider`).
pub fn day_divider(id: EventId, day: time::Date) -> Markup {
    divider(&divider_id(id), day, None)
}

/// The divider of `day` before the item `id` as it reads for one reader on
/// `today`: "Today", "Yesterday" (with the long date as its `title`), or the
/// long date as everyone reads it.
pub fn own_divider(id: EventId, day: time::Date, today: time::Date) -> Markup {
    divider(&divider_id(id), day, relative_day(day, today))
}

/// A page rendered for one reader shows the kept log, which may begin in the
/// middle of a day (older items were let go with its divider): then it
/// opens with this divider of the first item's `day`, worded for that reader.
pub fn opening_divider(day: time::Date, today: time::Date) -> Markup {
    divider("day-opening", day, relative_day(day, today))
}

/// "Today" or "Yesterday", when `day` is one of them on `today`.
fn relative_day(day: time::Date, today: time::Date) -> Option<&'static str> {
    if day == today {
        Some("Today")
    } else if Some(day) == today.previous_day() {
        Some("Yesterday")
    } else {
        None
    }
}

/// The `id` of the divider before the item `id`.
fn divider_id(id: EventId) -> String {
    format!("day-{}", item_id(id))
}

/// A divider with the `id` `dom_id`: the long date, or `word` with the long
/// date as its `title`.
fn divider(dom_id: &str, day: time::Date, word: Option<&str>) -> Markup {
    html! {
        li.day id=(dom_id) {
            h3 {
                @if let Some(word) = word {
                    time datetime=(Iso(day)) title=(LongDate(day)) { (word) }
                } @else {
                    time datetime=(Iso(day)) { (LongDate(day)) }
                }
            }
        }
    }
}

/// A day as `datetime` wants it: "2026-12-03".
struct Iso(time::Date);

impl Render for Iso {
    fn render(&self) -> Markup {
        let text = self
            .0
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap_or_default();
        html! { (text) }
    }
}

/// A day in words: "Thursday 3 December 2026".
struct LongDate(time::Date);

impl Render for LongDate {
    fn render(&self) -> Markup {
        let text = self
            .0
            .format(time::macros::format_description!(
                "[weekday] [day padding:none] [month repr:long] [year]"
            ))
            .unwrap_or_default();
        html! { (text) }
    }
}

/// A message or notice without its divider. A message `grouped` under the one
/// before (`data-grouped`) shows no name or avatar; the name stays for screen
/// readers.
pub fn item(id: EventId, event: &Event, grouped: bool) -> Markup {
    match event {
        Event::Message { author, text, at } => html! {
            // Read in this order: who, what, when ("Frank", "Hi Eve",
            // "07:46"); the stylesheet puts the time beside the name. The
            // member's own stylesheet shows "You" in place of their name.
            li.msg id=(item_id(id)) data-author=(author.seed.as_str()) data-grouped[grouped] {
                (Avatar(&author.seed))
                div.msg-body {
                    p.meta {
                        bdi.author { (author.name) }
                        span.you {}
                    }
                    p.text dir="auto" { (text.as_str()) }
                    (When(*at))
                }
            }
        },
        Event::Joined { names, more, at } => {
            notice(id, html! { (names_phrase(names, *more)) " joined" }, *at)
        }
        Event::Left { names, more, at } => {
            notice(id, html! { (names_phrase(names, *more)) " left" }, *at)
        }
        Event::Renamed { from, to, at } => {
            notice(id, html! { (Who(from)) " is now known as " (Who(to)) }, *at)
        }
        Event::Paired { names: [a, b], at } => notice(
            id,
            html! { (Who(a)) " and " (Who(b)) " are now talking: say hello" },
            *at,
        ),
        // Rendered once for both: only the one who stays can still see it.
        // The buttons are for the log document without JavaScript; with it,
        // the stream's message also puts `stranger_left` in place of the send
        // form (`views::stream`), and the stylesheet hides these.
        Event::StrangerLeft { name, code, at } => html! {
            li.notice id=(item_id(id)) {
                p { (Who(name)) " left the chat " (When(*at)) }
                div.stranger-actions {
                    (pair_again(code, None, None))
                    a.button href="/" target="_top" { "Home" }
                }
            }
        },
    }
}

/// What takes the send form's place in a random-chat room once the stranger
/// has left: "Hank left" (or "Your stranger left" when the name is no longer
/// known), **Find a new stranger** and **Home**. It keeps the send form's
/// `id`, and its first button takes the Message box's: htmx gives the focus
/// back to the element with the `id` of the one that had it, so a person
/// typing is moved to **Find a new stranger**, and a person reading the log
/// is left where they are (no `autofocus`, which would pull everyone).
pub fn stranger_left(code: &RoomCode, name: Option<&Name>) -> Markup {
    html! {
        div #send.stranger-left {
            p.left-words {
                @if let Some(name) = name { (Who(name)) " left" } @else { "Your stranger left" }
            }
            div.inline {
                (pair_again(code, None, Some(MESSAGE_BOX)))
                a.button href="/" { "Home" }
            }
        }
    }
}

/// The `id` of the room page's Message box (see `stranger_left`).
pub const MESSAGE_BOX: &str = "message";

/// **Find a new stranger**: leaves the pair room `code` and queues again.
/// htmx posts it (and is sent to `/pair`, or gets this form back with the
/// reason it was refused); the no-JS log frame posts it for the whole window
/// (and sees the waiting page at once). `id` is the button's.
pub fn pair_again(code: &RoomCode, error: Option<&str>, id: Option<&str>) -> Markup {
    html! {
        form.pair-again action=(paths::PAIR) method="post" target="_top" hx-post=(paths::PAIR) hx-target="this" hx-swap="outerHTML" {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            input type="hidden" name="leave" value=(code.as_str());
            button.primary id=[id] type="submit" autofocus[error.is_some()] { "Find a new stranger" }
        }
    }
}

fn notice(id: EventId, what: Markup, at: OffsetDateTime) -> Markup {
    html! {
        li.notice id=(item_id(id)) {
            p { (what) " " (When(at)) }
        }
    }
}

/// "Ann", "Ann and Bob", "Ann, Bob and Cy", "Ann, Bob and 37 others", each
/// name isolated.
pub fn names_phrase(names: &[Name], more: usize) -> Markup {
    let mut parts: Vec<Markup> = names.iter().map(|name| Who(name).render()).collect();
    if more > 0 {
        let others = if more == 1 { "other" } else { "others" };
        parts.push(html! { (more) " " (others) });
    }
    match parts.split_last() {
        None => html! {},
        Some((last, [])) => last.clone(),
        Some((last, rest)) => html! {
            @for (i, part) in rest.iter().enumerate() {
                @if i > 0 { ", " }
                (part)
            }
            " and " (last)
        },
    }
}

/// The items of the Online list, with "and N more" past the first hundred.
pub fn online_items(online: &Online) -> Markup {
    let more = online.total.saturating_sub(online.members.len());
    html! {
        @for member in &online.members {
            (online_member(member))
        }
        @if more > 0 {
            li.more { "and " (more) " more" }
        }
    }
}

/// The Online list as the no-JavaScript Online document shows it: how many,
/// then who. Each change appends a new one, and the stylesheet shows only
/// the newest, so a screen reader finds one list, never a history of them.
pub fn online_now(online: &Online) -> Markup {
    html! {
        div.online-now {
            p.count { (online.total) " here now" }
            ul.online aria-label="Online" { (online_items(online)) }
        }
    }
}

fn online_member(member: &Author) -> Markup {
    html! { li data-author=(member.seed.as_str()) { (Avatar(&member.seed)) (Who(&member.name)) span.you {} } }
}

/// A text field with its label, the text as typed, and its error if any.
/// A field with an error takes the keyboard focus, so that the person is
/// where the mistake is (the first one, when there are several).
pub struct Field<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub error: Option<String>,
    /// Takes the focus (as it does anyway with an error).
    pub focus: bool,
}

impl Render for Field<'_> {
    fn render(&self) -> Markup {
        let error_id = format!("{}-error", self.id);
        html! {
            div.field {
                label for=(self.id) { (self.label) }
                @if let Some(error) = &self.error {
                    // A whole sentence that says what to do ("Enter a name"),
                    // beside the field and read as its description.
                    p.error id=(error_id) role="alert" { (error) }
                }
                input id=(self.id) name=(self.name) type="text" value=(self.value) dir="auto"
                    autocomplete="off" spellcheck="false" autofocus[self.focus || self.error.is_some()]
                    aria-invalid=[self.error.as_ref().map(|_| "true")]
                    aria-describedby=[self.error.as_ref().map(|_| error_id.as_str())];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Name> {
        list.iter()
            .map(|n| Name::parse(n, 32).expect("valid name"))
            .collect()
    }

    fn phrase(list: &[&str], more: usize) -> String {
        names_phrase(&names(list), more).into_string()
    }

    #[test]
    fn notices_name_people_in_plain_english() {
        assert_eq!(phrase(&["Ann"], 0), "<bdi>Ann</bdi>");
        assert_eq!(
            phrase(&["Ann", "Bob"], 0),
            "<bdi>Ann</bdi> and <bdi>Bob</bdi>"
        );
        assert_eq!(
            phrase(&["Ann", "Bob", "Cy"], 0),
            "<bdi>Ann</bdi>, <bdi>Bob</bdi> and <bdi>Cy</bdi>"
        );
        assert_eq!(
            phrase(&["Ann", "Bob"], 37),
            "<bdi>Ann</bdi>, <bdi>Bob</bdi> and 37 others"
        );
        assert_eq!(
            phrase(&["Ann", "Bob"], 1),
            "<bdi>Ann</bdi>, <bdi>Bob</bdi> and 1 other"
        );
    }

    fn ann() -> Author {
        Author {
            name: Name::parse("عمر", 32).expect("a name in Arabic"),
            seed: crate::chat::Seed::random(),
        }
    }

    const ID: EventId = EventId { epoch: 1, seq: 1 };
    const AT: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    /// Names run right to left in some scripts: each is isolated wherever it
    /// stands, so the words around it keep their order; message text takes
    /// its direction from itself.
    #[test]
    fn names_are_isolated_in_messages_notices_and_the_online_list() {
        let author = ann();
        let message = log_item(
            ID,
            &Event::Message {
                author: author.clone(),
                text: crate::chat::MessageText::parse("مرحبا", 2000).expect("text"),
                at: AT,
            },
            Place::default(),
        )
        .into_string();
        assert!(
            message.contains("<bdi class=\"author\">عمر</bdi>"),
            "{message}"
        );
        assert!(
            message.contains("<p class=\"text\" dir=\"auto\">مرحبا</p>"),
            "{message}"
        );

        let bob = Name::parse("Bob", 32).expect("name");
        let notices = [
            Event::Joined {
                names: vec![author.name.clone()],
                more: 0,
                at: AT,
            },
            Event::Left {
                names: vec![author.name.clone(), bob.clone()],
                more: 3,
                at: AT,
            },
            Event::Renamed {
                from: author.name.clone(),
                to: bob.clone(),
                at: AT,
            },
            Event::Paired {
                names: [author.name.clone(), bob.clone()],
                at: AT,
            },
            Event::StrangerLeft {
                name: author.name.clone(),
                code: RoomCode::parse_slug("general").expect("slug"),
                at: AT,
            },
        ];
        for event in &notices {
            let notice = log_item(ID, event, Place::default()).into_string();
            assert!(notice.contains("<bdi>عمر</bdi>"), "{notice}");
            // Every time the name appears, it is isolated.
            assert_eq!(
                notice.matches("عمر").count(),
                notice.matches("<bdi>عمر</bdi>").count(),
                "{notice}"
            );
        }

        let online = online_items(&Online {
            members: vec![author],
            total: 1,
        })
        .into_string();
        assert!(online.contains("<bdi>عمر</bdi>"), "{online}");
    }

    /// The first item of a day comes after a small heading with the date
    /// (absolute: the bytes are shared); a grouped message carries its name
    /// still, for screen readers, and a class that hides it from sight.
    #[test]
    fn a_day_opens_with_a_dated_heading_and_a_grouped_message_keeps_its_name() {
        let author = Author {
            name: Name::parse("Ann", 32).expect("name"),
            seed: crate::chat::Seed::random(),
        };
        let at = time::macros::datetime!(2026-12-01 07:46 UTC);
        let event = Event::Message {
            author,
            text: crate::chat::MessageText::parse("hi", 2000).expect("text"),
            at,
        };
        let first = Place {
            new_day: true,
            grouped: false,
        };
        let opened = log_item(ID, &event, first).into_string();
        assert!(
            opened.starts_with(r#"<li class="day" id="day-e1-1"><h3><time datetime="2026-12-01">Tuesday 1 December 2026</time></h3></li><li class="msg" id="e1-1""#),
            "{opened}"
        );
        let later = Place {
            new_day: false,
            grouped: true,
        };
        let grouped = log_item(ID, &event, later).into_string();
        assert!(
            grouped.starts_with(r#"<li class="msg" id="e1-1" data-author="#),
            "{grouped}"
        );
        assert!(grouped.contains(" data-grouped>"), "{grouped}");
        assert!(
            grouped.contains(r#"<bdi class="author">Ann</bdi>"#),
            "{grouped}"
        );
        assert!(!grouped.contains("day"), "{grouped}");
    }

    /// For one reader, today's and yesterday's dividers say so, with the
    /// long date as their title; older days read as everyone reads them.
    #[test]
    fn a_page_for_one_reader_says_today_and_yesterday() {
        let today = time::macros::date!(2026 - 12 - 03);
        let yesterday = time::macros::date!(2026 - 12 - 02);
        let older = time::macros::date!(2026 - 12 - 01);
        assert_eq!(
            own_divider(ID, older, today).into_string(),
            day_divider(ID, older).into_string()
        );
        assert_eq!(
            own_divider(ID, yesterday, today).into_string(),
            r#"<li class="day" id="day-e1-1"><h3><time datetime="2026-12-02" title="Wednesday 2 December 2026">Yesterday</time></h3></li>"#
        );
        assert_eq!(
            own_divider(ID, today, today).into_string(),
            r#"<li class="day" id="day-e1-1"><h3><time datetime="2026-12-03" title="Thursday 3 December 2026">Today</time></h3></li>"#
        );
    }

    /// The divider a page opens with when its kept log begins in the middle
    /// of a day: that day's, worded for the reader like any other.
    #[test]
    fn a_log_kept_from_the_middle_of_a_day_opens_with_its_day() {
        let today = time::macros::date!(2026 - 12 - 03);
        assert_eq!(
            opening_divider(time::macros::date!(2026 - 12 - 01), today).into_string(),
            r#"<li class="day" id="day-opening"><h3><time datetime="2026-12-01">Tuesday 1 December 2026</time></h3></li>"#
        );
        assert_eq!(
            opening_divider(today, today).into_string(),
            r#"<li class="day" id="day-opening"><h3><time datetime="2026-12-03" title="Thursday 3 December 2026">Today</time></h3></li>"#
        );
    }
}
