//! The settings page: one plain form of what a person may choose about how
//! pages read and look (kept in a cookie of their own, no account).

use maud::{Markup, html};

use super::layout::page;
use crate::look::{Clock, Lang, Settings, TextSize, Theme, zones};
use crate::{paths, t};

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
        &t!("settings-title"),
        None,
        None,
        html! {
            main #main.narrow.settings {
                h1 { (t!("settings-title")) }
                p.hint { (t!("settings-hint")) }
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
                label for="zone" { (t!("settings-zone")) }
                select #zone name="zone" autocomplete="off" {
                    option value="" selected[chosen_zone.is_empty()] { (t!("settings-zone-none")) }
                    @if !form.usual.is_empty() {
                        optgroup label=(t!("settings-zone-usual")) {
                            @for zone in form.usual {
                                option value=(zone) selected[*zone == chosen_zone] { (zone) }
                            }
                        }
                    }
                    optgroup label=(t!("settings-zone-every")) {
                        @for zone in zones::all() {
                            option value=(zone) selected[!in_usual && *zone == chosen_zone] { (zone) }
                        }
                    }
                }
            }
            (choices(&t!("settings-clock"), "clock", &[
                ("auto", &t!("settings-clock-auto"), s.clock.is_none()),
                ("24", &t!("settings-clock-24"), s.clock == Some(Clock::H24)),
                ("12", &t!("settings-clock-12"), s.clock == Some(Clock::H12)),
            ]))
            (choices(&t!("settings-notices"), "notices", &[
                ("shown", &t!("settings-notices-shown"), s.notices),
                ("hidden", &t!("settings-notices-hidden"), !s.notices),
            ]))
            (choices(&t!("settings-size"), "size", &[
                ("normal", &t!("settings-size-normal"), s.text_size == TextSize::Normal),
                ("large", &t!("settings-size-large"), s.text_size == TextSize::Large),
                ("larger", &t!("settings-size-larger"), s.text_size == TextSize::Larger),
            ]))
            (choices(&t!("settings-theme"), "theme", &[
                ("system", &t!("settings-theme-system"), s.theme == Theme::System),
                ("light", &t!("settings-theme-light"), s.theme == Theme::Light),
                ("dark", &t!("settings-theme-dark"), s.theme == Theme::Dark),
            ]))
            div.field.check {
                input #typing type="checkbox" name="typing" value="on" checked[s.typing];
                label for="typing" { (t!("settings-typing")) }
                p.hint { (t!("settings-typing-hint")) }
            }
            div.field {
                label for="lang" { (t!("settings-lang")) }
                select #lang name="lang" autocomplete="off" {
                    option value="" selected[s.lang.is_none()] { (t!("settings-lang-auto")) }
                    @for lang in Lang::ALL {
                        option value=(lang.tag()) lang=(lang.tag()) dir=(lang.dir()) selected[s.lang == Some(lang)] { (lang_name(lang)) }
                    }
                }
            }
            div.inline {
                button.primary type="submit" { (t!("settings-save")) }
                a href=(form.back) { (t!("settings-back")) }
            }
            p.status role="status" { @if form.saved { (t!("settings-saved")) } }
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
