//! The settings page (`GET /settings`) and its form (`POST /settings`),
//! which keeps what was chosen in the `settings` cookie.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::shape::Shape;
use crate::AppState;
use crate::look::{self, Clock, Lang, Settings, TextSize, Theme, zones};
use crate::views::settings::{SettingsForm, settings_form, settings_page};
use crate::{paths, t};

/// How long the cookie keeps what was chosen: about a year (browsers cap
/// cookies at 400 days).
const MAX_AGE: time::Duration = time::Duration::days(365);

#[derive(Deserialize, Default)]
pub struct BackQuery {
    #[serde(default)]
    back: String,
}

/// Where the page leads back to: the page it was opened from when it is one
/// of this site's, else home.
fn back_of(asked: &str) -> &str {
    paths::same_site_path(asked).unwrap_or(paths::HOME)
}

/// `GET /settings`
pub async fn get_settings(
    Extension(settings): Extension<Settings>,
    headers: HeaderMap,
    Query(query): Query<BackQuery>,
) -> Response {
    let usual = zones::usual(&look::accepted_languages(&headers));
    settings_page(&SettingsForm {
        settings: &settings,
        usual: &usual,
        back: back_of(&query.back),
        errors: &[],
        saved: false,
    })
    .into_response()
}

/// What the form sends, as typed: every field is read, each checked.
#[derive(Deserialize, Default)]
pub struct SettingsInput {
    #[serde(default)]
    zone: String,
    #[serde(default)]
    clock: String,
    #[serde(default)]
    notices: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    theme: String,
    /// A checkbox: sent only when ticked.
    #[serde(default)]
    typing: Option<String>,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

impl SettingsInput {
    /// The settings sent, or what was wrong with them (each a sentence
    /// saying what to do) beside the settings as far as they were right,
    /// so the form shows again what was chosen. An empty field keeps its
    /// default; an unknown value is a mistake.
    fn read(&self) -> Result<Settings, (Settings, Vec<String>)> {
        let mut errors = Vec::new();
        let mut wrong = |what: &str| errors.push(what.to_owned());
        let zone = match self.zone.as_str() {
            "" => None,
            zone if zones::known(zone) => Some(zone.to_owned()),
            _ => {
                wrong(&t!("settings-wrong-zone"));
                None
            }
        };
        let clock = match self.clock.as_str() {
            "" | "auto" => None,
            "24" => Some(Clock::H24),
            "12" => Some(Clock::H12),
            _ => {
                wrong(&t!("settings-wrong-clock"));
                None
            }
        };
        let notices = match self.notices.as_str() {
            "" | "shown" => true,
            "hidden" => false,
            _ => {
                wrong(&t!("settings-wrong-notices"));
                true
            }
        };
        let text_size = match self.size.as_str() {
            "" | "normal" => TextSize::Normal,
            "large" => TextSize::Large,
            "larger" => TextSize::Larger,
            _ => {
                wrong(&t!("settings-wrong-size"));
                TextSize::Normal
            }
        };
        let theme = match self.theme.as_str() {
            "" | "system" => Theme::System,
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => {
                wrong(&t!("settings-wrong-theme"));
                Theme::System
            }
        };
        let typing = match self.typing.as_deref() {
            None => false,
            Some("on") => true,
            Some(_) => {
                wrong(&t!("settings-wrong-typing"));
                true
            }
        };
        let lang = match self.lang.as_str() {
            "" => None,
            tag => match Lang::ALL.into_iter().find(|lang| lang.tag() == tag) {
                Some(lang) => Some(lang),
                None => {
                    wrong(&t!("settings-wrong-lang"));
                    None
                }
            },
        };
        let settings = Settings {
            lang,
            zone,
            clock,
            notices,
            theme,
            text_size,
            typing,
        };
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err((settings, errors))
        }
    }
}

/// `POST /settings`: keeps the settings in the cookie, then back where the
/// person came from (`303`), or, for htmx, the form again saying so.
pub async fn post_settings(
    State(app): State<AppState>,
    shape: Shape,
    jar: CookieJar,
    headers: HeaderMap,
    Form(input): Form<SettingsInput>,
) -> Response {
    let back = back_of(&input.back);
    let usual = zones::usual(&look::accepted_languages(&headers));
    let settings = match input.read() {
        Ok(settings) => settings,
        Err((settings, errors)) => {
            let form = SettingsForm {
                settings: &settings,
                usual: &usual,
                back,
                errors: &errors,
                saved: false,
            };
            return shape.form(
                StatusCode::UNPROCESSABLE_ENTITY,
                || settings_form(&form),
                || settings_page(&form),
            );
        }
    };
    let cookie = Cookie::build((look::COOKIE, settings.to_value()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(app.config.secure_cookies)
        .max_age(MAX_AGE)
        .build();
    let jar = jar.add(cookie);
    if !shape.is_htmx() {
        return (jar, shape.redirect(back)).into_response();
    }
    let form = SettingsForm {
        settings: &settings,
        usual: &usual,
        back,
        errors: &[],
        saved: true,
    };
    (jar, settings_form(&form)).into_response()
}
