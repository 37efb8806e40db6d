use std::collections::BTreeSet;
use std::path::Path;

use fluent_bundle::FluentResource;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use maud::html;

use super::*;
use crate::chat::{Author, Event, EventId, Name, Online, RoomCode, Seed};
use crate::look::Look;
use crate::views::components::{Who, online_items};

fn arabic() -> Look {
    Look {
        lang: Lang::Ar,
        ..Look::default()
    }
}

/// The message keys of one catalogue; it must parse whole.
fn keys(lang: Lang) -> BTreeSet<String> {
    let (_, source) = SOURCES
        .iter()
        .find(|(of, _)| *of == lang)
        .expect("every language has a catalogue");
    let resource = FluentResource::try_new((*source).to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{lang:?} does not parse: {errors:?}"));
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// The variables a pattern names, in every variant.
fn variables(pattern: &Pattern<&str>, found: &mut BTreeSet<String>) {
    fn inline(expression: &InlineExpression<&str>, found: &mut BTreeSet<String>) {
        match expression {
            InlineExpression::VariableReference { id } => {
                found.insert(id.name.to_owned());
            }
            InlineExpression::Placeable { expression } => placeable(expression, found),
            _ => {}
        }
    }
    fn placeable(expression: &Expression<&str>, found: &mut BTreeSet<String>) {
        match expression {
            Expression::Inline(expression) => inline(expression, found),
            Expression::Select { selector, variants } => {
                inline(selector, found);
                for variant in variants {
                    variables(&variant.value, found);
                }
            }
        }
    }
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            placeable(expression, found);
        }
    }
}

/// Each message's variables in one language.
fn message_variables(lang: Lang) -> Vec<(String, BTreeSet<String>)> {
    let (_, source) = SOURCES
        .iter()
        .find(|(of, _)| *of == lang)
        .expect("every language has a catalogue");
    let resource = FluentResource::try_new((*source).to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{lang:?} does not parse: {errors:?}"));
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => {
                let mut found = BTreeSet::new();
                if let Some(value) = &message.value {
                    variables(value, &mut found);
                }
                Some((message.id.name.to_owned(), found))
            }
            _ => None,
        })
        .collect()
}

/// A translation says what the code gives it: no variable English lacks.
#[test]
fn no_translation_names_a_variable_english_does_not() {
    let english: std::collections::BTreeMap<_, _> =
        message_variables(Lang::En).into_iter().collect();
    for lang in Lang::ALL {
        for (key, theirs) in message_variables(lang) {
            let ours = english.get(&key).cloned().unwrap_or_default();
            let extra: Vec<_> = theirs.difference(&ours).collect();
            assert!(extra.is_empty(), "{lang:?} {key} names {extra:?}");
        }
    }
}

#[test]
fn every_language_has_every_key_and_no_other() {
    let english = keys(Lang::En);
    assert!(english.len() > 100, "{english:?}");
    for lang in Lang::ALL {
        let theirs = keys(lang);
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{lang:?} has keys English lacks: {extra:?}"
        );
    }
}

