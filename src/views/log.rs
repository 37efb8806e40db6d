//! The log's items as everyone reads them: messages, notices and the day
//! dividers between days, grouped under the one before; and the same dividers
//! worded for one reader ("Today", "Yesterday").
//!
//! Every name in an item is isolated (`Who`, a `<bdi>`) and message text takes
//! its direction from itself (`dir="auto"`), as in `components`.

use maud::{Markup, Render, html};
use time::OffsetDateTime;

use super::components::{Avatar, When, Who, pair_again, time_words};
use crate::chat::control::pace_words;
use crate::chat::{Change, Event, EventId, Name, Place, RoomCode};
use crate::{paths, t, th};

/// The `id` of a log item: stable, so a morph keeps the nodes a reader has heard.
pub fn item_id(id: EventId) -> String {
    format!("e{}-{}", id.epoch, id.seq)
}

/// A message or notice as it stands in the log, the same bytes for everyone,
/// after a day divider when it is the first of its day (`place`).
/// Whose message it is shows through `data-author` and the member's own stylesheet.
pub fn log_item(code: &RoomCode, id: EventId, event: &Event, place: Place) -> Markup {
    html! {
        @if place.new_day { (day_divider(id, crate::chat::rules::day(event.at()))) }
        (item(code, id, event, place.grouped))
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
    divider(&divider_id(id), day, relative_day(day, today).as_deref())
}

/// A page rendered for one reader shows the kept log, which may begin in the
/// middle of a day (older items were let go with its divider): then it
/// opens with this divider of the first item's `day`, worded for that reader.
pub fn opening_divider(day: time::Date, today: time::Date) -> Markup {
    divider("day-opening", day, relative_day(day, today).as_deref())
}

/// The `id` of the "New since you were last here" divider (and the skip
/// link's and the no-JavaScript log's fragment).
pub const UNREAD: &str = "unread";

/// "New since you were last here", before the first item a reader had not
/// seen, on a page rendered for that reader (never in a shared frame): a
/// small heading, so a screen reader's heading keys reach it as they reach
/// the days.
pub fn unread_divider() -> Markup {
    html! {
        li.unread id=(UNREAD) { h3 { (t!("unread-divider")) } }
    }
}

/// "Today" or "Yesterday", when `day` is one of them on `today`.
fn relative_day(day: time::Date, today: time::Date) -> Option<String> {
    if day == today {
        Some(t!("day-today"))
    } else if Some(day) == today.previous_day() {
        Some(t!("day-yesterday"))
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

/// A day in words, in the reader's language: "Thursday 3 December 2026".
struct LongDate(time::Date);

impl Render for LongDate {
    fn render(&self) -> Markup {
        html! { (crate::i18n::long_date(self.0)) }
    }
}

/// A message or notice of the room `code` without its divider. A message
/// `grouped` under the one before (`data-grouped`) shows no name or avatar;
/// the name stays for screen readers.
pub fn item(code: &RoomCode, id: EventId, event: &Event, grouped: bool) -> Markup {
    match event {
        Event::Message {
            author,
            text,
            at,
            mentions,
        } => html! {
            // Read in this order: who, what, when ("Frank", "Hi Eve",
            // "07:46"); the stylesheet puts the time beside the name. The
            // member's own stylesheet shows "You" in place of their name.
            // The time leads to the message's own page (its actions), so
            // the log holds no buttons; `_top`, as the same bytes stand in
            // the no-JavaScript log's frame.
            li.msg id=(item_id(id)) data-author=(author.seed.as_str()) data-grouped[grouped] {
                (Avatar(&author.seed))
                div.msg-body {
                    p.meta {
                        bdi.author { (author.name) }
                        span.you {}
                    }
                    p.text dir="auto" { (super::links::linked(text.as_str(), mentions)) }
                    a.when href=(paths::message(code, id)) target="_top" { (When(*at)) }
                }
            }
        },
        // A deleted message keeps its place, author and time; its text is gone.
        Event::Deleted {
            author,
            at,
            moderator,
        } => html! {
            li.msg.deleted id=(item_id(id)) data-author=(author.seed.as_str()) data-grouped[grouped] {
                (Avatar(&author.seed))
                div.msg-body {
                    p.meta {
                        bdi.author { (author.name) }
                        span.you {}
                    }
                    p.text.gone { (deleted_words(*moderator)) }
                    (When(*at))
                }
            }
        },
        // Join and leave notices say so in their class: a reader who hides
        // them (a setting) has them hidden by the stylesheet, live too.
        Event::Joined { names, more, at } => presence_notice(
            id,
            th!(
                "notice-joined",
                names = names_phrase(names, *more),
                n = names.len() + *more
            ),
            *at,
        ),
        Event::Left { names, more, at } => presence_notice(
            id,
            th!(
                "notice-left",
                names = names_phrase(names, *more),
                n = names.len() + *more
            ),
            *at,
        ),
        Event::Renamed { from, to, at } => notice(
            id,
            th!("notice-renamed", from = Who(from), to = Who(to)),
            *at,
        ),
        Event::Paired { names: [a, b], at } => {
            notice(id, th!("notice-paired", a = Who(a), b = Who(b)), *at)
        }
        // Rendered once for both: only the one who stays can still see it.
        // The buttons are for the log document without JavaScript; with it,
        // the stream's message also puts `stranger_left` in place of the send
        // form (`views::stream`), and the stylesheet hides these.
        Event::StrangerLeft { name, code, at } => html! {
            li.notice id=(item_id(id)) {
                p { (th!("notice-stranger-left", name = Who(name))) " " (When(*at)) }
                div.stranger-actions {
                    (pair_again(code, None, None))
                    a.button href="/" target="_top" { (t!("home-link")) }
                }
            }
        },
        Event::Changed { change, at } => notice(id, change_words(change), *at),
    }
}

/// What a change to how the room works says in its log.
pub fn change_words(change: &Change) -> Markup {
    match change {
        Change::Owner(name) => th!("change-owner", name = Who(name)),
        Change::Locked(true) => html! { (t!("change-locked")) },
        Change::Locked(false) => html! { (t!("change-unlocked")) },
        Change::SlowMode(Some(every)) => html! { (slow_mode_words(*every)) },
        Change::SlowMode(None) => html! { (t!("change-slow-off")) },
        Change::ReadOnly(Some(until)) => {
            html! { (read_only_words(*until)) }
        }
        Change::ReadOnly(None) => html! { (t!("change-read-only-off")) },
    }
}

/// "Slow mode: one message every 30 s".
pub fn slow_mode_words(every: std::time::Duration) -> String {
    t!("slow-mode", pace = pace_words(every))
}

/// "This room is read-only until 07:48 UTC".
pub fn read_only_words(until: OffsetDateTime) -> String {
    t!("read-only-until", until = time_words(until))
}

/// What stands in a deleted message's place.
pub fn deleted_words(moderator: bool) -> String {
    if moderator {
        t!("deleted-by-moderator")
    } else {
        t!("deleted-by-author")
    }
}

fn notice(id: EventId, what: Markup, at: OffsetDateTime) -> Markup {
    notice_item(id, what, at, false)
}

/// A join or leave notice: a `notice presence`, which a reader may hide.
fn presence_notice(id: EventId, what: Markup, at: OffsetDateTime) -> Markup {
    notice_item(id, what, at, true)
}

fn notice_item(id: EventId, what: Markup, at: OffsetDateTime, presence: bool) -> Markup {
    html! {
        li.notice.presence[presence] id=(item_id(id)) {
            p { (what) " " (When(at)) }
        }
    }
}

/// "Ann", "Ann and Bob", "Ann, Bob and Cy", "Ann, Bob and 37 others", each
/// name isolated.
pub fn names_phrase(names: &[Name], more: usize) -> Markup {
    let mut parts: Vec<Markup> = names.iter().map(|name| Who(name).render()).collect();
    if more > 0 {
        parts.push(html! { (t!("names-others", n = more)) });
    }
    match parts.split_last() {
        None => html! {},
        Some((last, [])) => last.clone(),
        Some((last, rest)) => {
            let comma = t!("names-comma");
            let rest = html! {
                @for (i, part) in rest.iter().enumerate() {
                    @if i > 0 { (comma) }
                    (part)
                }
            };
            th!("names-and", rest = rest, last = last.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Author, Online, RoomCode};
    use crate::views::components::online_items;

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

    /// A time's `title` (its full date) is in the reader's language, like
    /// the day dividers: an Arabic page shows no English month.
    #[test]
    fn a_times_full_date_reads_in_the_readers_language() {
        use crate::look::{Clock, Lang, Look};
        let at = time::macros::datetime!(2026-12-03 18:05 UTC);
        let english = maud::Render::render(&crate::views::components::When(at)).into_string();
        assert!(
            english.contains(r#"title="Thursday 3 December 2026, 18:05 UTC">18:05<"#),
            "{english}"
        );
        let arabic = Look {
            lang: Lang::Ar,
            clock: Clock::H12,
            zone: None,
        };
        let arabic = crate::look::render_with(&arabic, || {
            maud::Render::render(&crate::views::components::When(at)).into_string()
        });
        assert!(
            arabic.contains(r#"title="الخميس 3 ديسمبر 2026، 6:05 م UTC">6:05 م<"#),
            "{arabic}"
        );
    }

    fn ann() -> Author {
        Author {
            name: Name::parse("عمر", 32).expect("a name in Arabic"),
            seed: crate::chat::Seed::random(),
        }
    }

    const ID: EventId = EventId { epoch: 1, seq: 1 };

    fn room() -> RoomCode {
        RoomCode::parse_slug("general").expect("slug")
    }
    const AT: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

    /// A message's web address is a link, the same in every item; the text
    /// around it stays text.
    #[test]
    fn a_message_s_web_address_is_a_link_and_nothing_else_is_markup() {
        let message = log_item(
            &room(),
            ID,
            &Event::Message {
                mentions: Vec::new(),
                author: ann(),
                text: crate::chat::MessageText::parse(
                    "<i>see</i> https://example.com/a. javascript:alert(1)",
                    2000,
                )
                .expect("text"),
                at: AT,
            },
            Place::default(),
        )
        .into_string();
        assert!(
            message.contains(
                "<p class=\"text\" dir=\"auto\">&lt;i&gt;see&lt;/i&gt; \
                 <a href=\"https://example.com/a\" rel=\"nofollow ugc noopener noreferrer\">\
                 https://example.com/a</a>. javascript:alert(1)</p>"
            ),
            "{message}"
        );
    }

    /// Names run right to left in some scripts: each is isolated wherever it
    /// stands, so the words around it keep their order; message text takes
    /// its direction from itself.
    #[test]
    fn names_are_isolated_in_messages_notices_and_the_online_list() {
        let author = ann();
        let message = log_item(
            &room(),
            ID,
            &Event::Message {
                mentions: Vec::new(),
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
            let notice = log_item(&room(), ID, event, Place::default()).into_string();
            assert!(notice.contains("<bdi>عمر</bdi>"), "{notice}");
            // Every time the name appears, it is isolated.
            assert_eq!(
                notice.matches("عمر").count(),
                notice.matches("<bdi>عمر</bdi>").count(),
                "{notice}"
            );
        }

        let room = crate::chat::RoomCode::parse_slug("general").expect("slug");
        let online = online_items(
            &room,
            &Online {
                members: vec![author],
                total: 1,
                owner: None,
            },
        )
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
            mentions: Vec::new(),
            author,
            text: crate::chat::MessageText::parse("hi", 2000).expect("text"),
            at,
        };
        let first = Place {
            new_day: true,
            grouped: false,
            before: None,
        };
        let opened = log_item(&room(), ID, &event, first).into_string();
        assert!(
            opened.starts_with(r#"<li class="day" id="day-e1-1"><h3><time datetime="2026-12-01">Tuesday 1 December 2026</time></h3></li><li class="msg" id="e1-1""#),
            "{opened}"
        );
        let later = Place {
            new_day: false,
            grouped: true,
            before: None,
        };
        let grouped = log_item(&room(), ID, &event, later).into_string();
        assert!(
            grouped.starts_with(r#"<li class="msg" id="e1-1" data-author="#),
            "{grouped}"
        );
        assert!(grouped.contains(" data-grouped>"), "{grouped}");
        assert!(
            grouped.contains(r#"<bdi class="author">Ann</bdi>"#),
            "{grouped}"
        );
        assert!(!grouped.contains(r#"class="day""#), "{grouped}");
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
