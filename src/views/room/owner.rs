//! What a room's owner may do, and what everyone is told of how the room
//! works: **Remove {name}** on a person's page, **Lock room** / **Unlock
//! room** on the room page, and the lines by the send form (slow mode,
//! read-only, locked). Plain forms that work without JavaScript (`303` back
//! to the room); the lock form is also swapped in place by htmx.

use maud::{Markup, html};

use crate::chat::{Name, RoomCode, RoomRules, Seed};
use crate::views::components::Who;
use crate::views::log::{read_only_words, slow_mode_words};
use crate::{paths, t, th};

/// The `id` of the lock form, which htmx swaps for the one that follows.
pub const LOCK_FORM: &str = "lock";

/// The owner's actions for one person of the room, on that person's page:
/// **Remove {name}**, for the room's owner only (nothing for anyone else,
/// nor for the owner's own page).
pub fn person_actions(code: &RoomCode, seed: &Seed, name: &Name, viewer_is_owner: bool) -> Markup {
    html! {
        @if viewer_is_owner {
            form.owner-action action=(paths::remove(code, seed)) method="post" {
                button.secondary type="submit" { (th!("owner-remove", name = Who(name))) }
            }
        }
    }
}

/// **Lock room** or **Unlock room**, as the room stands; `error` says why
/// the last try was refused.
pub fn lock_form(code: &RoomCode, locked: bool, error: Option<&str>) -> Markup {
    let action = paths::lock(code);
    let (value, words) = if locked {
        ("off", t!("owner-unlock"))
    } else {
        ("on", t!("owner-lock"))
    };
    html! {
        form.lock #(LOCK_FORM) action=(action) method="post" hx-post=(action) hx-target="this"
            hx-swap="outerHTML" hx-status:5xx="swap:none" {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            }
            input type="hidden" name="lock" value=(value);
            button.secondary type="submit" { (words) }
        }
    }
}

/// How the room works now, said by the send form when the page loads:
/// "Slow mode: one message every 30 s", "This room is read-only until
/// 07:48 UTC", that it is locked. Changes after that are notices in the log.
pub fn rules_lines(rules: &RoomRules) -> Markup {
    html! {
        @if rules.slow.is_some() || rules.read_only.is_some() || rules.locked {
            ul.room-rules {
                @if let Some(every) = rules.slow { li { (slow_mode_words(every)) } }
                @if let Some(until) = rules.read_only {
                    li { (read_only_words(until)) }
                }
                @if rules.locked { li { (t!("rules-locked")) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn name(typed: &str) -> Name {
        Name::parse(typed, 32).expect("name")
    }

    #[test]
    fn only_the_owner_is_offered_remove() {
        let code = RoomCode::parse_private("K7QX").expect("code");
        let seed = Seed::random();
        let owners = person_actions(&code, &seed, &name("Bob"), true).into_string();
        assert!(owners.contains("Remove <bdi"), "{owners}");
        assert!(owners.contains(&format!("/r/K7QX/p/{}/remove", seed.as_str())));
        assert!(owners.contains("method=\"post\""));
        let others = person_actions(&code, &seed, &name("Bob"), false).into_string();
        assert_eq!(others, "");
    }

    #[test]
    fn the_lock_form_offers_what_is_not_so() {
        let code = RoomCode::parse_private("K7QX").expect("code");
        let open = lock_form(&code, false, None).into_string();
        assert!(open.contains("Lock room") && open.contains("value=\"on\""));
        let locked = lock_form(&code, true, None).into_string();
        assert!(locked.contains("Unlock room") && locked.contains("value=\"off\""));
    }

    #[test]
    fn the_send_form_says_slow_mode_and_read_only() {
        let rules = RoomRules {
            slow: Some(Duration::from_secs(30)),
            read_only: Some(time::macros::datetime!(2026-12-03 07:48 UTC)),
            ..RoomRules::default()
        };
        let lines = rules_lines(&rules).into_string();
        assert!(
            lines.contains("Slow mode: one message every 30 s"),
            "{lines}"
        );
        assert!(
            lines.contains("This room is read-only until 07:48 UTC"),
            "{lines}"
        );
        assert_eq!(rules_lines(&RoomRules::default()).into_string(), "");
    }
}
