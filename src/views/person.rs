//! A person's page in a room: who they are (avatar, name, "You" for the
//! viewer), **Ignore {name}** or **Stop ignoring {name}**, the owner's
//! **Remove {name}** (`room::owner`), and on the
//! viewer's own page the people they ignore, each with **Stop ignoring**.

use maud::{Markup, html};

use super::components::{Avatar, Who};
use super::layout::page;
use super::room::owner::person_actions;
use crate::chat::{Author, Member, RoomCode};
use crate::{paths, t, th};

/// What a person's page shows.
pub struct PersonPage<'a> {
    pub code: &'a RoomCode,
    pub person: &'a Author,
    pub me: &'a Member,
    /// The viewer ignores this person now.
    pub ignoring: bool,
    /// Whom the viewer ignores (shown on their own page).
    pub ignored: &'a [Author],
    /// The viewer owns the room (and so may remove this person).
    pub owner: bool,
}

/// The form's value that says which: ignore, or stop.
pub const IGNORE: &str = "on";
pub const STOP: &str = "off";

/// `GET /r/{code}/p/{seed}`.
pub fn person_page(p: &PersonPage<'_>) -> Markup {
    let mine = p.person.seed == p.me.seed;
    let title = t!("person-title", name = &p.person.name);
    page(
        &title,
        Some(&paths::own_css(&p.me.seed)),
        None,
        html! {
            main #main.narrow.person {
                h1.person-card {
                    (Avatar(&p.person.seed)) (Who(&p.person.name))
                    @if mine { span.badge { " " (t!("person-you")) } }
                }
                @if mine {
                    p { (t!("person-this-is-you")) }
                    (ignored_list(p.code, p.ignored))
                } @else {
                    (ignore_form(p.code, p.person, p.ignoring, &Said::Nothing))
                    (person_actions(p.code, &p.person.seed, &p.person.name, p.owner))
                    p { a href=(paths::person(p.code, &p.me.seed)) { (t!("ignored-heading")) } }
                }
                p { a href=(paths::room(p.code)) { (t!("back-to-room")) } }
            }
        },
    )
}

/// What an ignore form says above its button.
pub enum Said {
    Nothing,
    /// What was done (htmx's answer): a status line.
    Done,
    /// Why it was refused: an alert.
    Refused(String),
}

/// **Ignore {name}** or **Stop ignoring {name}**, as a form that works with
/// and without JavaScript: htmx swaps the fresh form in, a plain post goes
/// back to the room.
pub fn ignore_form(code: &RoomCode, person: &Author, ignoring: bool, said: &Said) -> Markup {
    let action = paths::ignore(code, &person.seed);
    html! {
        form.ignore action=(action) method="post" hx-post=(action) hx-target="this" hx-swap="outerHTML" {
            @match said {
                Said::Refused(why) => p.error role="alert" { (why) },
                Said::Done if ignoring => p role="status" {
                    (th!("ignore-done", name = Who(&person.name)))
                },
                Said::Done => p role="status" {
                    (th!("ignore-undone", name = Who(&person.name)))
                },
                Said::Nothing => {},
            }
            @if ignoring {
                input type="hidden" name="ignore" value=(STOP);
                button.secondary type="submit" autofocus[matches!(said, Said::Done)] {
                    (th!("ignore-stop-button", name = Who(&person.name)))
                }
            } @else {
                input type="hidden" name="ignore" value=(IGNORE);
                button.secondary type="submit" autofocus[matches!(said, Said::Done)] {
                    (th!("ignore-button", name = Who(&person.name)))
                }
            }
        }
    }
}

/// The people the viewer ignores, each with the name they had then and a
/// way to stop.
fn ignored_list(code: &RoomCode, ignored: &[Author]) -> Markup {
    html! {
        section aria-labelledby="ignored-h" {
            h2 #ignored-h { (t!("ignored-heading")) }
            @if ignored.is_empty() {
                p { (t!("ignored-nobody")) }
            } @else {
                ul.ignored {
                    @for person in ignored {
                        li {
                            (Avatar(&person.seed)) (Who(&person.name))
                            (ignore_form(code, person, true, &Said::Nothing))
                        }
                    }
                }
            }
        }
    }
}
