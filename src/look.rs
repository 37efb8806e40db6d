//! How one reader wants pages to read and look: the settings a person chose
//! (a cookie of their own, no account) over what their browser asks for.
//!
//! `Look` is the part that changes how a shared item is rendered (language,
//! clock, time zone); the rest of `Settings` changes only the page around
//! it. Each request runs with its reader's `Look` in scope (`choose`), so a
//! view asks `current()` instead of every view taking one more argument; a
//! stream, which outlives its request, keeps the `Look` it was opened with
//! and renders with `render_with`.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use time::{Date, OffsetDateTime};

pub mod zones;

/// The settings cookie's name. Not signed: it holds nothing but choices,
/// each read leniently (what is not understood is left at its default).
pub const COOKIE: &str = "settings";

/// A language with a complete catalogue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ar];

    /// Its BCP 47 tag, as `<html lang>` wants it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// Which way its text runs, as `<html dir>` wants it.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar => "rtl",
        }
    }

    /// The language a tag such as "ar-EG" or "en" names, if we have it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }
}

/// A 24-hour ("18:05") or 12-hour ("6:05 PM") clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Clock {
    #[default]
    H24,
    H12,
}

impl Clock {
    /// `at` on this clock, as its own offset says it: "18:05" or "6:05 PM".
    pub fn words(self, at: OffsetDateTime) -> String {
        match self {
            Clock::H24 => at
                .format(time::macros::format_description!("[hour]:[minute]"))
                .unwrap_or_default(),
            Clock::H12 => {
                let clock = at
                    .format(time::macros::format_description!(
                        "[hour repr:12 padding:none]:[minute]"
                    ))
                    .unwrap_or_default();
                // "AM" and "PM" in the reader's language ("م" in Arabic).
                let half = if at.hour() < 12 {
                    crate::t!("clock-am")
                } else {
                    crate::t!("clock-pm")
                };
                format!("{clock} {half}")
            }
        }
    }
}

/// Light, dark, or as the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The page's text size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TextSize {
    #[default]
    Normal,
    Large,
    Larger,
}

/// What a person chose on the settings page; `None` where they have not
/// chosen, so that their browser's wishes decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub lang: Option<Lang>,
    /// An IANA time zone name ("Europe/Paris"); `None` keeps UTC, said as such.
    pub zone: Option<String>,
    pub clock: Option<Clock>,
    /// Whether join and leave notices are shown.
    pub notices: bool,
    pub theme: Theme,
    pub text_size: TextSize,
    /// Whether random chat tells the other person when this one is typing.
    pub typing: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lang: None,
            zone: None,
            clock: None,
            notices: true,
            theme: Theme::System,
            text_size: TextSize::Normal,
            typing: true,
        }
    }
}

impl Settings {
    /// The settings in a request's cookie, or the defaults.
    pub fn from_jar(jar: &CookieJar) -> Self {
        jar.get(COOKIE)
            .map(|cookie| Self::parse(cookie.value()))
            .unwrap_or_default()
    }

    /// Reads a cookie value such as `l=ar&z=Europe/Paris&c=12`; anything
    /// not understood keeps its default.
    pub fn parse(value: &str) -> Self {
        let mut settings = Self::default();
        for pair in value.split('&') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            match (key, value) {
                ("l", tag) => settings.lang = Lang::from_tag(tag),
                ("z", zone) if valid_zone_name(zone) => settings.zone = Some(zone.to_owned()),
                ("c", "24") => settings.clock = Some(Clock::H24),
                ("c", "12") => settings.clock = Some(Clock::H12),
                ("n", "0") => settings.notices = false,
                ("t", "light") => settings.theme = Theme::Light,
                ("t", "dark") => settings.theme = Theme::Dark,
                ("s", "large") => settings.text_size = TextSize::Large,
                ("s", "larger") => settings.text_size = TextSize::Larger,
                ("y", "0") => settings.typing = false,
                _ => {}
            }
        }
        settings
    }

    /// The cookie value that `parse` reads back as these settings; only
    /// what differs from the defaults is written.
    pub fn to_value(&self) -> String {
        let mut parts = Vec::new();
        if let Some(lang) = self.lang {
            parts.push(format!("l={}", lang.tag()));
        }
        if let Some(zone) = &self.zone {
            parts.push(format!("z={zone}"));
        }
        match self.clock {
            Some(Clock::H24) => parts.push("c=24".into()),
            Some(Clock::H12) => parts.push("c=12".into()),
            None => {}
        }
        if !self.notices {
            parts.push("n=0".into());
        }
        match self.theme {
            Theme::Light => parts.push("t=light".into()),
            Theme::Dark => parts.push("t=dark".into()),
            Theme::System => {}
        }
        match self.text_size {
            TextSize::Large => parts.push("s=large".into()),
            TextSize::Larger => parts.push("s=larger".into()),
            TextSize::Normal => {}
        }
        if !self.typing {
            parts.push("y=0".into());
        }
        parts.join("&")
    }
}

