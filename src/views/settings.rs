//! The settings page: one plain form of what a person may choose about how
//! pages read and look (kept in a cookie of their own, no account).

use maud::{Markup, html};

use super::layout::page;
use crate::look::{Clock, Lang, Settings, TextSize, Theme, zones};
use crate::paths;

/// What the form shows: the settings (as chosen, or as sent back with a
/// mistake), the zones offered first, where it leads back to, and what to
/// say about the last time it was sent.
pub struct SettingsForm<'a> {
    pub settings: &'a Settings,
    /// The zones the browser's language usually means, offered first.
    pub usual: &'a [&'static str],
    /// The page to go back to, a path of this site.
    pub back: &'a str,
    /// What was wrong with what was sent, each a whole sentence.
    pub errors: &'a [String],
    /// They were just saved.
    pub saved: bool,
}

/// `GET /settings`, and the form again when something sent was wrong.
pub fn settings_page(form: &SettingsForm<'_>) -> Markup {
    page(
        "Settings",
        None,
        None,
        html! {
            main #main.narrow.settings {
                h1 { "Settings" }
                p.hint { "Kept in this browser only, in a cookie of this site. They apply from the next page you open, to what arrives live there too." }
                (settings_form(form))
            }
        },
    )
}

/// The form itself: also the fragment htmx swaps after it was sent.
pub fn settings_form(form: &SettingsForm<'_>) -> Markup {
    let s = form.settings;
    let chosen_zone = s.zone.as_deref().unwrap_or_default();
    let in_usual = form.usual.contains(&chosen_zone);
    html! {
        form #settings-form.card action=(paths::SETTINGS) method="post"
            hx-post=(paths::SETTINGS) hx-target="this" hx-swap="outerHTML" {
            input type="hidden" name="back" value=(form.back);
            @if !form.errors.is_empty() {
                div.error #settings-errors role="alert" {
                    @for error in form.errors { p { (error) } }
                }
            }
            div.field {
                label for="zone" { "Time zone" }
                select #zone name="zone" autocomplete="off" {
                    option value="" selected[chosen_zone.is_empty()] { "UTC (not chosen)" }
                    @if !form.usual.is_empty() {
                        optgroup label="Usual for your language" {
                            @for zone in form.usual {
                                option value=(zone) selected[*zone == chosen_zone] { (zone) }
                            }
                        }
                    }
                    optgroup label="Every time zone" {
                        @for zone in zones::all() {
                            option value=(zone) selected[!in_usual && *zone == chosen_zone] { (zone) }
                        }
                    }
                }
            }
            (choices("Clock", "clock", &[
                ("auto", "As your language usually does", s.clock.is_none()),
                ("24", "24-hour (18:05)", s.clock == Some(Clock::H24)),
                ("12", "12-hour (6:05 PM)", s.clock == Some(Clock::H12)),
            ]))
            (choices("Join and leave notices", "notices", &[
                ("shown", "Shown", s.notices),
                ("hidden", "Hidden (the Online list still changes)", !s.notices),
            ]))
            (choices("Text size", "size", &[
                ("normal", "Normal", s.text_size == TextSize::Normal),
                ("large", "Large", s.text_size == TextSize::Large),
                ("larger", "Larger", s.text_size == TextSize::Larger),
            ]))
            (choices("Theme", "theme", &[
                ("system", "Follow the system", s.theme == Theme::System),
                ("light", "Light", s.theme == Theme::Light),
                ("dark", "Dark", s.theme == Theme::Dark),
            ]))
            div.field.check {
                input #typing type="checkbox" name="typing" value="on" checked[s.typing];
                label for="typing" { "Tell the other person when I am typing" }
                p.hint { "In random chat, where you talk with one stranger." }
            }
            div.field {
                label for="lang" { "Language" }
                select #lang name="lang" autocomplete="off" {
                    option value="" selected[s.lang.is_none()] { "As my browser asks" }
                    @for lang in Lang::ALL {
                        option value=(lang.tag()) lang=(lang.tag()) dir=(lang.dir()) selected[s.lang == Some(lang)] { (lang_name(lang)) }
                    }
                }
            }
            div.inline {
                button.primary type="submit" { "Save settings" }
                a href=(form.back) { "Back" }
            }
            p.status role="status" { @if form.saved { "Settings saved" } }
        }
    }
}

/// A language named in itself.
pub fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Ar => "العربية",
    }
}

/// A group of radio buttons: `legend`, the field's `name`, and each
/// choice's value, words and whether it is the one chosen.
fn choices(legend: &str, name: &str, options: &[(&str, &str, bool)]) -> Markup {
    html! {
        fieldset.choices {
            legend { (legend) }
            @for (value, words, checked) in options {
                @let id = format!("{name}-{value}");
                div.choice {
                    input id=(id) type="radio" name=(name) value=(value) checked[*checked];
                    label for=(id) { (words) }
                }
            }
        }
    }
}
