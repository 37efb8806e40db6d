//! The home page and what its form does: join a room, create one, change name.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client::{ClientAddr, counted};
use super::door::{self, Knock, Shut};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, Chat, ChatError, Name, RoomCode};
use crate::paths;
use crate::views::home::{StartForm, home, start_form};
use crate::views::layout::page;
use crate::views::room::{RenameForm, rename_form};

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    code: String,
}

/// What the home form posts, to `/join` or `/rooms`.
#[derive(Deserialize, Default)]
pub struct StartInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    /// A public room's button.
    pub room: Option<String>,
    /// Present when Enter was pressed in a text box (see `views::home::ENTER`).
    pub enter: Option<String>,
    /// The room of the invite card the form was shown with: kept on a refusal.
    pub invite: Option<String>,
}

/// `GET /`
pub async fn get_home(
    State(app): State<AppState>,
    session: Session,
    Query(query): Query<HomeQuery>,
) -> Response {
    let suggested = Name::suggest();
    let name = session.member.as_ref().map_or(&suggested, |m| &m.name);
    let rooms = app.chat.public_rooms().await;
    // An invite link (`/r/CODE` without a name) comes here with its code.
    let invite = RoomCode::from_path(query.code.trim()).map(|_| query.code.trim());
    let form = StartForm {
        name: name.as_str(),
        code: &query.code,
        invite,
        ..StartForm::default()
    };
    home(&rooms, &form).into_response()
}

/// What was wrong with the start form, field by field.
#[derive(Default)]
pub struct Refusal {
    pub status: Option<StatusCode>,
    pub name: Option<String>,
    pub code: Option<String>,
    pub pair: Option<String>,
}

/// The form again, with what was typed and what was wrong.
pub async fn refuse(chat: &Chat, shape: Shape, input: &StartInput, why: Refusal) -> Response {
    let rooms = chat.public_rooms().await;
    let form = StartForm {
        name: &input.name,
        code: &input.code,
        name_error: why.name,
        code_error: why.code,
        pair_error: why.pair,
        greeting: None,
        invite: input
            .invite
            .as_deref()
            .filter(|code| RoomCode::from_path(code).is_some()),
    };
    shape.form(
        why.status.unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        || start_form(&rooms, &form),
        || home(&rooms, &form),
    )
}

/// The member under the name typed in the start form (see `sign_in`), or
/// the form again saying what is wrong with the name, or that the store
/// could not take it on.
pub async fn signed_in(
    app: &AppState,
    shape: Shape,
    session: &Session,
    client: ClientAddr,
    input: &StartInput,
) -> Result<crate::chat::Member, Response> {
    let why = match Name::parse(&input.name, app.config.max_name) {
        Ok(name) => match sign_in(app, session, client, name).await {
            Ok(member) => return Ok(member),
            Err(why) => name_refused(&why),
        },
        Err(why) => Refusal {
            name: Some(why.name_words()),
            ..Refusal::default()
        },
    };
    Err(refuse(&app.chat, shape, input, why).await)
}

/// `503` when the store could not be reached (try again), `429` when a
/// limit per address was reached (wait), else the default.
pub fn refusal_status(why: &ChatError) -> Option<StatusCode> {
    match why {
        ChatError::Unavailable => Some(StatusCode::SERVICE_UNAVAILABLE),
        ChatError::SessionsFromAddress(_)
        | ChatError::MessagesFromAddress(_)
        | ChatError::RoomsFromAddress(_)
        | ChatError::PairsFromAddress(_)
        | ChatError::QueueFull
        | ChatError::RoomsHeld => Some(StatusCode::TOO_MANY_REQUESTS),
        _ => None,
    }
}

/// The start form refused because the name could not be taken on (the
/// store could not be reached, or the address started too many sessions).
fn name_refused(why: &ChatError) -> Refusal {
    Refusal {
        status: refusal_status(why),
        name: Some(why.to_string()),
        ..Refusal::default()
    }
}

