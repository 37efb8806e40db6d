//! Every word a person reads, from one catalogue per language
//! (`locales/{lang}/main.ftl`, Fluent, embedded in the binary), in the
//! language of the reader being rendered for (`look::current().lang`).
//!
//! `t!("key")` gives a message as text, `t!("key", n = 3)` with arguments
//! (a number picks its plural form by the language's own rules: Arabic has
//! six); `th!("key", name = Who(name))` gives markup, whose markup arguments
//! (an isolated name, a link) are put in as they are and everything else
//! is escaped. `key!("key")` names a message to be said later (a refusal's
//! parts), so that the catalogue tests find it like any other.
//!
//! Fluent's own isolation marks around arguments are off: names are
//! isolated in the markup (`<bdi>`, `views::components::Who`), message text
//! takes its own direction (`dir="auto"`), and codes and numbers are
//! neutral; so English reads byte for byte as it did.
//!
//! Adding a string is one line per catalogue; a key missing from one of
//! them, or used in the code and missing from both, fails the tests below.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use maud::{Markup, PreEscaped, Render};

use crate::look::{self, Lang};

/// The catalogues, in the order of `Lang::ALL`.
const SOURCES: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/main.ftl")),
    (Lang::Ar, include_str!("../locales/ar/main.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<(Lang, Bundle)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(lang, source)| (*lang, bundle(*lang, source)))
        .collect()
});

/// One language's bundle. A catalogue that does not parse is a build
/// mistake the tests catch; what parsed of it is still used.
fn bundle(lang: Lang, source: &str) -> Bundle {
    let id = lang
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(part, _)| part);
    // Errors here are only keys defined twice; the first one stays.
    let _ = bundle.add_resource(resource);
    bundle
}

fn bundle_of(lang: Lang) -> Option<&'static Bundle> {
    BUNDLES
        .iter()
        .find(|(of, _)| *of == lang)
        .map(|(_, bundle)| bundle)
}

/// An argument of a message.
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(FluentValue<'static>),
    /// Markup of ours, put in as it is by `th!` (and as its text by `t!`).
    Html(Markup),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Arg::Text(Cow::Owned(text))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

macro_rules! number_args {
    ($($num:ty)+) => {$(
        impl From<$num> for Arg<'_> {
            fn from(n: $num) -> Self {
                Arg::Number(FluentValue::from(n))
            }
        }
    )+};
}
number_args!(usize u64 u32 i64 i32);

impl From<Markup> for Arg<'_> {
    fn from(markup: Markup) -> Self {
        Arg::Html(markup)
    }
}

impl<'a> From<&'a crate::chat::Name> for Arg<'a> {
    fn from(name: &'a crate::chat::Name) -> Self {
        Arg::Text(Cow::Borrowed(name.as_str()))
    }
}

impl<'a> From<&'a crate::chat::RoomCode> for Arg<'a> {
    fn from(code: &'a crate::chat::RoomCode) -> Self {
        Arg::Text(Cow::Borrowed(code.as_str()))
    }
}

impl From<crate::views::components::Who<'_>> for Arg<'_> {
    fn from(who: crate::views::components::Who<'_>) -> Self {
        Arg::Html(who.render())
    }
}

/// Where a markup argument goes while the message is formatted: private-use
/// characters no catalogue holds, replaced by the markup after escaping.
fn slot(at: usize) -> String {
    format!("{SLOT_OPEN}{at}{SLOT_CLOSE}")
}

const SLOT_OPEN: char = '\u{F8F0}';
const SLOT_CLOSE: char = '\u{F8F1}';

