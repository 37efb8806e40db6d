//! What a moderator may do from the console, each a plain form that comes
//! back to it (`303`): delete a message, mute or ban the session a report
//! names, close a report, set slow mode on a room, make a public room
//! read-only. Each is done by the store, then kept in the action log (when,
//! which sign-in, what, which session's label, which room; never a message's
//! text) and written to the server's log (the room as its tag, no code).

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::SignedCookieJar;
use time::OffsetDateTime;

use super::form::{ActionForm, chosen, from_now, message_at, room};
use super::{console_page, never_kept, session_label, signed_in, token};
use crate::AppState;
use crate::chat::rules::{BAN_TIMES, MUTE_TIMES, READ_ONLY_TIMES, SLOW_MODE_TIMES};
use crate::chat::{Action, Deleter, MemberId, Report, RoomCode};
use crate::error::{AppError, Refused};
use crate::http::shape::Shape;
use crate::logs::RoomTag;
use crate::paths;
use crate::views::admin::{sign_in, spell};

/// What a sign-in that ended is told when it tries to act.
fn sign_in_ended() -> String {
    crate::t!("console-sign-in-first")
}

/// What was done, for the log.
struct Done {
    what: String,
    session: Option<MemberId>,
    room: Option<RoomCode>,
}

/// The sign-in form, for a request whose sign-in has ended.
fn sign_in_first() -> Response {
    never_kept((StatusCode::FORBIDDEN, sign_in(Some(&sign_in_ended()))).into_response())
}

/// Runs the handler's action for a signed-in moderator, then logs it and
/// goes back to the console; a refusal shows the console with why.
async fn act<F, Fut>(
    app: AppState,
    shape: Shape,
    jar: SignedCookieJar,
    form: ActionForm,
    action: F,
) -> Result<Response, AppError>
where
    F: FnOnce(AppState, ActionForm) -> Fut,
    Fut: Future<Output = Result<Done, Refused>>,
{
    token(&app)?;
    let Some(moderator) = signed_in(&app, &jar) else {
        return Ok(sign_in_first());
    };
    let done = match action(app.clone(), form).await {
        Ok(done) => done,
        Err(refused) => {
            let page = console_page(&app, &moderator, Some(refused.words.clone())).await?;
            return Ok(refused.answer(page));
        }
    };
    let session = done.session.map(session_label);
    tracing::info!(
        moderator = %moderator.label,
        action = %done.what,
        session = session.as_deref().unwrap_or("-"),
        room = %done.room.as_ref().map_or("-".to_owned(), |c| RoomTag(c.as_str()).to_string()),
        "moderator action"
    );
    let logged = app
        .chat
        .record(Action {
            at: OffsetDateTime::now_utc(),
            moderator: moderator.label.clone(),
            what: done.what,
            session,
            room: done.room,
        })
        .await;
    if let Err(why) = logged {
        let words = crate::t!("console-log-failed", why = why.to_string());
        return console_page(&app, &moderator, Some(words)).await;
    }
    Ok(shape.redirect(paths::ADMIN))
}

/// The open report the form names.
async fn report(app: &AppState, form: &ActionForm) -> Result<Report, Refused> {
    let gone = || Refused::missed(crate::t!("console-no-such-report"));
    let id: u64 = form.report.trim().parse().map_err(|_| gone())?;
    app.chat
        .open_report(id)
        .await
        .map_err(|why| Refused::from(&why))?
        .ok_or_else(gone)
}

/// `POST /admin/delete`: the reported message, or the one at `message`,
/// is replaced by "Removed by a moderator".
pub async fn post_delete(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| async move {
        let refused = |why| Refused::from(&why);
        let (code, id, session) = if form.report.trim().is_empty() {
            let (code, id) = message_at(form.message.trim())
                .ok_or_else(|| Refused::invalid(crate::t!("console-paste-message")))?;
            let said = app.chat.message(&code, id).await.map_err(refused)?;
            let said =
                said.ok_or_else(|| Refused::missed(crate::t!("console-no-message-there")))?;
            (code, id, said.member)
        } else {
            let report = report(&app, &form).await?;
            (report.code, report.message.id, report.message.member)
        };
        app.chat
            .delete(&code, id, Deleter::Moderator)
            .await
            .map_err(refused)?;
        Ok(Done {
            what: crate::t!("console-did-delete"),
            session: Some(session),
            room: Some(code),
        })
    })
    .await
}

