//! Random chat: queue for a stranger, the waiting page, its stream, and the
//! document that waits in an `<iframe>` without JavaScript.

use axum::Form;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

use super::client::{ClientAddr, counted};
use super::door::{self, Knock, Shut};
use super::home::{Refusal, StartInput, refuse, signed_in};
use super::session::Session;
use super::shape::Shape;
use super::stream::{
    Place, TOO_MANY_FROM_ADDRESS, address_place, event_stream, framed_document, holding,
};
use crate::AppState;
use crate::chat::{Access, Chat, ChatError, Member, MemberId, Name, PairWatch, Pairing, RoomCode};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::shutdown::Shutdown;
use crate::views::components::pair_again;
use crate::views::pair::{found, found_link, wait_document_head, waiting};
use crate::views::stream::{
    KEEP_ALIVE, connected, final_words, frame_notice, message, restarting, then_close,
};

/// What the home form (or **Find a new stranger**) posts to `/pair`.
#[derive(Deserialize, Default)]
pub struct PairInput {
    /// The name typed; absent from **Find a new stranger**, which keeps the session's.
    name: Option<String>,
    /// The pair room to leave first.
    leave: Option<String>,
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
    let knock = Knock::of(client, &session);
    let answer = match room_to_leave(&app, knock, input.leave.as_deref()).await {
        Ok(leave) => queue(&app, shape, client, &member, leave, &form).await,
        Err((code, refused)) => not_queued(&app, shape, &form, code.as_ref(), refused).await,
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
        (Err(why), _) => not_queued(app, shape, form, leave.as_ref(), Refused::from(&why)).await,
    }
}

/// Not queued: from **Find a new stranger** in a room, htmx gets that form
/// back with the reason (it says it where the person is); otherwise the
/// start form says it.
async fn not_queued(
    app: &AppState,
    shape: Shape,
    form: &StartInput,
    from: Option<&RoomCode>,
    refused: Refused,
) -> Response {
    if let (Some(code), true) = (from, shape.is_htmx()) {
        return refused.answer(pair_again(code, Some(&refused.words), None).into_response());
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
            .map_err(|()| Refused::busy(TOO_MANY_FROM_ADDRESS))?;
        let held = hold(&app, me.id).await?;
        drop(place);
        if held == Held::Stopping {
            return Err(Refused::unavailable(RESTARTING).into());
        }
    }
    Ok(match app.chat.pairing(me.id).await {
        None => shape.redirect("/"),
        Some(Pairing::Matched(code)) => shape.redirect(&paths::room(&code)),
        Some(Pairing::Waiting) if shape.is_htmx() => StatusCode::NO_CONTENT.into_response(),
        Some(Pairing::Waiting) => waiting().into_response(),
    })
}

/// What a held waiting page says when the server stops meanwhile.
const RESTARTING: &str = "The server is restarting. Reload the page in a moment.";

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

/// What happened while waiting.
enum Heard {
    Matched(RoomCode),
    /// Out of the queue (cancelled, or gone after grace) without a match.
    Gone,
    Beat,
    Stopping,
}

/// An open waiting page: its hold on the queue and what else it listens to.
struct Waiting {
    watch: PairWatch,
    beat: Interval,
    stop: Shutdown,
    chat: Chat,
    me: Member,
}

impl Waiting {
    fn new(app: &AppState, watch: PairWatch, me: Member) -> Self {
        let every = app.config.keepalive();
        let mut beat = interval_at(Instant::now() + every, every);
        beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            watch,
            beat,
            stop: app.stop.clone(),
            chat: app.chat.clone(),
            me,
        }
    }

    /// The name of the stranger found in the room `code`. The member is in
    /// it already (pairing puts both in), so entering again announces nothing.
    async fn stranger(&self, code: &RoomCode) -> Option<Name> {
        let snapshot = self.chat.enter(code, &self.me).await.ok()?;
        let other = snapshot.online.members.into_iter();
        other
            .filter(|one| one.seed != self.me.seed)
            .map(|one| one.name)
            .next()
    }

    async fn next(&mut self) -> Heard {
        loop {
            if let Some(code) = self.watch.matched.borrow_and_update().clone() {
                return Heard::Matched(code);
            }
            tokio::select! {
                changed = self.watch.matched.changed() => if changed.is_err() {
                    return match self.watch.matched.borrow().clone() {
                        Some(code) => Heard::Matched(code),
                        None => Heard::Gone,
                    };
                },
                _ = self.beat.tick() => return Heard::Beat,
                _ = self.stop.wait() => return Heard::Stopping,
            }
        }
    }
}

