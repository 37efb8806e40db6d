//! Taking a name: the start form's name (`sign_in`), and **Change name**
//! (`POST /name`) from the home page or a room.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client::ClientAddr;
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{ChatError, Member, Name, RoomCode, Waiting};
use crate::error::Refused;
use crate::paths;
use crate::views::layout::page;
use crate::views::room::{RenameForm, rename_form};

/// The name a person typed, and the member they are under it (renamed
/// everywhere they already are, if it changed). A person without a session
/// starts one, counted against their address: fresh cookies are not fresh
/// limits. Every caller remembers the member once this succeeds.
pub async fn sign_in(
    app: &AppState,
    session: &Session,
    client: ClientAddr,
    name: Name,
) -> Result<Member, ChatError> {
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

#[derive(Deserialize, Default)]
pub struct RenameInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    back: String,
}

/// Where **Change name** was sent from, and leads back to.
struct Back {
    /// The room page it came from, if it came from one.
    room: Option<RoomCode>,
    url: String,
}

impl Back {
    fn of(input: &RenameInput) -> Self {
        let room = RoomCode::from_path(input.back.strip_prefix("/r/").unwrap_or_default());
        let url = room.as_ref().map_or_else(|| "/".to_owned(), paths::room);
        Self { room, url }
    }
}

/// `POST /name`
pub async fn post_name(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Form(input): Form<RenameInput>,
) -> Response {
    let back = Back::of(&input);
    if back.room.is_some() && session.member.is_none() {
        // From a room page whose session ended (a restart without
        // `--secret`, the cookie gone): a new name would not be in the room.
        return renamed_without_session(shape, &back.url, &input.name);
    }
    match rename(&app, &session, client, &input.name).await {
        Ok(member) => {
            let answer = renamed(shape, &back.url, &member);
            (session.remember(&member), answer).into_response()
        }
        Err(refused) => {
            let refused = shape.still(refused);
            let form = RenameForm {
                name: &input.name,
                error: Some(refused.words.clone()),
                ..RenameForm::default()
            };
            refused.answer(rename_answer(shape, refused.status, &back.url, &form))
        }
    }
}

/// The member under the name typed, or why not. A member's name changes
/// count against their budget of renames; only one that was made counts.
async fn rename(
    app: &AppState,
    session: &Session,
    client: ClientAddr,
    typed: &str,
) -> Result<Member, Refused> {
    let attempt = match &session.member {
        Some(me) => Some(app.renames.take(&me.id.0.to_string()).await),
        None => None,
    };
    let over = attempt
        .as_ref()
        .and_then(|taken| taken.as_ref().err().copied());
    let made = match (Name::parse(typed, app.config.max_name), over) {
        (Err(why), _) => Err(Refused::invalid(why.name_words())),
        (Ok(_), Some(wait)) => Err(Refused::waiting(Waiting {
            why: crate::key!("wait-why-renames"),
            wait,
            then: crate::key!("wait-then-try"),
        })),
        (Ok(name), None) => sign_in(app, session, client, name)
            .await
            .map_err(|why| Refused::from(&why)),
    };
    if let (Err(_), Some(Ok(attempt))) = (&made, attempt) {
        attempt.forgive();
    }
    made
}

/// A name taken: the form saying so for htmx, else back where it was sent from.
fn renamed(shape: Shape, back: &str, member: &Member) -> Response {
    if !shape.is_htmx() {
        return shape.redirect(back);
    }
    let form = RenameForm {
        name: member.name.as_str(),
        done: true,
        ..RenameForm::default()
    };
    rename_form(back, &form).into_response()
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
            let title = crate::t!("rename-button");
            page(
                &title,
                None,
                None,
                maud::html! {
                    main #main.narrow { h1 { (title) } (rename_form(back, form)) }
                },
            )
        },
    )
}
