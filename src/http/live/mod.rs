//! One open room stream: what it has still to send (the backlog), then
//! every frame the room publishes, keep-alives, and its last words when the
//! member leaves, the room closes or the server stops. The same for the
//! `text/event-stream` and (`html`) the no-JavaScript log document; it only
//! copies frames rendered once for everyone.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::FutureExt;
use futures_util::future::Fuse;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at};

use crate::chat::{Chat, ChatError, EventId, Frame, FrameKind, RoomCode, Seed, Subscription};
use crate::error::Refused;
use crate::look::{self, Look};
use crate::paths;
use crate::shutdown::Shutdown;
use crate::views::stream::{
    KEEP_ALIVE, connected, final_words, frame_notice, log_notice, log_refresh, mentioned,
    online_refresh, restarting, typing_cleared,
};
use crate::{AppState, Counters};

/// How many Online lists the no-JavaScript Online document shows before it
/// ends and loads itself anew (showing the list as it stands): each list is
/// the whole list again, so a document left open in a busy room would
/// otherwise grow for ever, in the browser and on the wire.
pub(super) const ONLINE_LISTS: usize = 30;

/// What a stream carries: `text/event-stream` messages for htmx, or, for
/// browsers without JavaScript, a document that never ends: the log's items,
/// or the Online list each time it changes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Doc {
    Events,
    /// The log document, opened for a reader who had seen up to this (as
    /// the page that frames it says), if it says.
    Log(Option<EventId>),
    Online,
}

impl Doc {
    /// Whether this is a plain HTML document (without JavaScript).
    fn is_html(self) -> bool {
        self != Self::Events
    }

    /// The bytes of `frame` this stream sends to a reader of `look`, if it
    /// sends any: only what it sends is rendered for the look.
    fn bytes(self, frame: Frame, look: &Look) -> Option<Bytes> {
        let bytes = match self {
            Self::Events => frame.for_look(look).sse,
            Self::Log(_) => match frame.kind {
                FrameKind::Log => divider_then_item(frame.for_look(look)),
                // A document without script cannot swap an item it has
                // shown: it ends, reloading itself (see `ends`).
                FrameKind::Deletion => log_refresh(),
                _ => return None,
            },
            Self::Online => (frame.kind == FrameKind::Online).then(|| frame.for_look(look).html)?,
        };
        (!bytes.is_empty()).then_some(bytes)
    }

    /// Whether sending `frame` ends this stream: a deletion ends the
    /// no-JavaScript log document, which then loads itself anew.
    fn ends(self, frame: &Frame) -> bool {
        matches!(self, Self::Log(_)) && frame.kind == FrameKind::Deletion
    }

    /// A line said in the document, or `None` for the event stream.
    fn notice(self, text: &str) -> Option<Bytes> {
        match self {
            Self::Events => None,
            Self::Log(_) => Some(log_notice(text)),
            Self::Online => Some(frame_notice(text, None)),
        }
    }
}

/// A log item for the document: its day divider (when it opens a day), then
/// the item, both as rendered once for everyone.
fn divider_then_item(frame: Frame) -> Bytes {
    if frame.divider.is_empty() {
        return frame.html;
    }
    let mut out = BytesMut::with_capacity(frame.divider.len() + frame.html.len());
    out.put_slice(&frame.divider);
    out.put_slice(&frame.html);
    out.freeze()
}

/// What a stream does next.
enum Step {
    Send(Bytes),
    /// Send these last bytes, then end.
    End(Bytes),
}

/// One open stream: the subscription, what is still to send of the backlog,
/// the last event sent, and what else it listens to.
pub(super) struct Live {
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
    /// Online lists sent (the Online document renews itself after `ONLINE_LISTS`).
    lists: usize,
    /// What this reader was shown, noted in the store now and then.
    noting: Noting,
    /// Whose typing line this page shows, until their next item clears it.
    typing: Option<Seed>,
    /// The look of the reader, taken when the stream was opened: frames
    /// go out as rendered for it.
    look: Look,
}

/// Notes in the store the last item a stream showed its reader (what a
/// later page load counts as seen): at most once per `rules::SEEN_EVERY`
/// while items flow (the first at once, the last of a burst when that time
/// is up), and once more when the stream ends. A store write per stream
/// per few seconds at most, never one per item.
struct Noting {
    chat: Chat,
    code: RoomCode,
    member: crate::chat::MemberId,
    /// Only streams that show the log note anything (not the Online document).
    on: bool,
    shown: Option<EventId>,
    noted: Option<EventId>,
    last: Option<Instant>,
    /// When the last item shown is due to be noted.
    due: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Noting {
    /// `id` was shown.
    fn shown(&mut self, id: EventId) {
        if !self.on || self.shown.is_some_and(|shown| shown >= id) {
            return;
        }
        self.shown = Some(id);
        let every = crate::chat::rules::SEEN_EVERY;
        match self.last {
            Some(last) if last.elapsed() < every => {
                if self.due.is_none() {
                    self.due = Some(Box::pin(tokio::time::sleep_until(last + every)));
                }
            }
            _ => self.note(),
        }
    }

    /// Writes what was shown, if it moves what this stream noted.
    fn note(&mut self) {
        self.due = None;
        let Some(shown) = self.shown.filter(|shown| Some(*shown) > self.noted) else {
            return;
        };
        self.noted = Some(shown);
        self.last = Some(Instant::now());
        let (chat, code, member) = (self.chat.clone(), self.code.clone(), self.member);
        // Outside the stream: its reader never waits on the store. Ends
        // with the write.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = chat.saw(&code, member, shown).await;
            });
        }
    }
}