/// The bytes of a waiting page's stream, as `text/event-stream` or (`html`)
/// as the no-JavaScript document; `first` goes out before anything else.
fn stream_of(
    waiting: Waiting,
    first: Bytes,
    html: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    let start = futures_util::stream::once(async move { Ok(first) });
    let rest = futures_util::stream::unfold(Some(waiting), move |waiting| async move {
        let mut waiting = waiting?;
        let home = Some(("/", "Go to the home page."));
        let (bytes, more) = match waiting.next().await {
            Heard::Matched(code) if html => {
                let stranger = waiting.stranger(&code).await;
                (Bytes::from(found_link(&code, stranger.as_ref())), false)
            }
            Heard::Matched(code) => {
                // Then close: htmx must not reconnect to a queue it has left.
                (
                    then_close(&message(None, &found(&code).into_string())),
                    false,
                )
            }
            Heard::Gone if html => (frame_notice("You are no longer waiting.", home), false),
            Heard::Gone => (final_words("You are no longer waiting.", home), false),
            Heard::Beat if html => (Bytes::from_static(b"\n"), true),
            Heard::Beat => (Bytes::from_static(KEEP_ALIVE), true),
            Heard::Stopping if html => (
                frame_notice(
                    "The server is restarting. Reload the page in a moment.",
                    None,
                ),
                false,
            ),
            Heard::Stopping => (restarting(), false),
        };
        Some((Ok(bytes), more.then_some(waiting)))
    });
    futures_util::StreamExt::chain(start, rest)
}

/// A waiting page's hold on the queue, with its place among the streams of
/// the client's address; `Ok(None)` when the member is not queued.
async fn watch_counted(
    app: &AppState,
    client: Option<std::net::IpAddr>,
    member: MemberId,
) -> Result<Option<(Option<Place>, PairWatch)>, Refused> {
    let place = address_place(app, client)
        .await
        .map_err(|()| Refused::busy(TOO_MANY_FROM_ADDRESS))?;
    match app.chat.watch_pairing(member).await {
        Ok(Some(watch)) => Ok(Some((place, watch))),
        Ok(None) => Ok(None),
        Err(why) => Err(Refused::from(&why)),
    }
}

/// `GET /pair/events`. Always `200 text/event-stream`, like a room's stream:
/// one that cannot be served says why on the page and tells htmx to stop.
pub async fn get_pair_events(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
) -> Response {
    let home = Some(("/", "Go to the home page."));
    let Some(me) = session.member else {
        return event_stream(Body::from(final_words("Your session has ended.", home)));
    };
    let body = match watch_counted(&app, client, me.id).await {
        Ok(Some((place, watch))) => Body::from_stream(holding(
            place,
            stream_of(Waiting::new(&app, watch, me), connected(), false),
        )),
        Ok(None) => Body::from(final_words("You are not waiting for a stranger.", home)),
        Err(why) => Body::from(final_words(&why.words, None)),
    };
    event_stream(body)
}

/// `GET /pair/wait`: the document the waiting page frames without JavaScript.
/// It keeps the member queued while open, and shows the link to the room
/// when a stranger is found.
pub async fn get_wait_document(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
) -> Result<Response, AppError> {
    let Some(me) = session.member else {
        return Ok(Redirect::to("/").into_response());
    };
    let Some((place, watch)) = watch_counted(&app, client, me.id)
        .await
        .map_err(AppError::from)?
    else {
        return Ok(Redirect::to("/").into_response());
    };
    let head = Bytes::from(wait_document_head());
    Ok(framed_document(Body::from_stream(holding(
        place,
        stream_of(Waiting::new(&app, watch, me), head, true),
    ))))
}
