//! The room page and what its forms do: send a message, leave. Each goes
//! through the code door (`door`) first.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::client::{ClientAddr, counted};
use super::control::cleared;
use super::door::{self, Knock, Shut, missed};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, ChatError, Member, MessageText, RoomCode};
use crate::error::{AppError, Refused};
use crate::look::Settings;
use crate::paths;
use crate::views::components::MESSAGE_BOX;
use crate::views::home::{StartForm, home};
use crate::views::room::{
    Reader, RenameForm, SendForm, open_title, plain_title, refused_send_form, room, send_form,
    unsent,
};

/// The address people can share: the same host they used to get here.
fn share_url(app: &AppState, headers: &HeaderMap, code: &RoomCode) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if app.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{}", paths::room(code))
}

/// The room page, with the send form as given; `typing`: the person's
/// page tells the other stranger when they type (their setting). It opens
/// at what is new since they were last here, and counts as seen up to its
/// last item.
async fn room_page(
    app: &AppState,
    headers: &HeaderMap,
    code: &RoomCode,
    me: &Member,
    send: &SendForm<'_>,
    notice: Option<&str>,
    typing: bool,
) -> Result<maud::Markup, ChatError> {
    // Read before this page shows more; a store that cannot say costs the
    // divider only.
    let seen = app.chat.seen(code, me.id).await.ok().flatten();
    let snapshot = app.chat.enter(code, me).await?;
    let rules = app.chat.room_rules(code).await?;
    let rename = RenameForm {
        name: me.name.as_str(),
        ..RenameForm::default()
    };
    let reader = Reader {
        notice,
        seen,
        unread: crate::chat::rules::first_unseen(&snapshot.items, seen, &me.seed),
        typing,
    };
    let page = room(
        &snapshot,
        me,
        &share_url(app, headers, code),
        send,
        &rename,
        &rules,
        &reader,
    );
    // Not noted is no reason to refuse the page: the next one shows more.
    let _ = app.chat.saw(code, me.id, snapshot.last).await;
    Ok(page)
}

/// Whether the person's page tells the other stranger when they type: their
/// setting, on unless they turned it off.
fn typing_on(settings: Option<&Extension<Settings>>) -> bool {
    settings.is_none_or(|settings| settings.typing)
}

/// `GET /r/{code}`
pub async fn get_room(
    State(app): State<AppState>,
    session: Session,
    headers: HeaderMap,
    client: ClientAddr,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
    settings: Option<Extension<Settings>>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Enter).await?;
    let Some(me) = session.member else {
        return Ok(Redirect::to(&paths::home_with_code(&code)).into_response());
    };
    // Back from reporting a message (`paths::room_reported`): our words,
    // never anything from the address.
    let notice = (query.as_deref() == Some("reported")).then(super::report::sent);
    let entered = match cleared(&app, client, me.id).await {
        Ok(()) => {
            let typing = typing_on(settings.as_ref());
            room_page(
                &app,
                &headers,
                &code,
                &me,
                &SendForm::default(),
                notice.as_deref(),
                typing,
            )
            .await
        }
        Err(why) => Err(why),
    };
    match entered {
        Ok(page) => Ok(page.into_response()),
        Err(why @ ChatError::NameTaken(_)) => Ok(kept_out(&app, &code, &me, &why, true).await),
        Err(why @ (ChatError::Locked(_) | ChatError::Removed | ChatError::Banned(_))) => {
            Ok(kept_out(&app, &code, &me, &why, false).await)
        }
        Err(why) => Err(why.into()),
    }
}

/// The room would not let this person in: the invite card of the room, their
/// name in its Name box and the reason beside it (beside the name, when
/// `of_name`: someone in the room goes by it), to pick another and join, or
/// to know why not ("Room K7QX is locked: nobody new may join").
async fn kept_out(
    app: &AppState,
    code: &RoomCode,
    me: &Member,
    why: &ChatError,
    of_name: bool,
) -> Response {
    let refused = Refused::from(why);
    let rooms = app.chat.public_rooms().await;
    let words = Some(refused.words.clone());
    let form = StartForm {
        name: me.name.as_str(),
        code: code.as_str(),
        name_error: words.clone().filter(|_| of_name),
        invite_error: words.filter(|_| !of_name),
        invite: Some(code.as_str()),
        ..StartForm::default()
    };
    refused.answer(home(&rooms, &form).into_response())
}

#[derive(Deserialize, Default)]
pub struct MessageInput {
    #[serde(default)]
    text: String,
}

/// What a post that found no room it may use says, beside the text kept.
fn missed_post() -> String {
    crate::t!("missed-reload", missed = missed())
}

/// `POST /r/{code}/messages`
pub async fn post_message(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    headers: HeaderMap,
    client: ClientAddr,
    Path(segment): Path<String>,
    Form(input): Form<MessageInput>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let Some(code) = RoomCode::from_path(&segment) else {
        // Not a code: counted, and answered as any address that is not there.
        return Err(door::pass(&app, knock, None, Access::Member)
            .await
            .err()
            .map_or(AppError::NotFound, AppError::from));
    };
    let Some(me) = session.member else {
        return Ok(session_ended(shape, &code, &input.text));
    };
    if let Err(shut) = door::pass(&app, knock, Some(code.clone()), Access::Member).await {
        let refused = shut
            .refused()
            .unwrap_or_else(|| Refused::missed(missed_post()));
        return Ok(not_sent(shape, &code, &input.text, &shape.still(refused)));
    }
    match post(&app, client, &code, &me, &input.text).await {
        Ok(()) => Ok(sent(shape, &code)),
        Err(refused) if refused.status == StatusCode::NOT_FOUND => {
            Ok(not_sent(shape, &code, &input.text, &refused))
        }
        Err(refused) => {
            let refused = shape.still(refused);
            kept(&app, shape, &headers, &code, &me, &input.text, &refused).await
        }
    }
}