/// The name a person typed, and the member they are under it (renamed
/// everywhere they already are, if it changed). A person without a session
/// starts one, counted against their address: fresh cookies are not fresh
/// limits. Every caller remembers the member once this succeeds.
pub async fn sign_in(
    app: &AppState,
    session: &Session,
    client: ClientAddr,
    name: Name,
) -> Result<crate::chat::Member, ChatError> {
    if session.member.is_none()
        && let Some(key) = client.key()
    {
        app.address_sessions
            .take(&key)
            .await
            .map_err(ChatError::SessionsFromAddress)?
            .keep();
    }
    let member = session.member_named(name);
    if session
        .member
        .as_ref()
        .is_some_and(|old| old.name != member.name)
    {
        app.chat.rename(member.id, &member.name).await?;
    }
    Ok(member)
}

/// `POST /join`
pub async fn post_join(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Form(input): Form<StartInput>,
) -> Response {
    if input.enter.is_some() && input.room.is_none() && input.code.trim().is_empty() {
        return take_name(&app, shape, session, client, &input).await;
    }
    let name = Name::parse(&input.name, app.config.max_name);
    let typed = input.room.as_deref().unwrap_or(&input.code);
    let code = if typed.trim().is_empty() {
        // Nothing typed is no guess.
        Err((None, ChatError::NoSuchRoom(String::new()).to_string()))
    } else {
        let knock = Knock::of(client, &session);
        let code = typed_code(&app, typed);
        let malformed = code.is_none();
        door::pass(&app, knock, code, Access::Enter)
            .await
            .map_err(|shut| match shut {
                Shut::Miss if malformed => (None, code_shape_words(app.config.code_length)),
                Shut::Miss => (None, ChatError::NoSuchRoom(typed.to_owned()).to_string()),
                Shut::Wait(wait) => (Some(StatusCode::TOO_MANY_REQUESTS), door::wait_words(wait)),
                Shut::Unavailable => (
                    Some(StatusCode::SERVICE_UNAVAILABLE),
                    ChatError::Unavailable.to_string(),
                ),
            })
    };
    let (name, code) = match (name, code) {
        (Ok(name), Ok(code)) => (name, code),
        (name, code) => {
            let (status, code) = match code {
                Ok(_) => (None, None),
                Err((status, why)) => (status, Some(why)),
            };
            let why = Refusal {
                status,
                name: name.err().map(|e| e.name_words()),
                code,
                ..Refusal::default()
            };
            return refuse(&app.chat, shape, &input, why).await;
        }
    };
    let member = match sign_in(&app, &session, client, name).await {
        Ok(member) => member,
        Err(why) => return refuse(&app.chat, shape, &input, name_refused(&why)).await,
    };
    (
        session.remember(&member),
        shape.redirect(&paths::room(&code)),
    )
        .into_response()
}

/// What a code looks like, for a person who typed something that cannot be
/// one: as long as new codes are, with an example of that length.
pub fn code_shape_words(len: usize) -> String {
    const EXAMPLE: &str = "K7QXM3RT9WHP"; // letters and digits from the codes' alphabet
    let len = len.clamp(4, EXAMPLE.len());
    format!(
        "A code is {len} letters or digits, like {}",
        &EXAMPLE[..len]
    )
}

/// The room a person means by what they typed: a public room's slug, else
/// a private code in any case; `None` when it can be neither.
fn typed_code(app: &AppState, typed: &str) -> Option<RoomCode> {
    let public = RoomCode::parse_slug(typed).filter(|slug| {
        app.config
            .public_rooms
            .iter()
            .any(|room| RoomCode::parse_slug(room).as_ref() == Some(slug))
    });
    public.or_else(|| RoomCode::parse_private(typed))
}

/// Enter pressed with no code typed: the person gave a name and has not
/// chosen where to go yet. Takes the name and says what comes next.
async fn take_name(
    app: &AppState,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    input: &StartInput,
) -> Response {
    let member = match signed_in(app, shape, &session, client, input).await {
        Ok(member) => member,
        Err(refused) => return refused,
    };
    let rooms = app.chat.public_rooms().await;
    let form = StartForm {
        name: member.name.as_str(),
        greeting: Some(&member.name),
        ..StartForm::default()
    };
    let page = shape.form(
        StatusCode::OK,
        || start_form(&rooms, &form),
        || home(&rooms, &form),
    );
    (session.remember(&member), page).into_response()
}

