//! The page around every page: head, scripts, stylesheet, skip link, header.

use maud::{DOCTYPE, Markup, Render, html};

use crate::{assets, look, t};

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
    pub text: String,
}

/// What the browser's tab says for a page titled `title`.
pub fn tab_title(title: &str) -> String {
    t!("tab-title", title = title)
}

/// A whole page: `title` for the tab, `own_css` for the member's own stylesheet.
pub fn page(title: &str, own_css: Option<&str>, skip: Option<Skip<'_>>, body: Markup) -> Markup {
    page_skipping(title, own_css, skip.as_slice(), body)
}

/// `page` with several skip links, in this order, first in the page.
pub fn page_skipping(
    title: &str,
    own_css: Option<&str>,
    skips: &[Skip<'_>],
    body: Markup,
) -> Markup {
    let lang = look::current().lang;
    let settings = look::settings();
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) dir=(lang.dir()) class=[settings.page_class()] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content=(settings.color_scheme());
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (tab_title(title)) }
                link rel="stylesheet" href=(assets::STYLE.path());
                @if let Some(href) = own_css { link rel="stylesheet" href=(href); }
                noscript { link rel="stylesheet" href=(assets::NO_JS.path()); }
                script src=(assets::HTMX.path()) defer {}
                script src=(assets::HTMX_SSE.path()) defer {}
            }
            body {
                @for skip in skips { a.skip href=(skip.href) { (skip.text) } }
                header.top {
                    a.brand href="/" { "livechat" }
                    a.settings-link href=(crate::paths::settings(look::here().as_deref())) { (t!("settings-title")) }
                }
                div #alerts.alerts role="alert" {}
                (body)
                footer.bottom {
                    p { (t!("footer")) }
                }
            }
        }
    }
}

/// The start of a document that never ends (framed by our own pages for
/// browsers without JavaScript): head and the opening of `<body>`, followed
/// by `opening`; what comes next is streamed into the open body.
pub fn open_document(
    title: &str,
    own_css: Option<&str>,
    body_class: &str,
    opening: Markup,
) -> String {
    let lang = look::current().lang;
    let class = look::settings().page_class();
    let mut html_attrs = vec![("lang", lang.tag()), ("dir", lang.dir())];
    if let Some(class) = &class {
        html_attrs.push(("class", class.as_str()));
    }
    html! {
        (DOCTYPE)
        (StartTag { name: "html", attrs: &html_attrs })
        head {
            meta charset="utf-8";
            title { (title) }
            link rel="stylesheet" href=(assets::STYLE.path());
            @if let Some(href) = own_css { link rel="stylesheet" href=(href); }
        }
        (StartTag { name: "body", attrs: &[("class", body_class)] })
        (opening)
    }
    .into_string()
}

/// The start tag of an element left open, its attribute values escaped: the
/// body and lists of a streamed document, whose ends never come, which
/// Maud's elements (always closed) cannot say.
pub struct StartTag<'a> {
    pub name: &'static str,
    pub attrs: &'a [(&'static str, &'a str)],
}

impl Render for StartTag<'_> {
    fn render_to(&self, buffer: &mut String) {
        use std::fmt::Write;
        buffer.push('<');
        buffer.push_str(self.name);
        for (attr, value) in self.attrs {
            buffer.push(' ');
            buffer.push_str(attr);
            buffer.push_str("=\"");
            // Writing into a `String` cannot fail.
            let _ = maud::Escaper::new(buffer).write_str(value);
            buffer.push('"');
        }
        buffer.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed document stays open for what follows, and what goes in
    /// its start tags is escaped like any Maud attribute.
    #[test]
    fn an_open_document_leaves_its_body_open_and_escapes_its_attributes() {
        let doc = open_document("T", None, "a\"b<c", html! { p { "first" } });
        assert!(
            doc.starts_with("<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><head>"),
            "{doc}"
        );
        assert!(
            doc.ends_with("<body class=\"a&quot;b&lt;c\"><p>first</p>"),
            "{doc}"
        );
        assert!(
            !doc.contains("</body>") && !doc.contains("</html>"),
            "{doc}"
        );
    }
}
