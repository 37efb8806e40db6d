//! A person's page in a room and what its form does: ignore them, or stop.
//! Members of the room only, through the code door like every member route;
//! people are named by their avatar's seed, never by their session.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::client::ClientAddr;
use super::door::{self, Knock};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, Member, Person, RoomCode, Seed};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::views::person::{IGNORE, PersonPage, STOP, Said, ignore_form, person_page};

/// The room (through the code door, as a member), the viewer, and the seed
/// named in the path; a `404` for anything that leads nowhere.
async fn open(
    app: &AppState,
    session: Session,
    client: ClientAddr,
    code: &str,
    seed: &str,
) -> Result<(RoomCode, Member, Seed), AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(app, knock, RoomCode::from_path(code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.ok_or(AppError::NotFound)?;
    let seed = Seed::parse(seed).ok_or(AppError::NotFound)?;
    Ok((code, me, seed))
}

/// The person present in `code` whose avatar is `seed`; else `404`.
async fn present(app: &AppState, code: &RoomCode, seed: &Seed) -> Result<Person, AppError> {
    app.chat.person(code, seed).await?.ok_or(AppError::NotFound)
}

/// `GET /r/{code}/p/{seed}`
pub async fn get_person(
    State(app): State<AppState>,
    session: Session,
    client: ClientAddr,
    Path((code, seed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (code, me, seed) = open(&app, session, client, &code, &seed).await?;
    let person = present(&app, &code, &seed).await?;
    let ignored = app.chat.ignored(me.id).await?;
    let owner = app.chat.owner(&code).await?;
    let page = PersonPage {
        code: &code,
        person: &person.author,
        me: &me,
        ignoring: ignored.iter().any(|a| a.seed == seed),
        ignored: &ignored,
        owner: owner == Some(me.id),
    };
    Ok(person_page(&page).into_response())
}

#[derive(Deserialize, Default)]
pub struct IgnoreInput {
    /// `on` to ignore, `off` to stop.
    #[serde(default)]
    ignore: String,
}

/// `POST /r/{code}/p/{seed}/ignore`: `303` back to the room, or the form
/// again for htmx, saying what was done.
pub async fn post_ignore(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path((code, seed)): Path<(String, String)>,
    Form(input): Form<IgnoreInput>,
) -> Result<Response, AppError> {
    let (code, me, seed) = open(&app, session, client, &code, &seed).await?;
    let (author, ignoring) = match input.ignore.as_str() {
        IGNORE => {
            let person = present(&app, &code, &seed).await?;
            app.chat.ignore(&me, &person.author).await?;
            (person.author, true)
        }
        STOP => {
            // Someone ignored may have left: stopping needs only the list.
            let ignored = app.chat.ignored(me.id).await?;
            let known = ignored.into_iter().find(|a| a.seed == seed);
            let author = match known {
                Some(author) => author,
                None => present(&app, &code, &seed).await?.author,
            };
            app.chat.unignore(me.id, &seed).await?;
            (author, false)
        }
        _ => {
            return Err(Refused::invalid(crate::t!("ignore-invalid")).into());
        }
    };
    if shape.is_htmx() {
        return Ok(ignore_form(&code, &author, ignoring, &Said::Done).into_response());
    }
    Ok(shape.redirect(&paths::room(&code)))
}
