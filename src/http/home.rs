//! The home page and what its form does: join a room, create one, or (Enter
//! with no code) only take a name.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client::{ClientAddr, counted};
use super::control::cleared;
use super::door::{self, Knock};
use super::name::sign_in;
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, Chat, ChatError, Member, Name, RoomCode};
use crate::error::Refused;
use crate::paths;
use crate::views::home::{StartForm, home, start_form};

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
    /// The refusal that decides the answer's status and wait, and the field
    /// it is said on; `None`: only what was typed is wrong (`422`).
    pub refused: Option<(Field, Refused)>,
    /// What is wrong with the name as typed.
    pub name: Option<String>,
}

/// Where on the start form a refusal is said.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Code,
    /// Beside **Chat with a random stranger**.
    Pair,
}

impl Refusal {
    /// `refused`, said on the name field.
    pub fn of_name(refused: Refused) -> Self {
        Self::on(Field::Name, refused)
    }

    /// `refused`, said on the room code field.
    pub fn of_code(refused: Refused) -> Self {
        Self::on(Field::Code, refused)
    }

    /// `refused`, said beside **Chat with a random stranger**.
    pub fn of_pair(refused: Refused) -> Self {
        Self::on(Field::Pair, refused)
    }

    fn on(field: Field, refused: Refused) -> Self {
        Self {
            refused: Some((field, refused)),
            name: None,
        }
    }
}

/// The form again, with what was typed and what was wrong.
pub async fn refuse(chat: &Chat, shape: Shape, input: &StartInput, why: Refusal) -> Response {
    let rooms = chat.public_rooms().await;
    let refused = why
        .refused
        .map(|(field, refused)| (field, shape.still(refused)));
    let said = |on: Field| match &refused {
        Some((field, refused)) if *field == on => Some(refused.words.clone()),
        _ => None,
    };
    // The invite card's own button names its room: what that room said is
    // said on the card.
    let by_invite = input.room.is_some() && input.room == input.invite;
    let form = StartForm {
        name: &input.name,
        code: &input.code,
        name_error: why.name.or_else(|| said(Field::Name)),
        code_error: said(Field::Code).filter(|_| !by_invite),
        invite_error: said(Field::Code).filter(|_| by_invite),
        pair_error: said(Field::Pair),
        greeting: None,
        invite: input
            .invite
            .as_deref()
            .filter(|code| RoomCode::from_path(code).is_some()),
    };
    let res = shape.form(
        StatusCode::UNPROCESSABLE_ENTITY,
        || start_form(&rooms, &form),
        || home(&rooms, &form),
    );
    match &refused {
        Some((_, refused)) => refused.answer(res),
        None => res,
    }
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
) -> Result<Member, Response> {
    let why = match Name::parse(&input.name, app.config.max_name) {
        Ok(name) => match sign_in(app, session, client, name).await {
            Ok(member) => return Ok(member),
            Err(why) => Refusal::of_name(Refused::from(&why)),
        },
        Err(why) => Refusal {
            name: Some(why.name_words()),
            ..Refusal::default()
        },
    };
    Err(refuse(&app.chat, shape, input, why).await)
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
    let code = entered(&app, Knock::of(client, &session), &input).await;
    let (name, code) = match (name, code) {
        (Ok(name), Ok(code)) => (name, code),
        (name, code) => {
            let why = Refusal {
                name: name.err().map(|why| why.name_words()),
                ..code.err().unwrap_or_default()
            };
            return refuse(&app.chat, shape, &input, why).await;
        }
    };
    match sign_in(&app, &session, client, name).await {
        Ok(member) => {
            // In the room now, so that a name someone there goes by is
            // refused here, on the form, with what was typed. Any other
            // refusal (a full room) is the room page's to say, as a page.
            let entered = match cleared(&app, client, member.id).await {
                Ok(()) => app.chat.enter(&code, &member).await.map(|_| ()),
                Err(why) => Err(why),
            };
            let answer = match entered {
                Err(why @ ChatError::NameTaken(_)) => {
                    let why = Refusal::of_name(Refused::from(&why));
                    refuse(&app.chat, shape, &input, why).await
                }
                // Kept out of the room (locked, removed, banned): said
                // where the room was named, the name as typed kept.
                Err(why @ (ChatError::Locked(_) | ChatError::Removed | ChatError::Banned(_))) => {
                    let why = Refusal::of_code(Refused::from(&why));
                    refuse(&app.chat, shape, &input, why).await
                }
                _ => shape.redirect(&paths::room(&code)),
            };
            // The name was taken on whatever happens in the room.
            (session.remember(&member), answer).into_response()
        }
        Err(why) => {
            refuse(
                &app.chat,
                shape,
                &input,
                Refusal::of_name(Refused::from(&why)),
            )
            .await
        }
    }
}

/// The room the start form names (a public room's button, or the code
/// typed), through the code door; or what the code field says instead.
async fn entered(app: &AppState, knock: Knock, input: &StartInput) -> Result<RoomCode, Refusal> {
    let typed = input.room.as_deref().unwrap_or(&input.code);
    if typed.trim().is_empty() {
        // Nothing typed is no guess.
        let words = ChatError::NoSuchRoom(String::new()).to_string();
        return Err(Refusal::of_code(Refused::invalid(words)));
    }
    let code = typed_code(app, typed);
    let malformed = code.is_none();
    door::pass(app, knock, code, Access::Enter)
        .await
        .map_err(|shut| {
            let missed = || match malformed {
                true => code_shape_words(app.config.code_length),
                false => ChatError::NoSuchRoom(typed.to_owned()).to_string(),
            };
            let refused = shut.refused().unwrap_or_else(|| Refused::invalid(missed()));
            Refusal::of_code(refused)
        })
}

/// What a code looks like, for a person who typed something that cannot be
/// one: as long as new codes are, with an example of that length.
pub fn code_shape_words(len: usize) -> String {
    const EXAMPLE: &str = "K7QXM3RT9WHP"; // letters and digits from the codes' alphabet
    let len = len.clamp(4, EXAMPLE.len());
    crate::t!("code-shape", len = len, example = &EXAMPLE[..len])
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
    if let Err(why) = cleared(&app, client, member.id).await {
        let why = Refusal::of_code(Refused::from(&why));
        let answer = refuse(&app.chat, shape, &input, why).await;
        return (session.remember(&member), answer).into_response();
    }
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
            let why = Refusal::of_code(Refused::from(&why));
            (session, refuse(&app.chat, shape, &input, why).await).into_response()
        }
    }
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
