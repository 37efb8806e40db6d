//! Small pieces every page shares: avatars, times, log items, the Online list,
//! form fields with their errors.

use maud::{Markup, Render, html};
use time::OffsetDateTime;

use crate::chat::{Author, Event, EventId, Name, Online, RoomCode, Seed};
use crate::http::paths;

/// An avatar image; decorative, since the name is always written beside it.
pub struct Avatar<'a>(pub &'a Seed);

impl Render for Avatar<'_> {
    fn render(&self) -> Markup {
        html! { img.avatar src=(paths::avatar(self.0)) alt="" width="32" height="32"; }
    }
}

/// A moment as a `<time>` with a machine-readable `datetime` (UTC).
pub struct When(pub OffsetDateTime);

impl Render for When {
    fn render(&self) -> Markup {
        let at = self.0.to_offset(time::UtcOffset::UTC);
        let machine = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let human = at
            .format(time::macros::format_description!(
                "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        html! { time datetime=(machine) { (human) } }
    }
}

/// The `id` of a log item: stable, so a morph keeps the nodes a reader has heard.
pub fn item_id(id: EventId) -> String {
    format!("e{}-{}", id.epoch, id.seq)
}

/// A message or notice as it stands in the log, the same bytes for everyone.
/// Whose message it is shows through `data-author` and the member's own stylesheet.
pub fn log_item(id: EventId, event: &Event) -> Markup {
    match event {
        Event::Message { author, text, at } => html! {
            li.msg id=(item_id(id)) data-author=(author.seed.as_str()) {
                (Avatar(&author.seed))
                div.msg-body {
                    p.meta {
                        span.author { (author.name) }
                        span.you {}
                        " " (When(*at))
                    }
                    p.text { (text.as_str()) }
                }
            }
        },
        Event::Joined { names, more, at } => notice(id, &names_phrase(names, *more), "joined", *at),
        Event::Left { names, more, at } => notice(id, &names_phrase(names, *more), "left", *at),
        Event::Renamed { from, to, at } => {
            notice(id, &format!("{from} is now known as"), to.as_str(), *at)
        }
        Event::Paired { names: [a, b], at } => notice(
            id,
            &format!("{a} and {b}"),
            "are now talking: say hello",
            *at,
        ),
        // Rendered once for both: only the one who stays can still see it.
        Event::StrangerLeft { name, code, at } => html! {
            li.notice id=(item_id(id)) {
                p { (name) " left the chat " (When(*at)) }
                (pair_again(code, None))
            }
        },
    }
}

/// **Find a new stranger**: leaves the pair room `code` and queues again.
/// htmx posts it (and is sent to `/pair`, or gets this form back with the
/// reason it was refused); the no-JS log frame posts it for the whole window
/// (and is held, see `get_pair`).
pub fn pair_again(code: &RoomCode, error: Option<&str>) -> Markup {
    html! {
        form.pair-again action="/pair" method="post" target="_top" hx-post="/pair" hx-target="this" hx-swap="outerHTML" {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            input type="hidden" name="leave" value=(code.as_str());
            button.primary type="submit" autofocus[error.is_some()] { "Find a new stranger" }
        }
    }
}

fn notice(id: EventId, who: &str, what: &str, at: OffsetDateTime) -> Markup {
    html! {
        li.notice id=(item_id(id)) {
            p { (who) " " (what) " " (When(at)) }
        }
    }
}

/// "Ann", "Ann and Bob", "Ann, Bob and Cy", "Ann, Bob and 37 others".
pub fn names_phrase(names: &[Name], more: usize) -> String {
    let mut parts: Vec<String> = names.iter().map(ToString::to_string).collect();
    if more > 0 {
        parts.push(format!(
            "{more} {}",
            if more == 1 { "other" } else { "others" }
        ));
    }
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
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

fn online_member(member: &Author) -> Markup {
    html! { li data-author=(member.seed.as_str()) { (Avatar(&member.seed)) span { (member.name) } span.you {} } }
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
                    p.error id=(error_id) role="alert" { (self.label) ": " (error) }
                }
                input id=(self.id) name=(self.name) type="text" value=(self.value)
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

    #[test]
    fn notices_name_people_in_plain_english() {
        assert_eq!(names_phrase(&names(&["Ann"]), 0), "Ann");
        assert_eq!(names_phrase(&names(&["Ann", "Bob"]), 0), "Ann and Bob");
        assert_eq!(
            names_phrase(&names(&["Ann", "Bob", "Cy"]), 0),
            "Ann, Bob and Cy"
        );
        assert_eq!(
            names_phrase(&names(&["Ann", "Bob"]), 37),
            "Ann, Bob and 37 others"
        );
        assert_eq!(
            names_phrase(&names(&["Ann", "Bob"]), 1),
            "Ann, Bob and 1 other"
        );
    }
}