/// What a moderator may hold against the session a report names, for one
/// of its times.
#[derive(Clone, Copy)]
enum Against {
    /// Its messages reach only itself.
    Mute,
    /// It and its address may not join or post.
    Ban,
}

/// Mutes or bans the reported session for the chosen time.
async fn against_reported(
    app: AppState,
    form: ActionForm,
    against: Against,
) -> Result<Done, Refused> {
    let report = report(&app, &form).await?;
    let (times, words): (&[std::time::Duration], _) = match against {
        Against::Mute => (&MUTE_TIMES, crate::key!("console-did-mute")),
        Against::Ban => (&BAN_TIMES, crate::key!("console-did-ban")),
    };
    let length = chosen(&form, times, false)?.unwrap_or(times[0]);
    let member = report.message.member;
    let until = Some(from_now(length));
    let held = match against {
        Against::Mute => app.chat.mute(member, until).await,
        Against::Ban => app.chat.ban(member, until).await,
    };
    held.map_err(|why| Refused::from(&why))?;
    Ok(Done {
        what: crate::i18n::text(words, &[("length", spell(length).into())]),
        session: Some(member),
        room: Some(report.code),
    })
}

/// `POST /admin/mute`: the reported session's messages reach only itself.
pub async fn post_mute(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| {
        against_reported(app, form, Against::Mute)
    })
    .await
}

/// `POST /admin/ban`: the reported session and its address may not join or post.
pub async fn post_ban(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| {
        against_reported(app, form, Against::Ban)
    })
    .await
}

/// `POST /admin/close`: the report leaves the open ones.
pub async fn post_close(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| async move {
        let report = report(&app, &form).await?;
        app.chat
            .close_report(report.id)
            .await
            .map_err(|why| Refused::from(&why))?;
        Ok(Done {
            what: crate::t!("console-did-close", id = report.id.to_string()),
            session: Some(report.message.member),
            room: Some(report.code),
        })
    })
    .await
}

/// `POST /admin/slow-mode`: one message per chosen time per member, or off.
pub async fn post_slow_mode(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| async move {
        let code = room(&form)?;
        let every = chosen(&form, &SLOW_MODE_TIMES, true)?;
        app.chat
            .slow_mode(&code, every)
            .await
            .map_err(|why| Refused::from(&why))?;
        let what = match every {
            Some(every) => crate::t!("console-did-slow", length = spell(every)),
            None => crate::t!("console-did-slow-off"),
        };
        Ok(Done {
            what,
            session: None,
            room: Some(code),
        })
    })
    .await
}

/// `POST /admin/read-only`: nobody may post in a public room for a while, or again.
pub async fn post_read_only(
    State(app): State<AppState>,
    shape: Shape,
    jar: SignedCookieJar,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    act(app, shape, jar, form, |app, form| async move {
        let code = room(&form)?;
        if !app
            .config
            .public_rooms
            .iter()
            .any(|slug| slug == code.as_str())
        {
            return Err(Refused::invalid(crate::t!("console-public-only-read-only")));
        }
        let length = chosen(&form, &READ_ONLY_TIMES, true)?;
        app.chat
            .read_only(&code, length.map(from_now))
            .await
            .map_err(|why| Refused::from(&why))?;
        let what = match length {
            Some(length) => crate::t!("console-did-read-only", length = spell(length)),
            None => crate::t!("console-did-read-only-off"),
        };
        Ok(Done {
            what,
            session: None,
            room: Some(code),
        })
    })
    .await
}
