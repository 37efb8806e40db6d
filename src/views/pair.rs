//! The waiting page of a random chat, what its stream says when a stranger is
//! found, and the document that waits in an `<iframe>` without JavaScript.

use maud::{Markup, html};

use super::components::{Who, not_live};
use super::layout::{open_document, page, tab_title};
use super::stream::CLOSE_EVENT;
use crate::chat::{Name, RoomCode};
use crate::{paths, t, th};

/// `GET /pair` while waiting: says so, and offers Cancel.
pub fn waiting() -> Markup {
    let title = t!("pair-waiting");
    page(
        &title,
        None,
        None,
        html! {
            main #main.narrow.pair {
                h1 { (title) }
                div #pair-status role="status" {
                    p {
                        (t!("pair-looking"))
                        // Not true without JavaScript (nojs.css hides it): there the
                        // framed document below shows a link instead.
                        span.moves { " " (t!("pair-moves")) }
                    }
                    div #pair-live hx-sse:connect=(paths::PAIR_EVENTS) hx-swap="beforeend"
                        hx-sse:close=(CLOSE_EVENT)
                        hx-status:4xx="swap:none" hx-status:5xx="swap:none" {}
                }
                noscript {
                    iframe.pair-frame src=(paths::PAIR_WAIT) title=(t!("pair-your-stranger")) {}
                }
                p #stream-status.status role="status" { (not_live(paths::PAIR)) }
                form action=(paths::PAIR_CANCEL) method="post" {
                    button.secondary type="submit" { (t!("pair-cancel")) }
                }
            }
        },
    )
}

/// What the waiting page's stream adds when a stranger is found: a link to the
/// room, and an element that asks `/pair` at once, which answers htmx with
/// `HX-Redirect` to the room: the page moves by itself, with no script of ours.
pub fn found(code: &RoomCode) -> Markup {
    html! {
        title { (tab_title(&t!("pair-found"))) }
        p { (t!("pair-found")) ". " a href=(paths::room(code)) { (t!("pair-go")) } }
        div hx-get=(paths::PAIR) hx-trigger="load" hx-swap="none" {}
    }
}

/// The start of the document that waits in an `<iframe>` without JavaScript.
/// Left open: the link to the room follows when a stranger is found.
pub fn wait_document_head() -> String {
    let opening = html! {
        p.looking { (t!("pair-still-looking")) }
    };
    open_document(&t!("pair-your-stranger"), None, "wait-document", opening)
}

/// The link the waiting document shows when a stranger is found, naming them
/// when known; it leads the whole window (`_top`) to the room. The
/// stylesheet hides "Still looking" once it is there.
pub fn found_link(code: &RoomCode, stranger: Option<&Name>) -> String {
    html! {
        p.found {
            a href=(paths::room(code)) target="_top" {
                @if let Some(name) = stranger { (th!("pair-go-with", name = Who(name))) } @else { (t!("pair-go-with-stranger")) }
            }
        }
    }
    .into_string()
}
