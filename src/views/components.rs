//! Small pieces every page shares: avatars, times, names, the Online list,
//! form fields with their errors. The log's items are in `log`.
//!
//! A name is always shown isolated (`Who`, a `<bdi>`), so that text in it
//! that runs right to left cannot reorder the words around it; message text
//! and text boxes take their direction from their own content (`dir="auto"`).

use maud::{Markup, Render, html};
use time::OffsetDateTime;

use crate::chat::{Author, Name, Online, RoomCode, Seed};
use crate::{paths, t, th};

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
            (t!("not-live")) " "
            a href=(reload) { (t!("not-live-reload")) }
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
            span { (t!("connection-lost")) }
        }
    }
}

/// A moment in the log as a `<time>`: the short clock time ("07:46", UTC)
/// that a screen reader reads after the text, with the full date and zone
/// in `datetime` and in `title` ("Thursday 3 December 2026, 07:46 UTC", in
/// the reader's language) for whoever wants them.
pub struct When(pub OffsetDateTime);

impl Render for When {
    /// The time on the clock and in the zone of the reader it is rendered
    /// for (`look::current()`); `datetime` stays UTC.
    fn render(&self) -> Markup {
        let look = crate::look::current();
        let at = self.0.to_offset(time::UtcOffset::UTC);
        let machine = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let (local, zone) = look.local(at);
        // The date in the reader's language, as the day dividers say it.
        let date = crate::i18n::long_date(local.date());
        let short = look.clock.words(local);
        let full = crate::t!("date-time", date = date, time = format!("{short} {zone}"));
        html! { time datetime=(machine) title=(full) { (short) } }
    }
}

/// A time people are told, to the minute and never early, on the clock and
/// in the zone of the reader it is rendered for: "07:48 UTC", "8:48 AM CET".
pub fn time_words(at: OffsetDateTime) -> String {
    let whole = at.second() == 0 && at.nanosecond() == 0;
    let at = if whole {
        at
    } else {
        at.checked_add(time::Duration::MINUTE).unwrap_or(at)
    };
    crate::look::current().time_words(at)
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
                @if let Some(name) = name { (th!("stranger-left", name = Who(name))) } @else { (t!("stranger-left-unknown")) }
            }
            div.inline {
                (pair_again(code, None, Some(MESSAGE_BOX)))
                a.button href="/" { (t!("home-link")) }
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
            button.primary id=[id] type="submit" autofocus[error.is_some()] { (t!("pair-again")) }
        }
    }
}

/// **Block and find a new stranger**: leaves the pair room `code`, so that
/// the stranger is never paired with this person again, and queues again,
/// as **Find a new stranger** does; beside the send form (and, once the
/// stranger left, beside **Find a new stranger**).
pub fn block_stranger(code: &RoomCode, error: Option<&str>) -> Markup {
    html! {
        form.block-stranger action=(paths::PAIR) method="post" hx-post=(paths::PAIR) hx-target="this" hx-swap="outerHTML" {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            input type="hidden" name="leave" value=(code.as_str());
            input type="hidden" name="block" value="on";
            button.secondary type="submit" autofocus[error.is_some()] { (t!("pair-block")) }
        }
    }
}

/// The items of `room`'s Online list, with "and N more" past the first
/// hundred; each name leads to that person's page in the room.
pub fn online_items(room: &RoomCode, online: &Online) -> Markup {
    let more = online.total.saturating_sub(online.members.len());
    html! {
        @for member in &online.members {
            (online_member(room, member, online.owner.as_ref() == Some(&member.seed)))
        }
        @if more > 0 {
            li.more { (t!("online-more", n = more)) }
        }
    }
}

/// The Online list as the no-JavaScript Online document shows it: how many,
/// then who. Each change appends a new one, and the stylesheet shows only
/// the newest, so a screen reader finds one list, never a history of them.
pub fn online_now(room: &RoomCode, online: &Online) -> Markup {
    html! {
        div.online-now {
            p.count { (t!("online-count", n = online.total)) }
            ul.online aria-label=(t!("online-heading")) { (online_items(room, online)) }
        }
    }
}

/// One person in the Online list: a link to their page (for the whole
/// window, also from the no-JavaScript Online document's frame); the room's
/// owner says so in words.
fn online_member(room: &RoomCode, member: &Author, owner: bool) -> Markup {
    html! {
        li data-author=(member.seed.as_str()) {
            a.person href=(paths::person(room, &member.seed)) target="_top" {
                (Avatar(&member.seed)) (Who(&member.name))
            }
            span.you {}
            @if owner { " " span.owner { (t!("online-owner")) } }
        }
    }
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