/// Whether `name` could be an IANA zone name ("America/Argentina/Salta",
/// "UTC", "Etc/GMT+5"): whether it exists is for the time zone database.
fn valid_zone_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b))
}

/// What changes how a shared item is rendered for one reader. Items are
/// rendered once per `Look` in use, not once per reader.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Look {
    pub lang: Lang,
    pub clock: Clock,
    /// The zone the reader chose; `None`: UTC, and times say so.
    pub zone: Option<String>,
}

impl Look {
    /// `at` as this reader's wall clock reads it, and what their zone is
    /// called then: UTC, said "UTC", when they chose none (or one the
    /// database does not know).
    pub fn local(&self, at: OffsetDateTime) -> (OffsetDateTime, String) {
        match self.zone.as_deref().and_then(zones::find) {
            Some(zone) => zones::local(&zone, at),
            None => (at.to_offset(time::UtcOffset::UTC), "UTC".to_owned()),
        }
    }

    /// The day `at` falls on for this reader.
    pub fn day(&self, at: OffsetDateTime) -> Date {
        self.local(at).0.date()
    }

    /// Today, for this reader.
    pub fn today(&self) -> Date {
        self.day(OffsetDateTime::now_utc())
    }

    /// `at` on this reader's clock, without its zone: "18:05", "6:05 PM".
    pub fn clock_words(&self, at: OffsetDateTime) -> String {
        self.clock.words(self.local(at).0)
    }

    /// `at` on this reader's clock and in their zone: "18:05 UTC",
    /// "7:05 PM CET".
    pub fn time_words(&self, at: OffsetDateTime) -> String {
        let (local, zone) = self.local(at);
        format!("{} {zone}", self.clock.words(local))
    }

    /// The look for `settings`, with `headers` (`Accept-Language`) deciding
    /// what the person has not chosen.
    pub fn new(settings: &Settings, headers: &HeaderMap) -> Self {
        let asked = accepted_languages(headers);
        let lang = settings
            .lang
            .or_else(|| asked.iter().find_map(|tag| Lang::from_tag(tag)))
            .unwrap_or_default();
        let clock = settings.clock.unwrap_or_else(|| {
            asked
                .first()
                .map(|tag| usual_clock(tag))
                .unwrap_or_default()
        });
        Self {
            lang,
            clock,
            // Only zones the database knows: a look is a key of the frames'
            // renders, so the looks in use stay a known, bounded set.
            zone: settings.zone.clone().filter(|zone| zones::known(zone)),
        }
    }
}

/// The clock a language tag's region usually reads: 12-hour in the
/// English-speaking places that use it, 24-hour elsewhere.
fn usual_clock(tag: &str) -> Clock {
    const TWELVE: &[&str] = &[
        "en-us", "en-ca", "en-au", "en-nz", "en-in", "en-ph", "en-pk", "ar-eg", "ar-sa",
    ];
    if TWELVE.iter().any(|t| t.eq_ignore_ascii_case(tag)) || tag.eq_ignore_ascii_case("en") {
        Clock::H12
    } else {
        Clock::H24
    }
}

/// The language tags `Accept-Language` lists, most wanted first (`q=0`
/// ones left out).
pub fn accepted_languages(headers: &HeaderMap) -> Vec<String> {
    let Some(value) = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Vec::new();
    };
    let mut tags: Vec<(u16, usize, String)> = value
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(at, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            if tag.is_empty() || tag == "*" || tag.len() > 35 {
                return None;
            }
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map(|q| (q.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u16)
                .unwrap_or(1000);
            (q > 0).then(|| (q, at, tag.to_owned()))
        })
        .collect();
    tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|(_, _, tag)| tag).collect()
}

