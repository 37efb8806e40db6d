//! The moderator console at `/admin`, there only with `--admin-token`: the
//! sign-in (the token compared in constant time, tries counted per client
//! address), the console's own cookie, signing out, and the console page.
//! What a moderator may do from it is `actions`.

mod actions;
mod form;

pub use actions::{post_ban, post_close, post_delete, post_mute, post_read_only, post_slow_mode};

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use time::OffsetDateTime;

use super::client::{ClientAddr, take_counted};
use super::shape::Shape;
use crate::AppState;
use crate::chat::{ChatError, MemberId};
use crate::error::{AppError, Refused};
use crate::logs::SessionTag;
use crate::paths;
use crate::views::admin::{Console, Reported, console, sign_in};

/// The console cookie's name over plain HTTP, and under HTTPS (see
/// `session`: a `__Host-` cookie cannot be planted by another host).
const COOKIE: &str = "livechat-admin";
const HOST_COOKIE: &str = "__Host-livechat-admin";
/// A sign-in lasts this long, whatever the browser does with the cookie.
const SIGNED_IN_FOR: time::Duration = time::Duration::hours(4);

/// What a wrong token is told: nothing about how wrong.
pub fn wrong_token() -> String {
    crate::t!("console-wrong-token")
}

/// The console's token, kept only as a keyed hash: compared in constant
/// time, whatever its length or the length of what was typed.
#[derive(Clone)]
pub struct Token {
    key: [u8; 32],
    digest: Vec<u8>,
    /// What ties a console cookie to this token under the session key: a
    /// cookie made for another token (one changed since) is no sign-in.
    tag: String,
}

impl Token {
    /// `token`, its cookies signed with `cookies`.
    pub fn new(token: &str, cookies: &Key) -> Self {
        let key: [u8; 32] = rand::random();
        Self {
            key,
            digest: keyed(&key, token.as_bytes()),
            tag: hex(&keyed(cookies.signing(), token.as_bytes())[..8]),
        }
    }

    /// Whether `typed` is the token, in the same time whatever it is.
    fn matches(&self, typed: &str) -> bool {
        let mut mac = hmac(&self.key);
        mac.update(typed.as_bytes());
        mac.verify_slice(&self.digest).is_ok()
    }
}

fn hmac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

fn keyed(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in moderator: which sign-in it is.
pub struct Moderator {
    pub label: String,
}

fn cookie_name(app: &AppState) -> &'static str {
    if app.config.secure_cookies {
        HOST_COOKIE
    } else {
        COOKIE
    }
}

/// The token, or `404` when there is no console.
fn token(app: &AppState) -> Result<&Token, AppError> {
    app.admin.as_ref().ok_or(AppError::NotFound)
}

/// The moderator signed in on this request's console cookie, if any: signed
/// with the session key, for the token in use, and not expired.
fn signed_in(app: &AppState, jar: &SignedCookieJar) -> Option<Moderator> {
    let token = app.admin.as_ref()?;
    let cookie = jar.get(cookie_name(app))?;
    let mut parts = cookie.value().split('.');
    let (label, until, tag) = (parts.next()?, parts.next()?, parts.next()?);
    let until = OffsetDateTime::from_unix_timestamp(until.parse().ok()?).ok()?;
    let fresh = OffsetDateTime::now_utc() < until;
    (fresh && tag == token.tag && parts.next().is_none()).then(|| Moderator {
        label: format!("sign-in {label}"),
    })
}

/// The console's pages are never kept: they hold what people reported.
fn never_kept(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A session as the console shows it.
pub fn session_label(member: MemberId) -> String {
    SessionTag(&member.0.simple().to_string()).to_string()
}

/// `GET /admin`: the console when signed in, else the sign-in form.
pub async fn get_admin(
    State(app): State<AppState>,
    jar: SignedCookieJar,
) -> Result<Response, AppError> {
    token(&app)?;
    let page = match signed_in(&app, &jar) {
        Some(moderator) => console_page(&app, &moderator, None).await?,
        None => sign_in(None).into_response(),
    };
    Ok(never_kept(page))
}

/// The console as `moderator` sees it, with why the last action was refused.
async fn console_page(
    app: &AppState,
    moderator: &Moderator,
    error: Option<String>,
) -> Result<Response, AppError> {
    let reports = app.chat.reports().await?;
    let rooms = app.chat.live_rooms().await?;
    let actions = app.chat.actions().await?;
    let reports = reports
        .iter()
        .map(|report| Reported {
            session: session_label(report.message.member),
            report,
        })
        .collect();
    let page = console(&Console {
        moderator: &moderator.label,
        reports,
        rooms: &rooms,
        actions: &actions,
        error,
    });
    Ok(never_kept(page.into_response()))
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    token: String,
}

/// `POST /admin/sign-in`: the console's cookie for the right token; a wrong
/// one is refused (`403`), sets nothing and counts against the client's
/// address, as every try does until one is right.
pub async fn post_sign_in(
    State(app): State<AppState>,
    shape: Shape,
    client: ClientAddr,
    jar: SignedCookieJar,
    Form(form): Form<SignIn>,
) -> Result<Response, AppError> {
    let token = token(&app)?;
    let tried = take_counted(&*app.address_sign_ins, &*app.network_sign_ins, client).await;
    let attempt = match tried {
        Ok(attempt) => attempt,
        Err(wait) => {
            let refused = shape.still(Refused::from(&ChatError::SignInsFromAddress(wait)));
            let page = sign_in(Some(&refused.words)).into_response();
            return Ok(never_kept(refused.answer(page)));
        }
    };
    if !token.matches(&form.token) {
        attempt.keep();
        tracing::warn!("moderator sign-in refused: wrong token");
        let page = (StatusCode::FORBIDDEN, sign_in(Some(&wrong_token()))).into_response();
        return Ok(never_kept(page));
    }
    attempt.forgive();
    let label = hex(&rand::random::<[u8; 4]>());
    let until = OffsetDateTime::now_utc() + SIGNED_IN_FOR;
    let value = format!("{label}.{}.{}", until.unix_timestamp(), token.tag);
    // No `Domain`, `Path=/`: as `__Host-` requires.
    let cookie = Cookie::build((cookie_name(&app), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(app.config.secure_cookies)
        .max_age(SIGNED_IN_FOR)
        .build();
    tracing::info!(moderator = %label, "moderator signed in");
    Ok((jar.add(cookie), shape.redirect(paths::ADMIN)).into_response())
}

/// `POST /admin/sign-out`: the console's cookie is gone; back to sign-in.
pub async fn post_sign_out(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
) -> Result<Response, AppError> {
    token(&app)?;
    if let Some(moderator) = signed_in(&app, &jar) {
        tracing::info!(moderator = %moderator.label, "moderator signed out");
    }
    let gone = Cookie::build((cookie_name(&app), "")).path("/").build();
    Ok((jar.remove(gone), shape.redirect(paths::ADMIN)).into_response())
}
