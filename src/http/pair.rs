//! Random chat: queue for a stranger, the waiting page, leaving the queue.
//! The waiting page's streams are `waiting`'s.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::time::Duration;

use super::client::{ClientAddr, counted};
use super::door::{self, Knock, Shut};
use super::home::{Refusal, StartInput, refuse, signed_in};
use super::session::Session;
use super::shape::Shape;
use super::stream::{address_place, too_many_from_address};
use crate::AppState;
use crate::chat::{Access, ChatError, Member, MemberId, Pairing, RoomCode};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::views::components::{block_stranger, pair_again};
use crate::views::pair::waiting;

/// What the home form (or **Find a new stranger**) posts to `/pair`.
#[derive(Deserialize, Default)]
pub struct PairInput {
    /// The name typed; absent from **Find a new stranger**, which keeps the session's.
    name: Option<String>,
    /// The pair room to leave first.
    leave: Option<String>,
    /// Present (**Block and find a new stranger**): the stranger of the
    /// room left is never paired with this person again.
    block: Option<String>,
}

/// `POST /pair`
pub async fn post_pair(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Form(input): Form<PairInput>,
) -> Response {
    let typed = match (input.name, &session.member) {
        (Some(typed), _) => typed,
        (None, Some(me)) => me.name.to_string(),
        (None, None) => String::new(),
    };
    let form = StartInput {
        name: typed,
        ..StartInput::default()
    };
    let member = match signed_in(&app, shape, &session, client, &form).await {
        Ok(member) => member,
        Err(refused) => return refused,
    };
    if let Err(why) = super::control::cleared(&app, client, member.id).await {
        let answer = not_queued(&app, shape, &form, None, Refused::from(&why), false).await;
        return (session.remember(&member), answer).into_response();
    }
    let knock = Knock::of(client, &session);
    let block = input.block.is_some();
    let answer = match room_to_leave(&app, knock, input.leave.as_deref()).await {
        Ok(leave) => match blocked(&app, &member, leave.as_ref(), block).await {
            Ok(()) => queue(&app, shape, client, &member, leave, &form, block).await,
            Err(refused) => not_queued(&app, shape, &form, leave.as_ref(), refused, block).await,
        },
        Err((code, refused)) => not_queued(&app, shape, &form, code.as_ref(), refused, block).await,
    };
    // The name was taken on whatever happens to the queuing.
    (session.remember(&member), answer).into_response()
}

/// The room **Find a new stranger** leaves first: it names a code, so it
/// goes through the door like any other. A code that leads nowhere is
/// nothing to leave; too many misses is a refusal, with the code as given.
async fn room_to_leave(
    app: &AppState,
    knock: Knock,
    typed: Option<&str>,
) -> Result<Option<RoomCode>, (Option<RoomCode>, Refused)> {
    let Some(typed) = typed.filter(|typed| !typed.is_empty()) else {
        return Ok(None);
    };
    let code = RoomCode::from_path(typed);
    match door::pass(app, knock, code.clone(), Access::Member).await {
        Ok(code) => Ok(Some(code)),
        Err(Shut::Wait(wait)) => Err((code, door::too_many_misses(wait))),
        // Nothing there to leave: no reason to complain.
        Err(Shut::Miss | Shut::Unavailable) => Ok(None),
    }
}

/// Blocks the stranger of the pair room `leave` when asked (`block`), before
/// queuing, so the two are never paired again. A room that is no pair of
/// this person's has nobody to block: no reason to complain.
async fn blocked(
    app: &AppState,
    member: &Member,
    leave: Option<&RoomCode>,
    block: bool,
) -> Result<(), Refused> {
    let Some(code) = leave.filter(|_| block) else {
        return Ok(());
    };
    match app.chat.block(member.id, code).await {
        Ok(()) | Err(ChatError::NotMember | ChatError::NoSuchRoom(_)) => Ok(()),
        Err(why) => Err(Refused::from(&why)),
    }
}

