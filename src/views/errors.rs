//! Error pages and fragments: a real page that says what happened and leads home.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::layout::page;
use crate::chat::Waiting;
use crate::t;

/// A whole error page.
pub fn error_page(title: &str, detail: &str) -> Markup {
    page(
        title,
        None,
        None,
        html! {
            main #main.error-page {
                h1 { (title) }
                p { (detail) }
                p { a.button href="/" { (t!("error-home-button")) } }
            }
        },
    )
}

/// The same, as a fragment for htmx to show without leaving the page: it goes
/// into the page's alert region (`layout::ALERTS`), which announces it.
pub fn error_fragment(title: &str, detail: &str) -> Markup {
    html! {
        div.error { strong { (title) } " " (detail) " " a href="/" { (t!("home-link")) } }
    }
}

/// A wait said as the clock time it ends, for a page that does not change by
/// itself (without JavaScript), where "wait 7 s" would never move: "You are
/// sending messages too fast: send again at 07:48:30 UTC". `now` is when the
/// refusal was made; the time is rounded up to the whole second, never early.
pub fn until(waiting: Waiting, now: OffsetDateTime) -> String {
    let end = now
        .to_offset(time::UtcOffset::UTC)
        .checked_add(time::Duration::try_from(waiting.wait).unwrap_or(time::Duration::MAX))
        .unwrap_or(now);
    let at = match end.nanosecond() {
        0 => end,
        _ => end
            .replace_nanosecond(0)
            .ok()
            .and_then(|whole| whole.checked_add(time::Duration::SECOND))
            .unwrap_or(end),
    };
    let clock = at
        .format(time::macros::format_description!(
            "[hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    t!(
        "wait-until",
        why = crate::i18n::say(waiting.why),
        then = crate::i18n::say(waiting.then),
        clock = clock
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Said on a page without JavaScript: when, not how long from a moment
    /// the page cannot follow; rounded up, never early (23.9 s + 6.2 s).
    #[test]
    fn a_wait_on_a_still_page_is_the_clock_time_it_ends() {
        let waiting = Waiting {
            why: crate::key!("wait-why-too-fast"),
            wait: Duration::from_millis(6_200),
            then: crate::key!("wait-then-send"),
        };
        let now = time::macros::datetime!(2026-12-03 07:48:23.900 UTC);
        assert_eq!(
            until(waiting, now),
            "You are sending messages too fast: send again at 07:48:31 UTC"
        );
        assert_eq!(
            waiting.to_string(),
            "You are sending messages too fast: wait 7 s and send again"
        );
    }
}