tokio::task_local! {
    static LOOK: Look;
    static SETTINGS: Settings;
    static HERE: Option<String>;
}

/// The path of the page being rendered, when it is one a person can come
/// back to (a `GET`): the header's **Settings** link brings them back.
pub fn here() -> Option<String> {
    HERE.try_with(Option::clone).ok().flatten()
}

/// The look of the reader this is rendered for: the request's, inside
/// `choose` or `render_with`; the default one elsewhere.
pub fn current() -> Look {
    LOOK.try_with(Look::clone).unwrap_or_default()
}

/// Runs `render` for a reader with `look` (a stream renders with the look
/// it was opened with, long after its request).
pub fn render_with<R>(look: &Look, render: impl FnOnce() -> R) -> R {
    LOOK.sync_scope(look.clone(), render)
}

/// The settings of the reader this page is rendered for (the request's,
/// inside `choose`), or the defaults.
pub fn settings() -> Settings {
    SETTINGS.try_with(Settings::clone).unwrap_or_default()
}

impl Settings {
    /// The classes of a page's `<html>` that carry what changes only the
    /// page around the shared items, so that the stylesheet applies them
    /// to live items too: a forced theme, a text size, join and leave
    /// notices hidden. `None` when all are as by default.
    pub fn page_class(&self) -> Option<String> {
        let theme = match self.theme {
            Theme::System => None,
            Theme::Light => Some("theme-light"),
            Theme::Dark => Some("theme-dark"),
        };
        let size = match self.text_size {
            TextSize::Normal => None,
            TextSize::Large => Some("text-large"),
            TextSize::Larger => Some("text-larger"),
        };
        let notices = (!self.notices).then_some("no-notices");
        let classes: Vec<&str> = [theme, size, notices].into_iter().flatten().collect();
        (!classes.is_empty()).then(|| classes.join(" "))
    }

