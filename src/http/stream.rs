//! The room's live streams: `text/event-stream` for htmx, and the log document
//! that streams plain HTML into an `<iframe>` for browsers without JavaScript.
//! Each opens through the code door and the caps on open pages, then hands
//! its subscription to a `live::Live`.

use std::net::IpAddr;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;

use super::client::ClientAddr;
use super::door::{self, Knock, Shut, missed};
use super::guard::CSP_FRAMED;
use super::live::{Doc, Live, events, stream_of};
use super::session::Session;
use crate::AppState;
use crate::chat::{Access, ChatError, EventId, RoomCode, Subscription};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::views::room::{log_document_head, online_document_head};
use crate::views::stream::{final_words, unavailable};

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    after: Option<String>,
}

/// Where a stream resumes: `Last-Event-ID` (a reconnect) wins over `?after=`
/// (the first connect, from the page).
fn resume_point(headers: &HeaderMap, query: &EventsQuery) -> Option<EventId> {
    let header = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    header
        .or(query.after.as_deref())
        .and_then(|id| id.parse().ok())
}

/// `GET /r/{code}/events`. Always `200 text/event-stream`: a stream that
/// cannot be served says why on the page and tells htmx to stop, so no error
/// page ever lands in the log.
pub async fn get_events(
    State(app): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<EventsQuery>,
    ClientAddr(client): ClientAddr,
) -> Response {
    let Ok(place) = address_place(&app, client).await else {
        return event_stream(Body::from(final_words(&too_many_from_address(), None)));
    };
    let knock = Knock {
        client,
        member: session.member.as_ref().map(|member| member.id),
    };
    let body = match open(&app, session, knock, &code, resume_point(&headers, &query)).await {
        Ok((code, sub)) => Body::from_stream(holding(place, events(app, code, sub))),
        Err(words) => Body::from(words),
    };
    event_stream(body)
}

pub(super) fn too_many_from_address() -> String {
    crate::t!("streams-from-address")
}

/// A place among the streams of the client's address; `Err` when it has none left.
pub(super) async fn address_place(
    app: &AppState,
    client: Option<IpAddr>,
) -> Result<Option<Place>, ()> {
    match client {
        Some(ip) => app
            .address_streams
            .take(&crate::address::address_key(ip))
            .await
            .map(Some)
            .ok_or(()),
        None => Ok(None),
    }
}

/// A place among the streams of an address, given back when dropped.
pub(super) type Place = Box<dyn Send + Sync>;

/// `stream`, keeping `place` for as long as it runs.
pub(super) fn holding<S: futures_util::Stream>(
    place: Option<Place>,
    stream: S,
) -> impl futures_util::Stream<Item = S::Item> {
    futures_util::StreamExt::map(stream, move |item| {
        let _held = &place;
        item
    })
}

/// Subscribes through the code door, or explains why not in the stream's
/// last words: the same words for every miss, whatever its reason.
async fn open(
    app: &AppState,
    session: Session,
    knock: Knock,
    segment: &str,
    after: Option<EventId>,
) -> Result<(RoomCode, Subscription), Bytes> {
    let parsed = RoomCode::from_path(segment);
    let missed = || match &parsed {
        Some(code) => final_words(
            &missed(),
            Some((&paths::room(code), &crate::t!("join-again"))),
        ),
        None => final_words(&missed(), Some(("/", &crate::t!("go-home")))),
    };
    let code = match door::pass(app, knock, parsed.clone(), Access::Member).await {
        Ok(code) => code,
        Err(Shut::Miss) => return Err(missed()),
        Err(Shut::Wait(wait)) => {
            return Err(final_words(&door::too_many_misses(wait).sentence(), None));
        }
        // The store is out of reach: the page tries again by itself shortly.
        Err(Shut::Unavailable) => return Err(unavailable()),
    };
    // Nobody without a session passes the door as a member.
    let Some(me) = session.member else {
        return Err(missed());
    };
    match app.chat.subscribe(&code, me.id, after).await {
        Ok(sub) => Ok((code, sub)),
        Err(why @ ChatError::TooManyStreams) => Err(final_words(&why.to_string(), None)),
        Err(ChatError::Unavailable) => Err(unavailable()),
        // Gone since the door: the same words as any miss.
        Err(_) => Err(missed()),
    }
}

