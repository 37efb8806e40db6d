//! The random chat's waiting streams: `GET /pair/events` for the waiting
//! page, and the document it frames without JavaScript. Each keeps the
//! member queued while open (under the same caps as a room's streams) and
//! shows the way to the room once a stranger is found.

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

use super::client::ClientAddr;
use super::session::Session;
use super::stream::{
    Place, address_place, event_stream, framed_document, holding, too_many_from_address,
};
use crate::AppState;
use crate::chat::{Chat, Member, MemberId, Name, PairWatch, RoomCode};
use crate::error::{AppError, Refused};
use crate::shutdown::Shutdown;
use crate::views::pair::{found, found_link, wait_document_head};
use crate::views::stream::{
    KEEP_ALIVE, connected, final_words, frame_notice, message, restarting, then_close,
};

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
    // The stream outlives its request: its words are in the reader's language.
    let look = crate::look::current();
    let rest = futures_util::stream::unfold(Some(waiting), move |waiting| {
        crate::look::scope(look.clone(), async move {
            let mut waiting = waiting?;
            let home = crate::t!("go-home");
            let home = Some(("/", home.as_str()));
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
                Heard::Gone if html => (
                    frame_notice(&crate::t!("pair-no-longer-waiting"), home),
                    false,
                ),
                Heard::Gone => (
                    final_words(&crate::t!("pair-no-longer-waiting"), home),
                    false,
                ),
                Heard::Beat if html => (Bytes::from_static(b"\n"), true),
                Heard::Beat => (Bytes::from_static(KEEP_ALIVE), true),
                Heard::Stopping if html => {
                    (frame_notice(&crate::t!("restarting-reload"), None), false)
                }
                Heard::Stopping => (restarting(), false),
            };
            Some((Ok(bytes), more.then_some(waiting)))
        })
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
        .map_err(|()| Refused::busy(too_many_from_address()))?;
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
    let home = crate::t!("go-home");
    let home = Some(("/", home.as_str()));
    let Some(me) = session.member else {
        return event_stream(Body::from(final_words(
            &crate::t!("session-has-ended"),
            home,
        )));
    };
    let body = match watch_counted(&app, client, me.id).await {
        Ok(Some((place, watch))) => Body::from_stream(holding(
            place,
            stream_of(Waiting::new(&app, watch, me), connected(), false),
        )),
        Ok(None) => Body::from(final_words(&crate::t!("pair-not-waiting"), home)),
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
