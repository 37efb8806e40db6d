//! The moderator console: its sign-in form, and the console itself (open
//! reports with what may be done about each, the live rooms, the action
//! log). Every action is a plain form that posts and comes back here; a
//! person is named by name, avatar and a label of their session, never the
//! session itself.

use std::time::Duration;

use maud::{Markup, html};

use super::components::{Avatar, When, Who};
use super::layout::{Skip, page};
use crate::chat::rules::{BAN_TIMES, MUTE_TIMES, READ_ONLY_TIMES, SLOW_MODE_TIMES};
use crate::chat::{Action, LiveRoom, Report};
use crate::{paths, t, th};

/// The console's tab title and heading.
pub fn title() -> String {
    t!("console-title")
}

/// A report as the console shows it, with its author's session label.
pub struct Reported<'a> {
    pub report: &'a Report,
    pub session: String,
}

/// What the console shows.
pub struct Console<'a> {
    /// Which sign-in this is.
    pub moderator: &'a str,
    pub reports: Vec<Reported<'a>>,
    pub rooms: &'a [LiveRoom],
    pub actions: &'a [Action],
    /// Why the last action was refused.
    pub error: Option<String>,
}

/// A moderator's label in the reader's language: the store keeps
/// "sign-in e1b7fc64", which an Arabic console says in Arabic.
pub fn moderator_words(label: &str) -> String {
    match label.strip_prefix("sign-in ") {
        Some(id) => t!("console-sign-in-label", id = id),
        None => label.to_owned(),
    }
}

/// A length of time in words: "10 minutes", "1 hour", "7 days", "30 s".
pub fn spell(length: Duration) -> String {
    let secs = length.as_secs();
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => t!("length-days", n = s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => t!("length-hours", n = s / 3600),
        s if s >= 60 && s % 60 == 0 => t!("length-minutes", n = s / 60),
        s => t!("length-seconds", n = s),
    }
}

/// The sign-in form, with why the last try was refused.
pub fn sign_in(error: Option<&str>) -> Markup {
    let skip = Skip {
        href: "#token",
        text: t!("console-skip-token"),
    };
    let title = title();
    page(
        &title,
        None,
        Some(skip),
        html! {
            main #main.narrow.console {
                h1 { (title) }
                form.card action=(paths::ADMIN_SIGN_IN) method="post" {
                    div.field {
                        label for="token" { (t!("console-token")) }
                        @if let Some(error) = error {
                            p.error #token-error role="alert" { (error) }
                        }
                        input #token name="token" type="password" autocomplete="off"
                            autofocus[error.is_some()]
                            aria-invalid=[error.map(|_| "true")]
                            aria-describedby=[error.map(|_| "token-error")];
                    }
                    button.primary type="submit" { (t!("console-sign-in")) }
                }
            }
        },
    )
}

/// The console.
pub fn console(console: &Console<'_>) -> Markup {
    let skip = Skip {
        href: "#reports-h",
        text: t!("console-skip-reports"),
    };
    let title = title();
    page(
        &title,
        None,
        Some(skip),
        html! {
            main #main.console {
                div.console-head {
                    h1 { (title) }
                    p { (th!("console-signed-in-as", moderator = html! { strong { (moderator_words(console.moderator)) } })) }
                    form action=(paths::ADMIN_SIGN_OUT) method="post" {
                        button.secondary type="submit" { (t!("console-sign-out")) }
                    }
                }
                @if let Some(error) = &console.error {
                    p.error role="alert" { (error) }
                }
                section aria-labelledby="reports-h" {
                    h2 #reports-h tabindex="-1" { (t!("console-open-reports", n = console.reports.len())) }
                    @if console.reports.is_empty() {
                        p { (t!("console-no-reports")) }
                    } @else {
                        ol.reports { @for reported in &console.reports { (report(reported)) } }
                    }
                }
                (rooms(console.rooms))
                (delete_any())
                (log(console.actions))
            }
        },
    )
}

fn report(reported: &Reported<'_>) -> Markup {
    let report = reported.report;
    let said = &report.message;
    let id = report.id.to_string();
    let heading = format!("report-{id}");
    html! {
        li.card aria-labelledby=(heading) {
            h3 #(heading) {
                (th!("console-report-heading", reason = report.reason.words(), room = html! { strong.code { (report.code) } }, at = html! { (When(report.at)) }))
            }
            div.reported {
                (Avatar(&said.author.seed))
                p {
                    span.author { (Who(&said.author.name)) }
                    " · " (th!("console-session", session = html! { code { (reported.session) } }))
                    " · " (th!("console-said-at", at = html! { (When(said.at)) }))
                }
                @match &said.text {
                    Some(text) => blockquote dir="auto" { (text.as_str()) },
                    None => p { em { (t!("deleted-by-author")) } },
                }
            }
            div.actions {
                (button_form(paths::ADMIN_DELETE, &id, &t!("console-delete-message")))
                (timed_form(paths::ADMIN_MUTE, &id, "mute", &t!("console-mute-for"), &MUTE_TIMES, &t!("console-mute")))
                (timed_form(paths::ADMIN_BAN, &id, "ban", &t!("console-ban-for"), &BAN_TIMES, &t!("console-ban")))
                (button_form(paths::ADMIN_CLOSE, &id, &t!("console-close-report")))
            }
        }
    }
}