/// `GET /r/{code}/log`: the log as a document that never ends, for the
/// `<iframe>` that shows it without JavaScript. New items arrive inside the
/// open list, so the page around the form never reloads.
pub async fn get_log_document(
    State(app): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Query(query): Query<LogQuery>,
    client: ClientAddr,
) -> Result<Response, AppError> {
    // The room page that frames it has noted its own load as seen: it
    // says what was seen before (`?since=`), for the divider.
    let since = query.since.as_deref().and_then(|id| id.parse().ok());
    framed(&app, session, &code, client, Doc::Log(since)).await
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    since: Option<String>,
}

/// `GET /r/{code}/online`: the Online list as a document that never ends,
/// for the `<iframe>` that shows it without JavaScript: the whole list again
/// at each join or leave, of which the stylesheet shows the newest.
pub async fn get_online_document(
    State(app): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    client: ClientAddr,
) -> Result<Response, AppError> {
    framed(&app, session, &code, client, Doc::Online).await
}

/// A room's document for an `<iframe>` without JavaScript, through the code
/// door and the caps on open pages, like the event stream.
async fn framed(
    app: &AppState,
    session: Session,
    code: &str,
    ClientAddr(client): ClientAddr,
    doc: Doc,
) -> Result<Response, AppError> {
    let knock = Knock {
        client,
        member: session.member.as_ref().map(|member| member.id),
    };
    let code = door::pass(app, knock, RoomCode::from_path(code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.ok_or(AppError::NotFound)?;
    let place = address_place(app, client)
        .await
        .map_err(|()| Refused::busy(too_many_from_address()))?;
    // What the reader had seen: as the framing page says, or as noted.
    let seen = match doc {
        Doc::Log(Some(since)) => Some(since),
        Doc::Log(None) => app.chat.seen(&code, me.id).await.ok().flatten(),
        _ => None,
    };
    // Gone since the door: the same `404` as any miss (see `AppError::from`).
    let snapshot = app.chat.enter(&code, &me).await?;
    let sub = app
        .chat
        .subscribe(&code, me.id, Some(snapshot.last))
        .await?;
    let head = match doc {
        Doc::Online => online_document_head(&snapshot, &me),
        _ => {
            let unread = crate::chat::rules::first_unseen(&snapshot.items, seen, &me.seed);
            // Its opening shows the log up to its last item: seen.
            let _ = app.chat.saw(&code, me.id, snapshot.last).await;
            log_document_head(&snapshot, &me, unread)
        }
    };
    let live = Live::new(app, code, sub, Bytes::from(head), doc);
    Ok(framed_document(Body::from_stream(holding(
        place,
        stream_of(live, doc),
    ))))
}

/// A `text/event-stream` answer that proxies pass on at once.
pub fn event_stream(body: Body) -> Response {
    streaming(body, "text/event-stream", None)
}

/// A never-ending HTML document for an `<iframe>` of our own pages.
pub fn framed_document(body: Body) -> Response {
    streaming(body, "text/html; charset=utf-8", Some(CSP_FRAMED))
}

/// The header every never-ending answer carries: proxies pass it on
/// unbuffered, and the site's compression leaves it alone.
pub const UNBUFFERED: &str = "x-accel-buffering";

fn streaming(body: Body, content_type: &'static str, csp: Option<&'static str>) -> Response {
    let mut res = body.into_response();
    res.extensions_mut().insert(crate::serve::LongLived);
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(UNBUFFERED, HeaderValue::from_static("no"));
    if let Some(csp) = csp {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    res
}