/// Queues `member`, counted against the client's address: every match opens
/// a random-chat room, and one address asking again and again could fill
/// the pool for everyone. Out of `leave` only once queued: refused, the
/// person stays there.
async fn queue(
    app: &AppState,
    shape: Shape,
    client: ClientAddr,
    member: &Member,
    leave: Option<RoomCode>,
    form: &StartInput,
    block: bool,
) -> Response {
    let queued = counted(
        &*app.address_pairs,
        client,
        ChatError::PairsFromAddress,
        app.chat.queue(member),
    )
    .await;
    match (queued, &leave) {
        (Ok(_), Some(code)) => {
            // Not being in that room (any more) is no reason to complain.
            let _ = app.chat.leave(code, member.id).await;
            shape.redirect(paths::PAIR)
        }
        // The waiting page at once, with JavaScript or without: without, its
        // framed document shows the link to the chat when a stranger is found.
        (Ok(_), None) => shape.redirect(paths::PAIR),
        (Err(why), _) => {
            not_queued(app, shape, form, leave.as_ref(), Refused::from(&why), block).await
        }
    }
}

/// Not queued: from **Find a new stranger** (or **Block and find a new
/// stranger**) in a room, htmx gets that form back with the reason (it says
/// it where the person is); otherwise the start form says it.
async fn not_queued(
    app: &AppState,
    shape: Shape,
    form: &StartInput,
    from: Option<&RoomCode>,
    refused: Refused,
    block: bool,
) -> Response {
    if let (Some(code), true) = (from, shape.is_htmx()) {
        let again = if block {
            block_stranger(code, Some(&refused.words))
        } else {
            pair_again(code, Some(&refused.words), None)
        };
        return refused.answer(again.into_response());
    }
    refuse(&app.chat, shape, form, Refusal::of_pair(refused)).await
}

#[derive(Deserialize, Default)]
pub struct PairQuery {
    hold: Option<String>,
}

/// `GET /pair`: the waiting page; the room once matched (`HX-Redirect` for
/// htmx, which the waiting page's stream makes ask); home when not queued.
/// With `?hold` (kept for links made before; `POST /pair` now shows the
/// waiting page at once, whose framed document links to the room) the answer
/// waits up to `--pair-hold` seconds for a match. Held, it is a stream like
/// the waiting page's, under the same caps.
pub async fn get_pair(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    ClientAddr(client): ClientAddr,
    Query(query): Query<PairQuery>,
) -> Result<Response, AppError> {
    let Some(me) = session.member else {
        return Ok(shape.redirect("/"));
    };
    if query.hold.is_some() && !shape.is_htmx() {
        let place = address_place(&app, client)
            .await
            .map_err(|()| Refused::busy(too_many_from_address()))?;
        let held = hold(&app, me.id).await?;
        drop(place);
        if held == Held::Stopping {
            return Err(Refused::unavailable(crate::t!("restarting-reload")).into());
        }
    }
    Ok(match app.chat.pairing(me.id).await {
        None => shape.redirect("/"),
        Some(Pairing::Matched(code)) => shape.redirect(&paths::room(&code)),
        Some(Pairing::Waiting) if shape.is_htmx() => StatusCode::NO_CONTENT.into_response(),
        Some(Pairing::Waiting) => waiting().into_response(),
    })
}

/// How a hold ended.
#[derive(PartialEq, Eq)]
enum Held {
    Over,
    Stopping,
}

/// Waits, as an open waiting page would (so the member stays queued and can
/// be paired), until a match, the hold time, shutdown, or leaving the queue.
/// Refused when the member has as many streams open as they may.
async fn hold(app: &AppState, member: MemberId) -> Result<Held, AppError> {
    let Some(mut watch) = app.chat.watch_pairing(member).await? else {
        return Ok(Held::Over);
    };
    let mut stop = app.stop.clone();
    let until = Duration::from_secs(app.config.pair_hold);
    let matched = watch.matched.wait_for(Option::is_some);
    Ok(tokio::select! {
        _ = tokio::time::timeout(until, matched) => Held::Over,
        () = stop.wait() => Held::Stopping,
    })
}

/// `POST /pair/cancel`: leave the queue and go home.
pub async fn post_cancel(State(app): State<AppState>, shape: Shape, session: Session) -> Response {
    if let Some(me) = session.member {
        app.chat.cancel(me.id).await;
    }
    shape.redirect("/")
}