/// A form about one report with one button.
fn button_form(action: &str, report: &str, button: &str) -> Markup {
    html! {
        form action=(action) method="post" {
            input type="hidden" name="report" value=(report);
            button.secondary type="submit" { (button) }
        }
    }
}

/// A form about one report (or room) with a choice of times.
fn timed_form(
    action: &str,
    report: &str,
    kind: &str,
    label: &str,
    times: &[Duration],
    button: &str,
) -> Markup {
    let id = format!("{kind}-{report}");
    html! {
        form.inline action=(action) method="post" {
            input type="hidden" name="report" value=(report);
            label for=(id) { (label) }
            select #(id) name="secs" {
                @for time in times { option value=(time.as_secs()) { (spell(*time)) } }
            }
            button.secondary type="submit" { (button) }
        }
    }
}

fn rooms(rooms: &[LiveRoom]) -> Markup {
    html! {
        section aria-labelledby="rooms-h" {
            h2 #rooms-h { (t!("console-live-rooms")) }
            @if rooms.is_empty() {
                p { (t!("console-no-rooms")) }
            } @else {
                // Scrolls by itself when narrow; the page never does.
                div.table-wrap { table.rooms-table {
                    thead { tr { th scope="col" { (t!("console-room")) } th scope="col" { (t!("console-members")) } th scope="col" { (t!("console-slow-mode")) } th scope="col" { (t!("console-read-only")) } } }
                    tbody {
                        @for room in rooms {
                            tr {
                                th scope="row" {
                                    strong.code { (room.code) }
                                    " " @if room.public { (t!("console-public")) } @else if room.pair { (t!("console-random")) } @else { (t!("console-private")) }
                                }
                                td { (room.members) }
                                td { (room_form(paths::ADMIN_SLOW_MODE, room, "slow", &t!("console-one-message-per"), &SLOW_MODE_TIMES, &t!("console-set-slow-mode"))) }
                                td {
                                    @if room.public {
                                        (room_form(paths::ADMIN_READ_ONLY, room, "read-only", &t!("console-read-only-for"), &READ_ONLY_TIMES, &t!("console-make-read-only")))
                                    } @else { (t!("console-public-only")) }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// A form about one room: a choice of times, or off.
fn room_form(
    action: &str,
    room: &LiveRoom,
    kind: &str,
    label: &str,
    times: &[Duration],
    button: &str,
) -> Markup {
    let id = format!("{kind}-{}", room.code);
    html! {
        form.inline action=(action) method="post" {
            input type="hidden" name="room" value=(room.code);
            label for=(id) { (label) " " span.visually-hidden { (t!("console-in-room", room = &room.code)) } }
            select #(id) name="secs" {
                @for time in times { option value=(time.as_secs()) { (spell(*time)) } }
                option value="0" { (t!("console-off")) }
            }
            button.secondary type="submit" { (button) }
        }
    }
}

/// Deleting a message that nobody reported: by its page's address.
fn delete_any() -> Markup {
    html! {
        section aria-labelledby="delete-h" {
            h2 #delete-h { (t!("console-delete-heading")) }
            form.inline action=(paths::ADMIN_DELETE) method="post" {
                label for="message" { (t!("console-message-link")) }
                input #message name="message" type="text" dir="auto" autocomplete="off"
                    spellcheck="false" placeholder="/r/K7QX/m/1733200000000-12";
                button.secondary type="submit" { (t!("console-delete-message")) }
            }
        }
    }
}

fn log(actions: &[Action]) -> Markup {
    html! {
        section aria-labelledby="log-h" {
            h2 #log-h { (t!("console-action-log")) }
            @if actions.is_empty() {
                p { (t!("console-nothing-done")) }
            } @else {
                // No control inside: focusable, so the keyboard can scroll it.
                div.table-wrap tabindex="0" role="group" aria-labelledby="log-h" { table.log-table {
                    thead { tr { th scope="col" { (t!("console-when")) } th scope="col" { (t!("console-moderator")) } th scope="col" { (t!("console-what")) } th scope="col" { (t!("console-session-column")) } th scope="col" { (t!("console-room")) } } }
                    tbody {
                        @for action in actions {
                            tr {
                                td { (When(action.at)) }
                                td { (moderator_words(&action.moderator)) }
                                td { (action.what) }
                                td { @if let Some(session) = &action.session { code { (session) } } }
                                td { @if let Some(room) = &action.room { strong.code { (room) } } }
                            }
                        }
                    }
                } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moderators_label_reads_in_the_readers_language() {
        use crate::look::{Lang, Look};
        assert_eq!(moderator_words("sign-in e1b7fc64"), "sign-in e1b7fc64");
        let arabic = Look {
            lang: Lang::Ar,
            ..Look::default()
        };
        let words = crate::look::render_with(&arabic, || moderator_words("sign-in e1b7fc64"));
        assert_eq!(words, "تسجيل دخول e1b7fc64");
    }

    #[test]
    fn lengths_are_spelled_in_their_largest_whole_unit() {
        assert_eq!(spell(Duration::from_secs(600)), "10 minutes");
        assert_eq!(spell(Duration::from_secs(3600)), "1 hour");
        assert_eq!(spell(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(spell(Duration::from_secs(30)), "30 seconds");
        assert_eq!(spell(Duration::from_secs(1)), "1 second");
    }
}