/// The keys the code names (`t!`, `th!`, `key!` with a literal), in every
/// source file.
fn keys_in_code() -> BTreeSet<String> {
    fn walk(dir: &Path, found: &mut BTreeSet<String>) {
        let entries = std::fs::read_dir(dir).expect("the source folder reads");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file reads");
                for macro_name in ["t!(", "th!(", "key!("] {
                    for (at, _) in text.match_indices(macro_name) {
                        // `t!(` inside `th!(`'s own name is not a use.
                        let before = text[..at].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = text[at + macro_name.len()..].trim_start();
                        let Some(rest) = rest.strip_prefix('"') else {
                            continue; // the macro's own definition
                        };
                        let key: String = rest
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'
                            })
                            .collect();
                        // Only a whole literal key (not this scanner's own strings).
                        if !key.is_empty() && rest[key.len()..].starts_with('"') {
                            found.insert(key);
                        }
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    // The examples in this module's own documentation.
    found.retain(|key| !["key", "name"].contains(&key.as_str()));
    found
}

#[test]
fn every_key_the_code_names_is_in_the_catalogues() {
    let used = keys_in_code();
    assert!(used.len() > 100, "the scan found the keys: {used:?}");
    let english = keys(Lang::En);
    let missing: Vec<_> = used.difference(&english).collect();
    assert!(
        missing.is_empty(),
        "used but not in the catalogue: {missing:?}"
    );
}

#[test]
fn every_message_formats_without_errors_in_every_language() {
    for lang in Lang::ALL {
        let bundle = bundle_of(lang).expect("a bundle");
        for key in keys(lang) {
            let pattern = bundle
                .get_message(&key)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{lang:?} {key} has a value"));
            // Every variable any message names, as a number.
            let source = SOURCES
                .iter()
                .map(|(_, source)| *source)
                .collect::<String>();
            let mut args = FluentArgs::new();
            for (at, _) in source.match_indices('$') {
                let name: String = source[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                args.set(name, FluentValue::from(3));
            }
            let mut errors = Vec::new();
            bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{lang:?} {key}: {errors:?}");
        }
    }
}

#[test]
fn english_reads_as_it_always_did() {
    assert_eq!(t!("home-join-room", code = "K7QX"), "Join room K7QX");
    assert_eq!(t!("names-others", n = 1usize), "1 other");
    assert_eq!(t!("names-others", n = 37usize), "37 others");
    assert_eq!(t!("names-comma"), ", ");
    assert_eq!(
        t!(
            "wait-for",
            why = say("wait-why-too-fast"),
            n = 7u64,
            then = say("wait-then-send")
        ),
        "You are sending messages too fast: wait 7 s and send again"
    );
    // No isolation marks: names are isolated in the markup.
    assert!(!t!("pair-chatting-with", name = "Hank").contains('\u{2068}'));
}

/// Arabic counts have six plural forms, each its own words.
#[test]
fn arabic_counts_take_their_plural_forms() {
    let said: Vec<String> = [0usize, 1, 2, 3, 11, 100]
        .into_iter()
        .map(|n| look::render_with(&arabic(), || t!("online-count", n = n)))
        .collect();
    assert_eq!(
        said,
        [
            "لا أحد هنا الآن",
            "شخص واحد هنا الآن",
            "شخصان هنا الآن",
            "3 أشخاص هنا الآن",
            "11 شخصًا هنا الآن",
            "100 شخص هنا الآن",
        ]
    );
}

/// Markup arguments go in as they are; the words and text arguments are
/// escaped, and text cannot pose as a markup argument's place.
#[test]
fn markup_messages_escape_everything_but_their_markup_arguments() {
    let name = Name::parse("<b>Ann</b>", 32).expect("name");
    let out = th!("notice-paired", a = Who(&name), b = html! { i { "x" } }).into_string();
    assert_eq!(
        out,
        "<bdi>&lt;b&gt;Ann&lt;/b&gt;</bdi> and <i>x</i> are now talking: say hello"
    );
    let posing = format!("{}1{}", '\u{F8F0}', '\u{F8F1}');
    let out = th!(
        "notice-paired",
        a = posing.as_str(),
        b = html! { i { "x" } }
    )
    .into_string();
    assert_eq!(out.matches("<i>x</i>").count(), 1, "{out}");
    // Nor can a name put in as markup.
    let posing = Name::parse(&format!("Ann{}1{}", '\u{F8F0}', '\u{F8F1}'), 32).expect("name");
    let out = th!("notice-paired", a = Who(&posing), b = html! { i { "x" } }).into_string();
    assert_eq!(out.matches("<i>x</i>").count(), 1, "{out}");
}

/// A view never keeps a language: a shared item rendered under a reader's
/// look is in that reader's language, and English again after.
#[test]
fn a_log_item_and_the_online_list_render_in_the_look_in_scope() {
    let room = RoomCode::parse_slug("general").expect("slug");
    let ann = Author {
        name: Name::parse("Ann", 32).expect("name"),
        seed: Seed::random(),
    };
    let joined = Event::Joined {
        names: vec![ann.name.clone()],
        more: 2,
        at: time::OffsetDateTime::UNIX_EPOCH,
    };
    let id = EventId { epoch: 1, seq: 1 };
    let online = Online {
        members: vec![ann.clone()],
        total: 5,
        owner: Some(ann.seed.clone()),
    };
    let render = || {
        (
            crate::views::log::item(&room, id, &joined, false).into_string(),
            online_items(&room, &online).into_string(),
        )
    };
    let (item, list) = look::render_with(&arabic(), render);
    assert!(
        item.contains("انضم إلى الغرفة: <bdi>Ann</bdi> وشخصان آخران"),
        "{item}"
    );
    assert!(
        list.contains("(المالك)") && list.contains("و4 أشخاص آخرين"),
        "{list}"
    );

    let (item, list) = render();
    assert!(
        item.contains("<bdi>Ann</bdi> and 2 others joined"),
        "{item}"
    );
    assert!(
        list.contains("(owner)") && list.contains("and 4 more"),
        "{list}"
    );
}

#[test]
fn a_page_in_arabic_runs_right_to_left() {
    let page = look::render_with(&arabic(), || {
        crate::views::errors::error_page(&t!("refused-title-missed"), &t!("error-404"))
    })
    .into_string();
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{page}");
    assert!(page.contains("لا شيء هنا"), "{page}");
}

#[test]
fn a_long_date_reads_in_the_reader_s_language() {
    let day = time::macros::date!(2026 - 12 - 03);
    assert_eq!(long_date(day), "Thursday 3 December 2026");
    assert_eq!(
        look::render_with(&arabic(), || long_date(day)),
        "الخميس 3 ديسمبر 2026"
    );
}