    /// The `color-scheme` a page declares: the forced one, or both.
    pub fn color_scheme(&self) -> &'static str {
        match self.theme {
            Theme::System => "light dark",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Runs `future` for a reader with `look`: a stream's next step, which
/// outlives its request, says its own words in its reader's language.
pub async fn scope<F: std::future::Future>(look: Look, future: F) -> F::Output {
    LOOK.scope(look, future).await
}

/// Middleware: the request's `Settings` go into its extensions, and the
/// rest of its handling runs with its reader's `Look` and `Settings`.
pub async fn choose(jar: CookieJar, mut req: Request, next: Next) -> Response {
    let settings = Settings::from_jar(&jar);
    let look = Look::new(&settings, req.headers());
    req.extensions_mut().insert(settings.clone());
    let here = (req.method() == axum::http::Method::GET).then(|| req.uri().path().to_owned());
    let run = LOOK.scope(look, next.run(req));
    HERE.scope(here, SETTINGS.scope(settings, run)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn settings_round_trip_through_the_cookie_value() {
        let chosen = Settings {
            lang: Some(Lang::Ar),
            zone: Some("America/Argentina/Salta".into()),
            clock: Some(Clock::H12),
            notices: false,
            theme: Theme::Dark,
            text_size: TextSize::Larger,
            typing: false,
        };
        assert_eq!(Settings::parse(&chosen.to_value()), chosen);
        assert_eq!(Settings::parse(""), Settings::default());
        assert_eq!(Settings::default().to_value(), "");
    }

    #[test]
    fn what_is_not_understood_keeps_its_default() {
        let read = Settings::parse("l=xx&z=<b>&c=13&n=maybe&t=pink&junk&=&s=huge");
        assert_eq!(read, Settings::default());
    }

    fn asking(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn accept_language_decides_what_was_not_chosen() {
        let headers = asking("fr;q=0.9, ar-EG;q=0.95, en;q=0.1");
        let look = Look::new(&Settings::default(), &headers);
        assert_eq!(
            (look.lang, look.clock, look.zone),
            (Lang::Ar, Clock::H12, None)
        );

        let headers = asking("de-DE, en;q=0.5");
        let look = Look::new(&Settings::default(), &headers);
        assert_eq!((look.lang, look.clock), (Lang::En, Clock::H24));

        let chosen = Settings {
            lang: Some(Lang::En),
            clock: Some(Clock::H24),
            ..Settings::default()
        };
        let headers = asking("ar");
        let look = Look::new(&chosen, &headers);
        assert_eq!((look.lang, look.clock), (Lang::En, Clock::H24));
    }

    #[test]
    fn no_accept_language_is_english_on_a_24_hour_clock() {
        let look = Look::new(&Settings::default(), &HeaderMap::new());
        assert_eq!(look, Look::default());
    }

    fn paris(clock: Clock) -> Look {
        Look {
            clock,
            zone: Some("Europe/Paris".into()),
            ..Look::default()
        }
    }

    #[test]
    fn a_time_reads_in_the_chosen_zone_and_clock_and_says_utc_when_none_was_chosen() {
        let at = time::macros::datetime!(2026-12-03 18:05:30 UTC);
        assert_eq!(Look::default().time_words(at), "18:05 UTC");
        assert_eq!(Look::default().clock_words(at), "18:05");
        let twelve = Look {
            clock: Clock::H12,
            ..Look::default()
        };
        assert_eq!(twelve.time_words(at), "6:05 PM UTC");
        assert_eq!(paris(Clock::H24).time_words(at), "19:05 CET");
        assert_eq!(paris(Clock::H12).time_words(at), "7:05 PM CET");
        let morning = time::macros::datetime!(2026-07-01 07:00 UTC);
        assert_eq!(paris(Clock::H12).time_words(morning), "9:00 AM CEST");
        let midnight = time::macros::datetime!(2026-12-03 23:00 UTC);
        assert_eq!(paris(Clock::H12).time_words(midnight), "12:00 AM CET");
    }

    #[test]
    fn a_day_ends_at_midnight_in_the_readers_zone() {
        let late = time::macros::datetime!(2026-12-03 23:30 UTC);
        assert_eq!(
            Look::default().day(late),
            time::macros::date!(2026 - 12 - 03)
        );
        assert_eq!(
            paris(Clock::H24).day(late),
            time::macros::date!(2026 - 12 - 04)
        );
        let tokyo_morning = time::macros::datetime!(2026-12-03 14:59 UTC);
        let tokyo = Look {
            zone: Some("Asia/Tokyo".into()),
            ..Look::default()
        };
        assert_eq!(
            tokyo.day(tokyo_morning),
            time::macros::date!(2026 - 12 - 03)
        );
        assert_eq!(
            tokyo.day(tokyo_morning + time::Duration::minutes(1)),
            time::macros::date!(2026 - 12 - 04)
        );
        let west = Look {
            zone: Some("America/Los_Angeles".into()),
            ..Look::default()
        };
        assert_eq!(west.day(late), time::macros::date!(2026 - 12 - 03));
        assert_eq!(
            west.day(time::macros::datetime!(2026-12-04 07:59 UTC)),
            time::macros::date!(2026 - 12 - 03)
        );
    }

    #[test]
    fn a_zone_the_database_does_not_know_is_no_look() {
        let settings = Settings::parse("z=Mars/Olympus&c=12");
        assert_eq!(settings.zone.as_deref(), Some("Mars/Olympus"));
        let look = Look::new(&settings, &HeaderMap::new());
        assert_eq!((look.zone, look.clock), (None, Clock::H12));
        let look = Look::new(&Settings::parse("z=Europe/Paris"), &HeaderMap::new());
        assert_eq!(look.zone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn the_page_classes_carry_theme_text_size_and_hidden_notices() {
        assert_eq!(Settings::default().page_class(), None);
        let chosen = Settings::parse("t=dark&s=larger&n=0");
        assert_eq!(
            chosen.page_class().as_deref(),
            Some("theme-dark text-larger no-notices")
        );
        assert_eq!(chosen.color_scheme(), "dark");
    }

    #[tokio::test]
    async fn the_current_look_is_the_one_in_scope() {
        assert_eq!(current(), Look::default());
        let arabic = Look {
            lang: Lang::Ar,
            ..Look::default()
        };
        assert_eq!(render_with(&arabic, current).lang, Lang::Ar);
        assert_eq!(current(), Look::default());
    }
}