/// A message refused (too long, too fast, the store out of reach): the
/// person's text stays in the box, with the reason; without htmx, on the
/// room's page.
async fn kept(
    app: &AppState,
    shape: Shape,
    headers: &HeaderMap,
    code: &RoomCode,
    me: &Member,
    text: &str,
    refused: &Refused,
) -> Result<Response, AppError> {
    let form = SendForm {
        text,
        error: Some(refused.words.clone()),
        ended: false,
    };
    let answer = if shape.is_htmx() {
        refused_send_form(code, &form, refused.status.is_server_error()).into_response()
    } else {
        // A plain form: a browser without JavaScript, whose page cannot
        // tell typing anyway.
        room_page(app, headers, code, me, &form, None, false)
            .await?
            .into_response()
    };
    Ok(refused.answer(answer))
}

/// Posts `typed` as `me`, counted against the client's address over all
/// its sessions; or why not.
async fn post(
    app: &AppState,
    client: ClientAddr,
    code: &RoomCode,
    me: &Member,
    typed: &str,
) -> Result<(), Refused> {
    let text = MessageText::parse(typed, app.config.max_message)
        .map_err(|why| Refused::invalid(why.message_words()))?;
    cleared(app, client, me.id)
        .await
        .map_err(|why| Refused::from(&why))?;
    let posted = app.chat.post(code, me.id, text);
    counted(
        &*app.address_messages,
        client,
        ChatError::MessagesFromAddress,
        posted,
    )
    .await
    .map_err(|why| match why {
        // Gone since the door: the same words as any miss.
        ChatError::NoSuchRoom(_) | ChatError::NotMember => Refused::missed(missed_post()),
        why => Refused::from(&why),
    })
}

/// Sent: a fresh box for htmx, the room again for a plain form.
fn sent(shape: Shape, code: &RoomCode) -> Response {
    if shape.is_htmx() {
        // `autofocus`: htmx puts the focus back in the fresh box even when
        // it was on the Send button (which the swap replaced).
        send_form(code, &SendForm::default(), true, true).into_response()
    } else {
        // Back to the room with the focus in the Message box (a fragment
        // naming a text box focuses it), ready for the next message.
        Redirect::to(&format!("{}#{MESSAGE_BOX}", paths::room(code))).into_response()
    }
}

/// A message that was not sent because the door stayed shut: the text stays
/// in the box with the reason, the same whatever the reason was. Without
/// htmx a page of its own, as the room cannot be shown.
fn not_sent(shape: Shape, code: &RoomCode, text: &str, refused: &Refused) -> Response {
    let form = SendForm {
        text,
        error: Some(refused.words.clone()),
        ended: false,
    };
    refused.answer(shape.form(
        refused.status,
        || refused_send_form(code, &form, refused.status.is_server_error()),
        || unsent(code, &form),
    ))
}

/// A post without a session: the cookie is gone, or no longer verifies (the
/// server restarted with a new key). Nothing about the room is looked up, so
/// the answer is the same for every code and tells nothing about it; the
/// text stays in the box, and the words lead back in through the room's page
/// (which sends a person without a name to **Join**). `403`, but not the
/// cross-site refusal's words: this person did nothing wrong.
fn session_ended(shape: Shape, code: &RoomCode, text: &str) -> Response {
    let form = SendForm {
        text,
        error: None,
        ended: true,
    };
    shape.form(
        StatusCode::FORBIDDEN,
        || send_form(code, &form, true, false),
        || unsent(code, &form),
    )
}

/// `GET /r/{code}/title`: the room's plain tab title, for htmx to put back
/// (see `views::room::unread_title`), for members of the room.
pub async fn get_title(
    State(app): State<AppState>,
    session: Session,
    client: ClientAddr,
    Path(code): Path<String>,
) -> Result<maud::Markup, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await?;
    // Asked after every send: a room anyone may enter is named by its code,
    // with one look-up. Only a random-chat room's tab names someone (the
    // stranger), so only there is the room read, by entering it again, which
    // announces nothing for a member already in it.
    if app.chat.leads(&code, None, Access::Enter).await? {
        return Ok(open_title(&code));
    }
    let me = session.member.ok_or(AppError::NotFound)?;
    let snapshot = app.chat.enter(&code, &me).await.map_err(AppError::from)?;
    Ok(plain_title(&snapshot, &me))
}

/// `POST /r/{code}/leave`: `303 /` whether or not the person was in the
/// room (they are out either way), though a code that led nowhere counts.
pub async fn post_leave(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    match door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await {
        Ok(code) => {
            if let Some(me) = session.member {
                // Gone since the door is no reason to complain: they are out.
                let _ = app.chat.leave(&code, me.id).await;
            }
        }
        Err(shut @ Shut::Wait(_)) => return Err(shut.into()),
        Err(Shut::Miss | Shut::Unavailable) => {}
    }
    Ok(shape.redirect("/"))
}
