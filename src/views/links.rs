//! A message's text as it stands in the log: plain text, escaped, with its
//! `http://` and `https://` URLs made links and nothing else turned into
//! markup. Finding the URLs (and leaving a sentence's closing `.`, `,` or
//! unopened `)` outside them) is `linkify`'s; which schemes may become links
//! is decided here.

use linkify::{LinkFinder, LinkKind};
use maud::{Markup, html};

use crate::chat::Author;
use crate::chat::rules::mention_spans;

/// What every link in a message says of itself: not endorsed, written by a
/// visitor, and no way back to the page that opened it.
pub const REL: &str = "nofollow ugc noopener noreferrer";

/// A run of a message's text: plain words, or a URL that may become a link.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'t> {
    Text(&'t str),
    Link(&'t str),
}

/// `text` cut into plain runs and `http(s)` URLs, in order; joined again,
/// the pieces give `text` back. Any other scheme (`javascript:`, `data:`,
/// `ftp:`) and a name without one ("example.com") stay text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(true);
    let mut out: Vec<Piece<'_>> = Vec::new();
    for span in finder.spans(text) {
        let piece = span.as_str();
        let linked = span.kind().is_some() && is_web(piece);
        match (linked, out.last_mut()) {
            (true, _) => out.push(Piece::Link(piece)),
            // A URL of another scheme joins the text around it.
            (false, Some(Piece::Text(before))) => {
                *before = &text[span.start() - before.len()..span.end()];
            }
            (false, _) => out.push(Piece::Text(piece)),
        }
    }
    out
}

/// An `http://` or `https://` URL with something after the scheme.
fn is_web(url: &str) -> bool {
    let lower = |n: usize| url.get(..n).map(str::to_ascii_lowercase);
    let after = |n: usize| url.len() > n;
    (lower(7).as_deref() == Some("http://") && after(7))
        || (lower(8).as_deref() == Some("https://") && after(8))
}

/// The text of a message, escaped, its web URLs as links and its
/// `@Name`s of the people it mentions (decided as it was numbered) marked
/// with whom they name (`data-seed`), for that person's own stylesheet.
pub fn linked(text: &str, mentions: &[Author]) -> Markup {
    html! {
        @for piece in pieces(text) {
            @match piece {
                Piece::Text(words) => (marked(words, mentions)),
                Piece::Link(url) => a href=(url) rel=(REL) { (url) },
            }
        }
    }
}

/// Plain `words`, each mention in them marked.
fn marked(words: &str, mentions: &[Author]) -> Markup {
    let spans = mention_spans(words, mentions);
    let ends = std::iter::once(0).chain(spans.iter().map(|(span, _)| span.end));
    let tail = spans.last().map_or(0, |(span, _)| span.end);
    html! {
        @for ((span, who), from) in spans.iter().zip(ends) {
            (&words[from..span.start])
            span.mention data-seed=(who.seed.as_str()) {
                "@" bdi { (&words[span.start + 1..span.end]) }
                span.mentions-you {}
            }
        }
        (&words[tail..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html_of(text: &str) -> String {
        linked(text, &[]).into_string()
    }

    #[test]
    fn a_web_url_becomes_a_safe_link() {
        assert_eq!(
            html_of("see https://example.com/a?b=1&c=2 now"),
            "see <a href=\"https://example.com/a?b=1&amp;c=2\" \
             rel=\"nofollow ugc noopener noreferrer\">https://example.com/a?b=1&amp;c=2</a> now"
        );
        assert_eq!(
            pieces("HTTP://EXAMPLE.COM"),
            [Piece::Link("HTTP://EXAMPLE.COM")]
        );
    }

    #[test]
    fn other_schemes_and_bare_names_stay_text() {
        for text in [
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,<svg onload=alert(1)>",
            "ftp://example.com/file",
            "example.com",
            "www.example.com",
            "http://",
        ] {
            let html = html_of(text);
            assert!(!html.contains("<a"), "{text} made {html}");
            assert!(!html.contains("<svg"), "{text} made {html}");
        }
    }

    #[test]
    fn markup_in_the_text_stays_text() {
        assert_eq!(
            html_of("<b>hi</b> <a href=\"x\">x</a> & <img src=x onerror=alert(1)>"),
            "&lt;b&gt;hi&lt;/b&gt; &lt;a href=&quot;x&quot;&gt;x&lt;/a&gt; &amp; \
             &lt;img src=x onerror=alert(1)&gt;"
        );
    }

    #[test]
    fn quotes_and_angle_brackets_cannot_leave_the_link() {
        for text in [
            "https://example.com/\"onmouseover=\"alert(1)",
            "https://example.com/<svg onload=alert(1)>",
            "https://example.com/'><img src=x>",
        ] {
            let html = html_of(text);
            assert!(!html.contains("<svg"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("\" onmouseover"), "{html}");
            assert_eq!(html.matches("<a ").count(), 1, "{html}");
            // Every attribute of the link is ours.
            let tag = &html[..html.find('>').expect("a tag")];
            assert!(!tag.contains("onmouseover=\""), "{tag}");
        }
    }

    #[test]
    fn sentence_punctuation_stays_out_of_the_link() {
        for (text, url) in [
            ("Look at https://example.com.", "https://example.com"),
            ("https://example.com, then", "https://example.com"),
            ("(see https://example.com/a)", "https://example.com/a"),
            (
                "https://en.wikipedia.org/wiki/Rust_(language).",
                "https://en.wikipedia.org/wiki/Rust_(language)",
            ),
            ("is it https://example.com?", "https://example.com"),
            ("https://example.com/x!", "https://example.com/x"),
        ] {
            let got: Vec<_> = pieces(text)
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Link(url) => Some(url),
                    Piece::Text(_) => None,
                })
                .collect();
            assert_eq!(got, [url], "{text}");
        }
    }

    #[test]
    fn several_urls_each_become_a_link_and_the_text_comes_back_whole() {
        let text = "a http://one.example/ b javascript:x https://two.example/p c";
        let got = pieces(text);
        assert_eq!(
            got,
            [
                Piece::Text("a "),
                Piece::Link("http://one.example/"),
                Piece::Text(" b javascript:x "),
                Piece::Link("https://two.example/p"),
                Piece::Text(" c"),
            ]
        );
        let again: String = got
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Link(t) => *t,
            })
            .collect();
        assert_eq!(again, text);
    }

    #[test]
    fn a_mention_is_marked_with_whom_it_names_and_links_stay_links() {
        let otter = Author {
            name: crate::chat::Name::parse("Quiet Otter", 32).expect("name"),
            seed: crate::chat::Seed::random(),
        };
        let html = linked(
            "@quiet otter: <b>https://example.com/@Quiet Otter</b>",
            std::slice::from_ref(&otter),
        )
        .into_string();
        assert_eq!(
            html,
            format!(
                "<span class=\"mention\" data-seed=\"{}\">@<bdi>quiet otter</bdi>\
                 <span class=\"mentions-you\"></span></span>: &lt;b&gt;\
                 <a href=\"https://example.com/@Quiet\" rel=\"{REL}\">https://example.com/@Quiet</a> \
                 Otter&lt;/b&gt;",
                otter.seed.as_str()
            )
        );
        // Nobody mentioned: the same text, nothing marked.
        assert!(
            !linked("@quiet otter", &[])
                .into_string()
                .contains("mention")
        );
    }

    #[test]
    fn a_two_thousand_character_url_is_one_link() {
        let url = format!("https://example.com/{}", "a".repeat(1980));
        assert_eq!(url.len(), 2000);
        assert_eq!(pieces(&url), [Piece::Link(url.as_str())]);
    }
}
