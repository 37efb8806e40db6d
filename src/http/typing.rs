//! `POST /r/{code}/typing`: a random-chat page says that its person is
//! typing, and the other stranger's page shows "{name} is typing…" (see
//! `chat::Reading::typing`). Through the code door like a post, limited per
//! member and per client address, answered `204` with nothing to swap.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::client::{ClientAddr, counted};
use super::door::{self, Knock};
use super::session::Session;
use crate::AppState;
use crate::chat::{Access, ChatError, RoomCode};
use crate::error::AppError;
use crate::look::Settings;

/// `POST /r/{code}/typing`: `204`; `409` in a room that is no random chat;
/// `429` past `rules::TYPING_PER_MINUTE` a member or
/// `rules::TYPING_PER_ADDRESS` an address; a room the person is not in:
/// the `404` of any miss.
pub async fn post_typing(
    State(app): State<AppState>,
    session: Session,
    client: ClientAddr,
    Path(code): Path<String>,
    settings: Option<Extension<Settings>>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.ok_or(AppError::NotFound)?;
    // Turned off: a page made before the change may still ask; nobody is told.
    if settings.is_some_and(|settings| !settings.typing) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mine = app
        .member_typing
        .take(&me.id.0.to_string())
        .await
        .map_err(ChatError::TypingTooOften)?;
    let told = counted(
        &*app.address_typing,
        client,
        ChatError::TypingTooOften,
        app.chat.typing(&code, &me),
    )
    .await;
    match told {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(why) => {
            mine.forgive();
            Err(why.into())
        }
    }
}