/// The message `key` in the current reader's language, as text.
pub fn text(key: &str, args: &[(&str, Arg<'_>)]) -> String {
    format(look::current().lang, key, args, false)
}

/// The message `key` in the current reader's language, as markup: its words
/// escaped, its markup arguments as they are.
pub fn markup(key: &str, args: &[(&str, Arg<'_>)]) -> Markup {
    let formatted = format(look::current().lang, key, args, true);
    let mut escaped = String::with_capacity(formatted.len());
    // Escaping leaves the slots' private-use characters as they are.
    // Writing into a `String` cannot fail.
    let _ = std::fmt::Write::write_str(&mut maud::Escaper::new(&mut escaped), &formatted);
    // One pass, so that nothing inside a markup argument put in (a name
    // holding what looks like a slot) is ever taken for a slot itself.
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find(SLOT_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + SLOT_OPEN.len_utf8()..];
        let markup = after.split_once(SLOT_CLOSE).and_then(|(at, tail)| {
            let at: usize = at.parse().ok()?;
            match args.get(at) {
                Some((_, Arg::Html(html))) => Some((html, tail)),
                _ => None,
            }
        });
        match markup {
            Some((html, tail)) => {
                out.push_str(&html.0);
                rest = tail;
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    PreEscaped(out)
}

/// `key` in `lang`; English if `lang`'s catalogue lacks it, the key itself
/// if both do (the tests see that none does).
fn format(lang: Lang, key: &str, args: &[(&str, Arg<'_>)], slots: bool) -> String {
    let mut fluent = FluentArgs::new();
    for (at, (name, arg)) in args.iter().enumerate() {
        let value = match arg {
            // Text cannot pose as a slot.
            Arg::Text(text) if slots => {
                FluentValue::from(text.replace([SLOT_OPEN, SLOT_CLOSE], "\u{FFFD}"))
            }
            Arg::Text(text) => FluentValue::from(text.as_ref()),
            Arg::Number(n) => n.clone(),
            Arg::Html(_) if slots => FluentValue::from(slot(at)),
            Arg::Html(html) => FluentValue::from(html.0.as_str()),
        };
        fluent.set(*name, value);
    }
    [lang, Lang::En]
        .into_iter()
        .find_map(|lang| {
            let bundle = bundle_of(lang)?;
            let pattern = bundle.get_message(key)?.value()?;
            let mut errors = Vec::new();
            Some(
                bundle
                    .format_pattern(pattern, Some(&fluent), &mut errors)
                    .into_owned(),
            )
        })
        .unwrap_or_else(|| key.to_owned())
}

/// `t!("key")` or `t!("key", name = value, n = 3)`: a message as text.
#[macro_export]
macro_rules! t {
    ($key:literal) => {
        $crate::i18n::text($key, &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text($key, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}

/// `th!("key", name = Who(name))`: a message as markup.
#[macro_export]
macro_rules! th {
    ($key:literal) => {
        $crate::i18n::markup($key, &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::markup($key, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}

/// `key!("key")`: the key of a message said later.
#[macro_export]
macro_rules! key {
    ($key:literal) => {
        $key
    };
}

/// A day in words in the reader's language: "Thursday 3 December 2026",
/// "الخميس 3 ديسمبر 2026".
pub fn long_date(day: time::Date) -> String {
    let weekday = match day.weekday() {
        time::Weekday::Monday => t!("weekday-monday"),
        time::Weekday::Tuesday => t!("weekday-tuesday"),
        time::Weekday::Wednesday => t!("weekday-wednesday"),
        time::Weekday::Thursday => t!("weekday-thursday"),
        time::Weekday::Friday => t!("weekday-friday"),
        time::Weekday::Saturday => t!("weekday-saturday"),
        time::Weekday::Sunday => t!("weekday-sunday"),
    };
    let month = match day.month() {
        time::Month::January => t!("month-january"),
        time::Month::February => t!("month-february"),
        time::Month::March => t!("month-march"),
        time::Month::April => t!("month-april"),
        time::Month::May => t!("month-may"),
        time::Month::June => t!("month-june"),
        time::Month::July => t!("month-july"),
        time::Month::August => t!("month-august"),
        time::Month::September => t!("month-september"),
        time::Month::October => t!("month-october"),
        time::Month::November => t!("month-november"),
        time::Month::December => t!("month-december"),
    };
    t!(
        "date-long",
        weekday = weekday,
        day = day.day().to_string(),
        month = month,
        year = day.year().to_string()
    )
}

/// A message said later by its key (`key!`), as text.
pub fn say(key: &str) -> String {
    text(key, &[])
}

#[cfg(test)]
mod tests;