/// `POST /rooms`. A room counts against the client's address twice: once
/// among the rooms it made this minute, and among those it holds until the
/// room closes.
pub async fn post_rooms(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Form(input): Form<StartInput>,
) -> Response {
    let member = match signed_in(&app, shape, &session, client, &input).await {
        Ok(member) => member,
        Err(refused) => return refused,
    };
    let holder = client.key();
    let made = counted(
        &*app.address_rooms,
        client,
        ChatError::RoomsFromAddress,
        app.chat.create_room(&member, holder.as_deref()),
    )
    .await;
    // The name was taken on whatever happens to the room.
    let session = session.remember(&member);
    match made {
        Ok(code) => (session, shape.redirect(&paths::room(&code))).into_response(),
        Err(why) => {
            let why = Refusal {
                status: refusal_status(&why),
                code: Some(why.to_string()),
                ..Refusal::default()
            };
            (session, refuse(&app.chat, shape, &input, why).await).into_response()
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RenameInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    back: String,
}

/// `POST /name`
pub async fn post_name(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Form(input): Form<RenameInput>,
) -> Response {
    let room = RoomCode::from_path(input.back.strip_prefix("/r/").unwrap_or_default());
    let back = room.as_ref().map_or_else(|| "/".to_owned(), paths::room);
    if room.is_some() && session.member.is_none() {
        // From a room page whose session ended (a restart without
        // `--secret`, the cookie gone): a new name would not be in the room.
        return renamed_without_session(shape, &back, &input.name);
    }
    let renamer = session.member.as_ref().map(|m| m.id.0.to_string());
    let taken = match &renamer {
        Some(id) => Some(app.renames.take(id).await),
        None => None,
    };
    let parsed = Name::parse(&input.name, app.config.max_name)
        .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.name_words()))
        .and_then(|name| match &taken {
            Some(Err(wait)) => Err((
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "You changed your name too often: wait {} s and try again",
                    wait.as_secs().max(1)
                ),
            )),
            _ => Ok(name),
        });
    let signed = match parsed {
        Ok(name) => sign_in(&app, &session, client, name).await.map_err(|e| {
            let status = refusal_status(&e).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, e.to_string())
        }),
        Err(refused) => Err(refused),
    };
    // Only a name change that was made counts.
    if let (Err(_), Some(Ok(attempt))) = (&signed, taken) {
        attempt.forgive();
    }
    match signed {
        Ok(member) => {
            let form = RenameForm {
                name: member.name.as_str(),
                done: true,
                ..RenameForm::default()
            };
            let answer = if shape.is_htmx() {
                rename_form(&back, &form).into_response()
            } else {
                shape.redirect(&back)
            };
            (session.remember(&member), answer).into_response()
        }
        Err((status, why)) => {
            let form = RenameForm {
                name: &input.name,
                error: Some(why),
                ..RenameForm::default()
            };
            rename_answer(shape, status, &back, &form)
        }
    }
}

/// A name change sent from a room page by a browser without a session: told
/// that the session ended and how to come back, the typed name kept.
fn renamed_without_session(shape: Shape, back: &str, typed: &str) -> Response {
    let form = RenameForm {
        name: typed,
        ended: true,
        ..RenameForm::default()
    };
    rename_answer(shape, StatusCode::FORBIDDEN, back, &form)
}

/// The rename form as the answer: the fragment, or a page of its own.
fn rename_answer(shape: Shape, status: StatusCode, back: &str, form: &RenameForm<'_>) -> Response {
    shape.form(
        status,
        || rename_form(back, form),
        || {
            page(
                "Change name",
                None,
                None,
                maud::html! {
                    main #main.narrow { h1 { "Change name" } (rename_form(back, form)) }
                },
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::code::{ALPHABET, CODE_LENGTHS};

    /// The example is a real code of the configured length.
    #[test]
    fn a_malformed_code_is_told_what_a_code_looks_like() {
        assert_eq!(
            code_shape_words(4),
            "A code is 4 letters or digits, like K7QX"
        );
        for len in CODE_LENGTHS {
            let words = code_shape_words(len);
            let example = words.rsplit(' ').next().expect("an example");
            assert_eq!(example.len(), len, "{words}");
            assert!(example.bytes().all(|b| ALPHABET.contains(&b)), "{words}");
        }
    }
}
