//! A message's own page and what may be done there: `GET /r/{code}/m/{id}`
//! shows it to the members of the room (through the code door, like every
//! member route); `POST /r/{code}/m/{id}/delete` deletes one's own message
//! while the rules let them, then leads back to the room at its place. An
//! id that is not a message kept in the room is the `404` of any page that
//! is not there.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::client::ClientAddr;
use super::door::{self, Knock};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, ChatError, Deleter, EventId, Member, RoomCode, Said, rules};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::views::message::{Actions, delete_form, message_page};

/// The room and message a request names, through the door as a member;
/// `404` for anything else.
async fn open(
    app: &AppState,
    session: &Session,
    client: ClientAddr,
    code: &str,
    id: &str,
) -> Result<(RoomCode, Member, Said), AppError> {
    let knock = Knock::of(client, session);
    let code = door::pass(app, knock, RoomCode::from_path(code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.clone().ok_or(AppError::NotFound)?;
    let id: EventId = id.parse().map_err(|()| AppError::NotFound)?;
    // A muted message is its author's alone: for anyone else it is not there.
    let said = app.chat.message(&code, id).await?;
    let said = said.filter(|said| said.shown_to(me.id));
    Ok((code, me, said.ok_or(AppError::NotFound)?))
}

/// What `me` may do with `said` now (the store decides again when asked).
fn actions(said: &Said, me: &Member) -> Actions {
    let mine = said.member == me.id && said.text.is_some();
    let now = time::OffsetDateTime::now_utc();
    let may = rules::may_delete(said.member, said.at, Deleter::Author(me.id), now).is_ok();
    Actions {
        delete: mine && may,
        others: said.member != me.id,
        late: mine && !may,
    }
}

/// `GET /r/{code}/m/{id}`
pub async fn get_message(
    State(app): State<AppState>,
    session: Session,
    client: ClientAddr,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (code, me, said) = open(&app, &session, client, &code, &id).await?;
    let actions = actions(&said, &me);
    Ok(message_page(&code, &said, &me.seed, actions, None).into_response())
}

/// `POST /r/{code}/m/{id}/delete`: back to the room at the message's place
/// (`303`, or `HX-Redirect` for htmx); refused, the message's page (or, for
/// htmx, its **Delete** part) says why.
pub async fn post_delete(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (code, me, said) = open(&app, &session, client, &code, &id).await?;
    match app
        .chat
        .delete(&code, said.id, Deleter::Author(me.id))
        .await
    {
        Ok(()) => Ok(shape.redirect(&paths::room_at(&code, said.id))),
        Err(ChatError::NoSuchMessage) => Err(AppError::NotFound),
        Err(why @ (ChatError::NotYours | ChatError::TooLateToDelete)) => {
            let refused = Refused::from(&why);
            let actions = actions(&said, &me);
            Ok(refused.answer(shape.form(
                refused.status,
                || delete_form(&code, &said, actions, Some(&refused.words)),
                || message_page(&code, &said, &me.seed, actions, Some(&refused.words)),
            )))
        }
        Err(why) => Err(why.into()),
    }
}
