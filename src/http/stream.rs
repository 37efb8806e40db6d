//! The room's live streams: `text/event-stream` for htmx, and the log document
//! that streams plain HTML into an `<iframe>` for browsers without JavaScript.
//! Each stream only copies frames rendered once for everyone.

use std::collections::VecDeque;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::Fuse;
use serde::Deserialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

use super::client::ClientAddr;
use super::door::{self, Knock, MISSED, Shut};
use super::guard::CSP_FRAMED;
use super::session::Session;
use crate::chat::{Access, Chat, ChatError, EventId, Frame, FrameKind, RoomCode, Subscription};
use crate::error::{AppError, Refused};
use crate::paths;
use crate::shutdown::Shutdown;
use crate::views::room::log_document_head;
use crate::views::stream::{
    KEEP_ALIVE, connected, final_words, log_notice, restarting, unavailable,
};
use crate::{AppState, Counters};

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
        return event_stream(Body::from(final_words(TOO_MANY_FROM_ADDRESS, None)));
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

pub(super) const TOO_MANY_FROM_ADDRESS: &str =
    "Too many chat pages are open from your network address: close some, then reload this one.";

/// A place among the streams of the client's address; `Err` when it has none left.
pub(super) async fn address_place(
    app: &AppState,
    client: Option<IpAddr>,
) -> Result<Option<Place>, ()> {
    match client {
        Some(ip) => app
            .address_streams
            .take(&super::client::address_key(ip))
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
        Some(code) => final_words(MISSED, Some((&paths::room(code), "Join again."))),
        None => final_words(MISSED, Some(("/", "Go to the home page."))),
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

/// What a stream does next.
enum Step {
    Send(Bytes),
    /// Send these last bytes, then end.
    End(Bytes),
}

/// One open stream: the subscription, what is still to send of the backlog,
/// the last event sent, and what else it listens to.
struct Live {
    sub: Subscription,
    backlog: VecDeque<Bytes>,
    seen: EventId,
    beat: Interval,
    stop: Shutdown,
    /// Resolves when the member leaves or the server stops. Made once, so a
    /// stream waiting for its next frame does not register anew each time.
    ended: Fuse<Pin<Box<dyn Future<Output = Ending> + Send>>>,
    /// `ended` was polled once, and so will wake this task.
    armed: bool,
    chat: Chat,
    code: RoomCode,
    counters: Arc<Counters>,
    /// Said once the backlog is out, and then the stream ends.
    last_words: Option<Bytes>,
}

impl Live {
    /// Starts with `first`, then what the subscription missed: as `text/event-stream`
    /// messages, or (`html`) as bare log items.
    fn new(
        app: &AppState,
        code: RoomCode,
        mut sub: Subscription,
        first: Bytes,
        html: bool,
    ) -> Self {
        // The backlog ends with the Online list, which carries the room's last id.
        let seen = sub.backlog.last().map_or(EventId::start(0), |f| f.id);
        let missed = std::mem::take(&mut sub.backlog)
            .into_iter()
            .filter_map(|f| match html {
                false => Some(f.sse),
                true => (f.kind == FrameKind::Log).then_some(f.html),
            });
        let backlog = std::iter::once(first).chain(missed).collect();
        let every = app.config.keepalive();
        let mut beat = interval_at(Instant::now() + every, every);
        beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let (mut here, mut stop) = (sub.here.clone(), app.stop.clone());
        let ended: Pin<Box<dyn Future<Output = Ending> + Send>> = Box::pin(async move {
            tokio::select! {
                _ = here.changed() => Ending::Left,
                () = stop.wait() => Ending::Stopping,
            }
        });
        Self {
            sub,
            backlog,
            seen,
            beat,
            stop: app.stop.clone(),
            ended: ended.fuse(),
            armed: false,
            chat: app.chat.clone(),
            code,
            counters: app.counters.clone(),
            last_words: None,
        }
    }

    /// The bytes to send for a frame from the room, if any: a log item this
    /// stream has not sent yet, or the Online list.
    fn accept(&mut self, frame: Frame, html: bool) -> Option<Bytes> {
        if frame.kind == FrameKind::Log && frame.id <= self.seen {
            return None; // already sent in a whole log
        }
        if matches!(frame.kind, FrameKind::Log | FrameKind::Resync) {
            self.seen = frame.id;
            self.counters.delivered.fetch_add(1, Ordering::Relaxed);
        }
        let bytes = if html { frame.html } else { frame.sse };
        (!bytes.is_empty()).then_some(bytes)
    }

    /// Waits for the next thing to send. Every wait also hears shutdown, the
    /// member leaving and the room closing; the browser leaving drops us.
    async fn next(&mut self, html: bool) -> Step {
        if let Some(bytes) = self.backlog.pop_front() {
            return Step::Send(bytes);
        }
        if let Some(words) = self.last_words.take() {
            return Step::End(words);
        }
        loop {
            // Plain reads, registering nothing.
            let quitting = self.sub.here.has_changed().is_err() || self.stop.is_stopping();
            // A frame already waiting goes out at once.
            if !quitting {
                let got = match self.sub.rx.try_recv() {
                    Ok(frame) => Some(Ok(frame)),
                    Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                    Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                    Err(TryRecvError::Empty) => None,
                };
                if let Some(got) = got {
                    match self.received(got, html).await {
                        Some(step) => return step,
                        None => continue,
                    }
                }
            }
            // Otherwise wait for the next frame, polling nothing else.
            // `ended` is polled once, so that it is registered (with this
            // task's waker, which stays the same) and wakes the task when its
            // time comes; after that only once the plain reads say quitting,
            // which they do on every wake. Once quitting, frames are no longer
            // taken, so a busy room cannot keep a stream from ending.
            let woke = {
                let (ended, armed, beat) = (&mut self.ended, &mut self.armed, &mut self.beat);
                let (here, stop) = (&self.sub.here, &self.stop);
                let recv = self.sub.rx.recv();
                tokio::pin!(recv);
                std::future::poll_fn(|cx| {
                    let quitting = here.has_changed().is_err() || stop.is_stopping();
                    if quitting || !*armed {
                        *armed = true;
                        if let Poll::Ready(ending) = ended.poll_unpin(cx) {
                            return Poll::Ready(Woke::Ended(ending));
                        }
                    }
                    if !quitting && let Poll::Ready(got) = recv.as_mut().poll(cx) {
                        return Poll::Ready(Woke::Got(got));
                    }
                    if beat.poll_tick(cx).is_ready() {
                        return Poll::Ready(Woke::Beat);
                    }
                    Poll::Pending
                })
                .await
            };
            let got = match woke {
                Woke::Got(got) => got,
                Woke::Ended(Ending::Left) => return self.left(html),
                Woke::Ended(Ending::Stopping) => {
                    return Step::End(if html {
                        log_notice("The server is restarting. Reload the page in a moment.")
                    } else {
                        restarting()
                    });
                }
                Woke::Beat => {
                    return Step::Send(Bytes::from_static(if html { b"\n" } else { KEEP_ALIVE }));
                }
            };
            if let Some(step) = self.received(got, html).await {
                return step;
            }
        }
    }

    /// What to send for what the room's channel gave; `None` when nothing.
    async fn received(&mut self, got: Result<Frame, RecvError>, html: bool) -> Option<Step> {
        match got {
            Ok(frame) => self.accept(frame, html).map(Step::Send),
            Err(RecvError::Lagged(_)) => {
                if html {
                    return Some(Step::End(log_notice(
                        "Some messages may have been missed. Reload the page to see them.",
                    )));
                }
                let (log, rx) = self.chat.resync(&self.code).await?;
                self.sub.rx = rx;
                self.seen = log.id;
                Some(Step::Send(log.sse))
            }
            Err(RecvError::Closed) => Some(Step::End(gone(html, "This room has closed.", None))),
        }
    }

    /// The member left: what was published before (their own leave notice
    /// among it) goes out before the last words.
    fn left(&mut self, html: bool) -> Step {
        while let Ok(frame) = self.sub.rx.try_recv() {
            if let Some(bytes) = self.accept(frame, html) {
                self.backlog.push_back(bytes);
            }
        }
        let rejoin = paths::room(&self.code);
        let words = gone(html, "You left this room.", Some((&rejoin, "Join again.")));
        match self.backlog.pop_front() {
            Some(bytes) => {
                self.last_words = Some(words);
                Step::Send(bytes)
            }
            None => Step::End(words),
        }
    }
}

/// What woke a waiting stream.
enum Woke {
    Got(Result<Frame, RecvError>),
    Ended(Ending),
    Beat,
}

/// Why a stream ends without its browser leaving.
enum Ending {
    Left,
    Stopping,
}

fn gone(html: bool, why: &str, link: Option<(&str, &str)>) -> Bytes {
    if !html {
        return final_words(why, link);
    }
    log_notice(why)
}

/// The frames of a live stream, as a body.
fn stream_of(
    live: Live,
    html: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    futures_util::stream::unfold(Some(live), move |live| async move {
        let mut live = live?;
        match live.next(html).await {
            Step::Send(bytes) => Some((Ok(bytes), Some(live))),
            Step::End(bytes) => Some((Ok(bytes), None)),
        }
    })
}

fn events(
    app: AppState,
    code: RoomCode,
    sub: Subscription,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    stream_of(Live::new(&app, code, sub, connected(), false), false)
}

/// `GET /r/{code}/log`: the log as a document that never ends, for the
/// `<iframe>` that shows it without JavaScript. New items arrive inside the
/// open list, so the page around the form never reloads.
pub async fn get_log_document(
    State(app): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, AppError> {
    let knock = Knock {
        client,
        member: session.member.as_ref().map(|member| member.id),
    };
    let code = door::pass(&app, knock, RoomCode::from_path(&code), Access::Member).await?;
    // Nobody without a session passes the door as a member.
    let me = session.member.ok_or(AppError::NotFound)?;
    let place = address_place(&app, client)
        .await
        .map_err(|()| Refused::busy(TOO_MANY_FROM_ADDRESS))?;
    // Gone since the door: the same answer as any miss.
    let missed = |why: ChatError| match why {
        ChatError::NotMember | ChatError::NoSuchRoom(_) => AppError::NotFound,
        why => AppError::from(why),
    };
    let snapshot = app.chat.enter(&code, &me).await.map_err(missed)?;
    let sub = app
        .chat
        .subscribe(&code, me.id, Some(snapshot.last))
        .await
        .map_err(missed)?;
    let head = Bytes::from(log_document_head(&snapshot, &me));
    let live = Live::new(&app, code, sub, head, true);
    Ok(framed_document(Body::from_stream(holding(
        place,
        stream_of(live, true),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Member, MemberId, MessageText, Name, Seed};
    use crate::config::Config;
    use clap::Parser;

    fn live_member(name: &str) -> (RoomCode, Member) {
        let room = RoomCode::parse_slug("general").expect("slug");
        let member = Member {
            id: MemberId::random(),
            name: Name::parse(name, 32).expect("name"),
            seed: Seed::random(),
        };
        (room, member)
    }

    async fn open_live(app: &AppState, room: &RoomCode, who: &Member) -> Live {
        let snapshot = app.chat.enter(room, who).await.expect("enter");
        let sub = app
            .chat
            .subscribe(room, who.id, Some(snapshot.last))
            .await
            .expect("subscribe");
        let mut live = Live::new(app, room.clone(), sub, connected(), false);
        while !live.backlog.is_empty() {
            live.next(false).await;
        }
        live
    }

    async fn say(app: &AppState, room: &RoomCode, who: &Member, text: &str) {
        let text = MessageText::parse(text, 2000).expect("text");
        app.chat.post(room, who.id, text).await.expect("post");
    }

    /// Frames already waiting go out at once; once the member has left, what
    /// was published before goes out, then the last words, and nothing after.
    #[tokio::test]
    async fn a_member_who_left_gets_what_was_waiting_then_last_words() {
        let config = Config::parse_from(["livechat", "--rate-messages", "1000"]);
        let (app, _trigger) = AppState::new(config).expect("config");
        let (room, ann) = live_member("Ann");
        let (_, bob) = live_member("Bob");
        let mut live = open_live(&app, &room, &ann).await;
        app.chat.enter(&room, &bob).await.expect("enter");
        say(&app, &room, &bob, "one").await;
        say(&app, &room, &bob, "two").await;
        app.chat.leave(&room, ann.id).await.expect("leave");
        let mut sent = String::new();
        loop {
            match live.next(false).await {
                Step::Send(bytes) => sent.push_str(&String::from_utf8_lossy(&bytes)),
                Step::End(bytes) => {
                    sent.push_str(&String::from_utf8_lossy(&bytes));
                    break;
                }
            }
        }
        let one = sent.find(">one<").expect("one");
        let two = sent.find(">two<").expect("two");
        let words = sent.find("You left this room.").expect("last words");
        assert!(one < two && two < words, "{sent}");
    }

    /// A stream waiting with nothing to send is woken when its member leaves.
    #[tokio::test]
    async fn a_waiting_stream_hears_its_member_leave() {
        let config = Config::parse_from(["livechat"]);
        let (app, _trigger) = AppState::new(config).expect("config");
        let (room, ann) = live_member("Ann");
        let mut live = open_live(&app, &room, &ann).await;
        let waiting = tokio::spawn(async move { live.next(false).await });
        tokio::task::yield_now().await;
        app.chat.leave(&room, ann.id).await.expect("leave");
        // Her own leave notice, or the last words if that went first.
        let (Step::Send(bytes) | Step::End(bytes)) = waiting.await.expect("the stream task");
        let sent = String::from_utf8_lossy(&bytes);
        assert!(
            sent.contains("<bdi>Ann</bdi> left") || sent.contains("You left"),
            "{sent}"
        );
    }

    /// A stopping server ends a stream even while its room keeps sending.
    #[tokio::test]
    async fn a_stream_ends_on_shutdown_even_with_frames_waiting() {
        let config = Config::parse_from(["livechat", "--rate-messages", "1000"]);
        let (app, trigger) = AppState::new(config).expect("config");
        let (room, ann) = live_member("Ann");
        let mut live = open_live(&app, &room, &ann).await;
        for n in 0..10 {
            say(&app, &room, &ann, &format!("m{n}")).await;
        }
        trigger.stop();
        let Step::End(bytes) = live.next(false).await else {
            panic!("a stopping server sends no more frames")
        };
        assert!(String::from_utf8_lossy(&bytes).contains("restarting"));
    }

    /// A reader that stopped reading falls behind the room's channel; when it
    /// reads again it gets the whole log once, never the room held up.
    #[tokio::test]
    async fn a_slow_reader_is_resynced_not_waited_for() {
        let config = Config::parse_from(["livechat", "--history", "16", "--rate-messages", "1000"]);
        let (app, _trigger) = AppState::new(config).expect("config");
        let room = RoomCode::parse_slug("general").expect("slug");
        let ann = Member {
            id: MemberId::random(),
            name: Name::parse("Ann", 32).expect("name"),
            seed: Seed::random(),
        };
        let snapshot = app.chat.enter(&room, &ann).await.expect("enter");
        let sub = app
            .chat
            .subscribe(&room, ann.id, Some(snapshot.last))
            .await
            .expect("subscribe");
        let mut live = Live::new(&app, room.clone(), sub, connected(), false);
        while !live.backlog.is_empty() {
            live.next(false).await;
        }
        for n in 0..100 {
            let text = MessageText::parse(&format!("m{n}"), 2000).expect("text");
            app.chat
                .post(&room, ann.id, text)
                .await
                .expect("posting never waits for readers");
        }
        let Step::Send(bytes) = live.next(false).await else {
            panic!("the stream goes on")
        };
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("innerMorph") && text.contains(">m99<") && !text.contains(">m50<"),
            "{text}"
        );
        app.chat
            .post(
                &room,
                ann.id,
                MessageText::parse("after", 2000).expect("text"),
            )
            .await
            .expect("post");
        loop {
            let Step::Send(bytes) = live.next(false).await else {
                panic!("the stream goes on")
            };
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(">m99<"), "nothing is sent twice: {text}");
            if text.contains(">after<") {
                break;
            }
        }
    }
}
