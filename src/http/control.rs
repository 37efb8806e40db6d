//! What a room's owner does from its pages (remove a member, lock the room),
//! and the ban check every route that joins a room or posts makes first
//! (`cleared`). Each action goes through the code door as a member, works
//! without JavaScript (`303` back to the room) and with htmx.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client::ClientAddr;
use super::door::{self, Knock};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, ChatError, MemberId, RoomCode, Seed};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::views::room::owner::lock_form;

/// Whether `member`, from `client`, may join a room or post now: `Banned`
/// (with until when) while the session or the address is banned. Notes the
/// address as the one the member was last seen from, which a ban of the
/// member then covers.
pub async fn cleared(
    app: &AppState,
    client: ClientAddr,
    member: MemberId,
) -> Result<(), ChatError> {
    app.chat.cleared(member, client.key().as_deref()).await
}

/// `POST /r/{code}/p/{seed}/remove`: the room's owner removes the member
/// whose avatar is `seed`; back to the room.
pub async fn post_remove(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path((code, seed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.ok_or(AppError::NotFound)?;
    let seed = Seed::parse(&seed).ok_or(AppError::NotFound)?;
    app.chat.remove(&code, me.id, &seed).await?;
    Ok(shape.redirect(&paths::room(&code)))
}

#[derive(Deserialize, Default)]
pub struct LockInput {
    /// `on` locks the room, `off` unlocks it.
    #[serde(default)]
    lock: String,
}

/// `POST /r/{code}/lock`: the room's owner locks (`lock=on`) or unlocks
/// (`lock=off`) it. htmx gets the form that follows; a plain form, the room.
pub async fn post_lock(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path(code): Path<String>,
    Form(input): Form<LockInput>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await?;
    let me = session.member.ok_or(AppError::NotFound)?;
    let locked = match input.lock.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            let refused = Refused::invalid(crate::t!("owner-lock-invalid"));
            return Err(AppError::Refused(refused));
        }
    };
    if let Err(why) = app.chat.lock(&code, me.id, locked).await {
        let refused = Refused::from(&why);
        if shape.is_htmx() && why == ChatError::NotOwner {
            let was = app.chat.room_rules(&code).await.is_ok_and(|r| r.locked);
            let form = lock_form(&code, was, Some(&refused.words));
            return Ok(refused.answer(form.into_response()));
        }
        return Err(why.into());
    }
    if shape.is_htmx() {
        return Ok(lock_form(&code, locked, None).into_response());
    }
    Ok(shape.redirect(&paths::room(&code)))
}