impl Drop for Noting {
    fn drop(&mut self) {
        self.note();
    }
}

impl Live {
    /// Starts with `first`, then what the subscription missed: as `text/event-stream`
    /// messages, or as a document's bare log items or Online list.
    pub(super) fn new(
        app: &AppState,
        code: RoomCode,
        mut sub: Subscription,
        first: Bytes,
        doc: Doc,
    ) -> Self {
        // The backlog ends with the Online list, which carries the room's last id.
        let seen = sub.backlog.last().map_or(EventId::start(0), |f| f.id);
        // What the page showed (or the document's opening noted) is noted
        // already; what the backlog adds is not.
        let adds = sub.backlog.iter().any(|f| f.kind != FrameKind::Online);
        let noting = Noting {
            chat: app.chat.clone(),
            code: code.clone(),
            member: sub.member,
            on: doc != Doc::Online,
            shown: Some(seen),
            noted: (!adds).then_some(seen),
            last: None,
            due: None,
        };
        // Made inside the request: its reader's look, kept for the stream's life.
        let look = look::current();
        let mut missed = std::mem::take(&mut sub.backlog);
        // A document that a deletion ends sends nothing after it.
        let mut last_words = None;
        if let Some(at) = missed.iter().position(|f| doc.ends(f)) {
            last_words = missed.drain(at..).next().and_then(|f| doc.bytes(f, &look));
        }
        let view = sub.view.borrow().clone();
        let missed = missed.into_iter().filter_map(|f| {
            let mentions_me = doc == Doc::Events && view.mentioned(&f);
            let bytes = doc.bytes(f, &look)?;
            Some(match mentions_me {
                // A message that mentioned the reader while they were away.
                true => [bytes, mentioned(&code, &look)].concat().into(),
                false => bytes,
            })
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
            last_words,
            lists: 0,
            noting,
            typing: None,
            look,
        }
    }

    /// The bytes to send for a frame from the room, if any: a log item this
    /// stream has not sent yet, or the Online list.
    fn accept(&mut self, frame: Frame, doc: Doc) -> Option<Step> {
        let numbered = matches!(frame.kind, FrameKind::Log | FrameKind::Deletion);
        if numbered && frame.id <= self.seen {
            return None; // already sent in a whole log
        }
        let item = numbered || frame.kind == FrameKind::Resync;
        if item {
            self.seen = frame.id;
        }
        // Rendered once for everyone; this reader may not be shown it.
        let mentions_me = {
            let view = self.sub.view.borrow();
            if !view.shows(&frame) {
                return None;
            }
            view.mentioned(&frame)
        };
        let mut ends = doc.ends(&frame);
        let online = doc == Doc::Online && frame.kind == FrameKind::Online;
        // The typing line names its typer until their next item (or a
        // notice of nobody's, as a leave) clears it.
        let clears = self.typing.is_some()
            && frame.kind == FrameKind::Log
            && (frame.reach.whose.is_none() || frame.reach.whose == self.typing);
        if frame.kind == FrameKind::Typing {
            self.typing = frame.reach.whose.clone();
        }
        let id = frame.id;
        let mut bytes = doc.bytes(frame, &self.look)?;
        if clears && doc == Doc::Events {
            self.typing = None;
            bytes = [bytes, typing_cleared()].concat().into();
        }
        // The tab title of whom a message mentions says so: the same bytes
        // for every reader of this room and look, sent to them alone.
        if mentions_me && doc == Doc::Events {
            bytes = [bytes, mentioned(&self.code, &self.look)].concat().into();
        }
        if online {
            self.lists += 1;
            if self.lists >= ONLINE_LISTS {
                ends = true;
                bytes = [bytes, online_refresh()].concat().into();
            }
        }
        if item {
            // Counted where sent: the Online document sends no log items.
            self.counters.delivered.fetch_add(1, Ordering::Relaxed);
            self.noting.shown(id);
        }
        Some(if ends {
            Step::End(bytes)
        } else {
            Step::Send(bytes)
        })
    }

    /// Waits for the next thing to send. Every wait also hears shutdown, the
    /// member leaving and the room closing; the browser leaving drops us.
    async fn next(&mut self, doc: Doc) -> Step {
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
                    match self.received(got, doc).await {
                        Some(step) => return step,
                        None => continue,
                    }
                }
            }
            let woke = self.woken().await;
            let got = match woke {
                Woke::Got(got) => got,
                Woke::Ended(Ending::Left) => return self.left(doc).await,
                Woke::Ended(Ending::Stopping) => {
                    return Step::End(
                        doc.notice(&crate::t!("restarting-reload"))
                            .unwrap_or_else(restarting),
                    );
                }
                Woke::Beat => {
                    let beat: &'static [u8] = if doc.is_html() { b"\n" } else { KEEP_ALIVE };
                    return Step::Send(Bytes::from_static(beat));
                }
                Woke::Note => {
                    self.noting.note();
                    continue;
                }
            };
            if let Some(step) = self.received(got, doc).await {
                return step;
            }
        }
    }

    /// Waits for the next frame, polling nothing else. `ended` is polled
    /// once, so that it is registered (with this task's waker, which stays
    /// the same) and wakes the task when its time comes; after that only once
    /// the plain reads say quitting, which they do on every wake. Once
    /// quitting, frames are no longer taken, so a busy room cannot keep a
    /// stream from ending.
    async fn woken(&mut self) -> Woke {
        let (ended, armed, beat) = (&mut self.ended, &mut self.armed, &mut self.beat);
        let due = &mut self.noting.due;
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
            if let Some(due) = due.as_mut()
                && due.as_mut().poll(cx).is_ready()
            {
                return Poll::Ready(Woke::Note);
            }
            Poll::Pending
        })
        .await
    }

    /// What to send for what the room's channel gave; `None` when nothing.
    async fn received(&mut self, got: Result<Frame, RecvError>, doc: Doc) -> Option<Step> {
        match got {
            Ok(frame) => self.accept(frame, doc),
            // The next list is whole: nothing of it was missed.
            Err(RecvError::Lagged(_)) if doc == Doc::Online => None,
            Err(RecvError::Lagged(_)) => {
                if let Some(words) = doc.notice(&crate::t!("stream-missed-reload")) {
                    return Some(Step::End(words));
                }
                let view = self.sub.view.borrow().clone();
                let (log, rx) = self.chat.resync(&self.code, &view).await?;
                self.sub.rx = rx;
                self.seen = log.id;
                Some(Step::Send(log.for_look(&self.look).sse))
            }
            Err(RecvError::Closed) => {
                Some(Step::End(gone(doc, &crate::t!("stream-room-closed"), None)))
            }
        }
    }

    /// The member left, or its owner removed them: what was published
    /// before (their own leave notice among it) goes out before the last
    /// words, which say which.
    async fn left(&mut self, doc: Doc) -> Step {
        while let Ok(frame) = self.sub.rx.try_recv() {
            match self.accept(frame, doc) {
                Some(Step::Send(bytes)) => self.backlog.push_back(bytes),
                // The document reloads itself, and is then told it left.
                Some(Step::End(bytes)) => {
                    self.backlog.push_back(bytes);
                    break;
                }
                None => {}
            }
        }
        let removed = self.chat.removed(&self.code, self.sub.member).await;
        let words = if removed == Ok(true) {
            let why = Refused::from(&ChatError::Removed).sentence();
            gone(doc, &why, Some(("/", &crate::t!("home-link"))))
        } else {
            let rejoin = paths::room(&self.code);
            gone(
                doc,
                &crate::t!("stream-you-left"),
                Some((&rejoin, &crate::t!("join-again"))),
            )
        };
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
    /// What was shown is due to be noted.
    Note,
}

/// Why a stream ends without its browser leaving.
enum Ending {
    Left,
    Stopping,
}

fn gone(doc: Doc, why: &str, link: Option<(&str, &str)>) -> Bytes {
    doc.notice(why).unwrap_or_else(|| final_words(why, link))
}

/// The frames of a live stream, as a body.
pub(super) fn stream_of(
    live: Live,
    doc: Doc,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    // What the stream says of its own (why it ends) is in its reader's
    // language; the frames it copies were rendered before.
    let look = crate::look::current();
    futures_util::stream::unfold(Some(live), move |live| {
        let look = look.clone();
        async move {
            let mut live = live?;
            match crate::look::scope(look, live.next(doc)).await {
                Step::Send(bytes) => Some((Ok(bytes), Some(live))),
                Step::End(bytes) => Some((Ok(bytes), None)),
            }
        }
    })
}

pub(super) fn events(
    app: AppState,
    code: RoomCode,
    sub: Subscription,
) -> impl futures_util::Stream<Item = Result<Bytes, std::convert::Infallible>> {
    stream_of(
        Live::new(&app, code, sub, connected(), Doc::Events),
        Doc::Events,
    )
}

#[cfg(test)]
mod tests;
