//! The page around every page: head, scripts, stylesheet, skip link, header.

use maud::{DOCTYPE, Markup, html};

use crate::http::assets;

/// htmx settings: no injected indicator styles (strict CSP); streams that
/// stay open in background tabs so presence does not flicker; and a lost
/// stream tried again at least every 7 s (30 % jitter: within about 10 s of
/// the server coming back), not after hx-sse's default of up to 60 s.
const HTMX_CONFIG: &str =
    r#"{"includeIndicatorCSS":false,"sse":{"pauseOnBackground":false,"reconnectMaxDelay":7000}}"#;

/// The selector of every page's alert region, where errors that answer htmx
/// requests are shown (and announced) without replacing the form that was sent.
pub const ALERTS: &str = "#alerts";

/// Where the skip link leads, if the page has such a place.
pub struct Skip<'a> {
    pub href: &'a str,
    pub text: &'a str,
}

/// What the browser's tab says for a page titled `title`.
pub fn tab_title(title: &str) -> String {
    format!("{title} · livechat")
}

/// A whole page: `title` for the tab, `own_css` for the member's own stylesheet.
pub fn page(title: &str, own_css: Option<&str>, skip: Option<Skip<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (tab_title(title)) }
                link rel="stylesheet" href=(assets::STYLE.path());
                @if let Some(href) = own_css { link rel="stylesheet" href=(href); }
                noscript { link rel="stylesheet" href=(assets::NO_JS.path()); }
                script src=(assets::HTMX.path()) defer {}
                script src=(assets::HTMX_SSE.path()) defer {}
            }
            body {
                @if let Some(skip) = skip { a.skip href=(skip.href) { (skip.text) } }
                header.top {
                    a.brand href="/" { "livechat" }
                }
                div #alerts.alerts role="alert" {}
                (body)
                footer.bottom {
                    p { "Anonymous chat. Be kind; anything you write is seen by everyone in the room." }
                }
            }
        }
    }
}

/// The start of a document that never ends (framed by our own pages for
/// browsers without JavaScript): head and the opening of `<body>`; what
/// follows is streamed into it. `opening` is markup we rendered.
pub fn open_document(
    title: &str,
    own_css: Option<&str>,
    body_class: &str,
    opening: &str,
) -> String {
    let head = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                link rel="stylesheet" href=(assets::STYLE.path());
                @if let Some(href) = own_css { link rel="stylesheet" href=(href); }
            }
        }
    };
    // Maud closes `<html>`; the body must stay open for what is streamed.
    let head = head.into_string();
    let head = head.trim_end_matches("</html>");
    let body = html! { body class=(body_class) {} }.into_string();
    let body = body.trim_end_matches("</body>");
    format!("{head}{body}{opening}")
}
