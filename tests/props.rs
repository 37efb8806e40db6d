//! Property tests: arbitrary names, messages, codes, ids and form bodies never
//! panic the parsers or the server, and never turn into markup.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use livechat::chat::{Author, Event, EventId, MessageText, Name, Place, RoomCode, Seed};
use livechat::views::log::log_item;
use livechat::views::stream::message;
use livechat::{AppState, app};
use proptest::prelude::*;
use time::OffsetDateTime;
use tower::ServiceExt;

mod common;

/// Counts the characters that make markup: escaping must leave them to us.
fn markup_chars(html: &str) -> [usize; 3] {
    [
        html.matches('<').count(),
        html.matches('>').count(),
        html.matches('"').count(),
    ]
}

fn rendered(name: &Name, text: &MessageText) -> String {
    let seed = Seed::parse("0123456789abcdef").expect("seed");
    let event = Event::Message {
        mentions: Vec::new(),
        author: Author {
            name: name.clone(),
            seed,
        },
        text: text.clone(),
        at: OffsetDateTime::UNIX_EPOCH,
    };
    let room = RoomCode::parse_slug("general").expect("slug");
    log_item(
        &room,
        EventId { epoch: 1, seq: 1 },
        &event,
        Place::default(),
    )
    .into_string()
}

/// Any string at all, including controls, markup and odd Unicode.
fn anything() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>\"'&/a-z =;\\\\\u{0}-\u{1f}\u{200b}\u{202e}\u{301}]{0,64}",
        Just("<script>alert(1)</script>".to_owned()),
        Just("\"><img src=x onerror=alert(1)>".to_owned()),
        "(https?://[<>\"'&/a-z.=;()]{1,24}[ .,)]?){1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn names_and_messages_never_become_markup(name in anything(), text in anything()) {
        let name = Name::parse(&name, 32);
        let text = MessageText::parse(&text, 2000);
        if let (Ok(name), Ok(text)) = (name, text) {
            let plain = rendered(&Name::parse("x", 32).expect("name"), &MessageText::parse("x", 2000).expect("text"));
            let html = rendered(&name, &text);
            // The one markup a message may gain: a link per web address,
            // `<a href="…" rel="…">` and `</a>`, whose attributes are ours.
            let links = html.matches("<a href=\"http").count();
            prop_assert_eq!(html.matches("<a ").count(), links + 1, "{}", html);
            prop_assert_eq!(
                html.matches(" rel=\"nofollow ugc noopener noreferrer\">").count(),
                links,
                "{}",
                html
            );
            let [lt, gt, quote] = markup_chars(&plain);
            prop_assert_eq!(
                markup_chars(&html),
                [lt + 2 * links, gt + 2 * links, quote + 4 * links],
                "{}",
                html
            );
            // And the stream framing keeps every line a data line.
            let framed = message(Some(EventId { epoch: 1, seq: 1 }), &html);
            let framed = String::from_utf8_lossy(&framed);
            for line in framed.trim_end().lines().skip(1) {
                prop_assert!(line.starts_with("data: "), "{}", line);
            }
        }
    }

    #[test]
    fn valid_names_are_trimmed_short_and_free_of_controls(name in anything()) {
        if let Ok(name) = Name::parse(&name, 32) {
            let s = name.as_str();
            prop_assert!(!s.is_empty() && s.chars().count() <= 32);
            prop_assert_eq!(s.trim(), s);
            prop_assert!(!s.chars().any(char::is_control));
        }
    }

    #[test]
    fn codes_ids_and_seeds_parse_or_refuse_without_panicking(input in anything()) {
        if let Some(code) = RoomCode::parse_private(&input) {
            prop_assert_eq!(code.as_str().len(), 4);
        }
        if let Some(code) = RoomCode::from_path(&input) {
            prop_assert!(!code.as_str().contains('/') && !code.as_str().contains('.'));
        }
        if let Ok(id) = input.parse::<EventId>() {
            // What a message's URL holds reads back as the same id.
            prop_assert_eq!(id.to_string().parse::<EventId>(), Ok(id));
        }
        if let Some(seed) = Seed::parse(&input) {
            prop_assert_eq!(seed.as_str().len(), 16);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever a client posts to whichever form, the answer is a real page
    /// or fragment with a 2xx, 3xx or 4xx status, never a 500.
    #[test]
    fn no_form_body_makes_the_server_fail(
        path in prop_oneof![
            Just("/join"), Just("/rooms"), Just("/name"), Just("/r/general/messages"), Just("/r/general/leave"),
            Just("/r/general/m/1-1/report"), Just("/r/general/m/1-1/delete"), Just("/admin/sign-in"), Just("/admin/sign-out"), Just("/admin/delete"),
            Just("/admin/mute"), Just("/admin/ban"), Just("/admin/close"), Just("/admin/slow-mode"), Just("/admin/read-only"),
        ],
        body in prop_oneof![any::<String>(), "([a-z]{1,6}=[^&]{0,20}&?){0,6}"],
        htmx in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let status = runtime.block_on(async {
            let flags = ["--admin-token", "a token for arbitrary bodies"];
            let (state, _trigger) = AppState::new(common::config(&flags)).expect("config");
            let mut req = Request::post(path)
                .header(header::HOST, "chat.test")
                .header("origin", "http://chat.test")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if htmx {
                req = req.header("hx-request", "true");
            }
            let res = app(state).oneshot(req.body(Body::from(body)).expect("request")).await.expect("infallible");
            res.status()
        });
        prop_assert!(status < StatusCode::INTERNAL_SERVER_ERROR, "{} {}", path, status);
    }
}
