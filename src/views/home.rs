//! The home page: pick a name, then a public room, a code, a new private room
//! or a random stranger.
//! One form, so the one Name box goes with whichever button is pressed. Enter
//! in a text box presses the form's first submit button: a hidden one that
//! joins the room whose code was typed, or else only takes the name, so that
//! Enter never starts something the person did not ask for.

use maud::{Markup, html};

use super::components::Field;
use super::components::Who;
use super::layout::{Skip, page};
use crate::chat::{Name, RoomSummary};
use crate::{paths, t, th};

/// What the start form shows: the text as typed and what was wrong with it.
#[derive(Default)]
pub struct StartForm<'a> {
    pub name: &'a str,
    pub code: &'a str,
    pub name_error: Option<String>,
    pub code_error: Option<String>,
    /// Why queuing for a random stranger was refused (the queue is full).
    pub pair_error: Option<String>,
    /// The name Enter took: the form greets it and says what to do next
    /// (the Room code box, the next step, has the focus then).
    pub greeting: Option<&'a Name>,
    /// The room an invite link (`/r/CODE`, then `/?code=CODE`) leads to:
    /// its card comes first, with the Name box and one button.
    pub invite: Option<&'a str>,
    /// Why the invite's room refused this person (locked, removed, a ban):
    /// said on its card.
    pub invite_error: Option<String>,
}

/// The name and value of the hidden button that Enter presses.
pub const ENTER: (&str, &str) = ("enter", "1");

pub fn home(rooms: &[RoomSummary], form: &StartForm<'_>) -> Markup {
    let skip = Skip {
        href: "#name",
        text: t!("home-skip"),
    };
    page(
        &t!("home-title"),
        None,
        Some(skip),
        html! {
            main #main.home {
                h1 { "livechat" }
                p.lead { (t!("home-lead")) }
                (start_form(rooms, form))
            }
        },
    )
}

/// A submit button that posts the whole start form to `action`, with htmx or without.
/// htmx morphs the answer into the form, so the elements stay (and keep the
/// focus, and the status line stays a live region); a stable `id` lets the
/// morph match each button. `focus` puts the focus on it (page or fragment).
fn submit(id: &str, action: &str, content: Markup, room: Option<&str>, focus: bool) -> Markup {
    // A public room's button looks like a list entry; an invite's is the one to press.
    let class = if id.starts_with("room-") {
        "room"
    } else {
        "primary"
    };
    html! {
        button #(id) class=(class) type="submit" formaction=(action)
            name=[room.map(|_| "room")] value=[room] autofocus[focus]
            hx-post=(action) hx-target="#start" hx-swap="outerMorph" { (content) }
    }
}

/// The one Name box; `focus` when it is what the person came to fill in.
fn name_field(form: &StartForm<'_>, focus: bool) -> Markup {
    html! {
        (Field { id: "name", name: "name", label: &t!("field-name"), value: form.name, error: form.name_error.clone(), focus })
    }
}

/// The status line that greets the name Enter took.
fn greeting(form: &StartForm<'_>) -> Markup {
    html! {
        p #greeting.status role="status" {
            @if let Some(name) = form.greeting {
                (th!("home-greeting", name = Who(name)))
            }
        }
    }
}

/// The form, also the fragment htmx swaps in when something was wrong.
pub fn start_form(rooms: &[RoomSummary], form: &StartForm<'_>) -> Markup {
    html! {
        form #start.start action=(paths::JOIN) method="post" {
            button hidden type="submit" name=(ENTER.0) value=(ENTER.1)
                hx-post=(paths::JOIN) hx-target="#start" hx-swap="outerMorph" { (t!("home-go")) }
            @if let Some(code) = form.invite {
                section.card.invite aria-labelledby="invite-h" {
                    h2 #invite-h { (th!("home-invited", code = html! { span.code { (code) } })) }
                    @if let Some(error) = &form.invite_error {
                        p.error role="alert" { (error) }
                    }
                    input type="hidden" name="invite" value=(code);
                    div.inline {
                        (name_field(form, true))
                        (submit("invite-join", paths::JOIN, html! { (t!("home-join-room", code = code)) }, Some(code), false))
                    }
                    (greeting(form))
                }
            } @else {
                div.card.you-card {
                    (name_field(form, false))
                    (greeting(form))
                }
            }
            section.card aria-labelledby="join-h" {
                h2 #join-h { (t!("home-join-heading")) }
                div.inline {
                    (Field { id: "code", name: "code", label: &t!("field-room-code"), value: form.code, error: form.code_error.clone(), focus: form.greeting.is_some() })
                    (submit("join", paths::JOIN, html! { (t!("home-join")) }, None, false))
                }
            }
            section.card aria-labelledby="rooms-h" {
                h2 #rooms-h { (t!("home-public-rooms")) }
                ul #public-rooms.rooms hx-get="/" hx-trigger="every 10s" hx-select="#public-rooms" hx-target="this" hx-swap="outerMorph" {
                    @for room in rooms {
                        li {
                            (submit(&format!("room-{}", room.code), paths::JOIN, html! {
                                span.room-name { "# " (room.code) }
                                " "
                                span.count { (t!("home-online", n = room.members)) }
                            }, Some(room.code.as_str()), false))
                        }
                    }
                }
            }
            section.card aria-labelledby="private-h" {
                h2 #private-h { (t!("home-private-heading")) }
                p { (t!("home-private-text")) }
                (submit("create", paths::ROOMS, html! { (t!("home-create")) }, None, false))
            }
            section.card aria-labelledby="random-h" {
                h2 #random-h { (t!("home-random-heading")) }
                p { (t!("home-random-text")) }
                @if let Some(error) = &form.pair_error {
                    p.error role="alert" { (error) }
                }
                (submit("pair", paths::PAIR, html! { (t!("home-pair")) }, None, form.pair_error.is_some()))
            }
        }
    }
}
