//! Error pages and fragments: a real page that says what happened and leads home.

use maud::{Markup, html};

use super::layout::page;

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
                p { a.button href="/" { "Go to the home page" } }
            }
        },
    )
}

/// The same, as a fragment for htmx to show without leaving the page: it goes
/// into the page's alert region (`layout::ALERTS`), which announces it.
pub fn error_fragment(title: &str, detail: &str) -> Markup {
    html! {
        div.error { strong { (title) } " " (detail) " " a href="/" { "Home" } }
    }
}
