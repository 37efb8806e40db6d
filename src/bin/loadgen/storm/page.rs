//! One open room page in the storm, as a browser with htmx 4 holds it: its
//! stream, read until the scenario ends; when the stream breaks, hx-sse's
//! reconnect (the same URL, `Last-Event-ID`, jittered backoff, `retry:`);
//! when the server answers with last words instead (the member is no longer
//! in the room: a memory store that restarted), the person reloads the page,
//! which enters the room again, and the page opens a fresh stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::watch;
use tokio::time::Instant;

use super::model::{Backoff, Ledger, Rng, Via};
use crate::client::{Conn, Failure, Sources, Target};
use crate::people::{self, Member};
use crate::sse::{End, Events, is_resync, now_micros, tokens};

/// The servers, and which of them still answer (a page behind a proxy is
/// sent to one that does).
pub struct Route {
    pub targets: Vec<Target>,
    pub alive: Vec<AtomicBool>,
}

impl Route {
    pub fn new(targets: Vec<Target>) -> Self {
        let alive = targets.iter().map(|_| AtomicBool::new(true)).collect();
        Self { targets, alive }
    }

    /// `home`, or the next server that answers.
    pub fn pick(&self, home: usize) -> (usize, &Target) {
        let n = self.targets.len();
        (0..n)
            .map(|k| (home + k) % n)
            .find(|&i| self.alive[i].load(Ordering::Relaxed))
            .map_or((home % n, &self.targets[home % n]), |i| {
                (i, &self.targets[i])
            })
    }
}

/// Who a page is and where it reads.
pub struct PageOf {
    pub room: usize,
    pub code: String,
    pub who: Member,
    /// The server it was opened on.
    pub home: usize,
    pub run: u32,
}

/// What a page went through.
#[derive(Default)]
pub struct Seen {
    pub ledger: Ledger,
    /// When its stream broke first.
    pub dropped: Option<Instant>,
    /// When it was live again after that: a stream answered and its first
    /// events arrived, and they were not last words.
    pub back: Option<Instant>,
    /// When it first tried to come back.
    pub first_try: Option<Instant>,
    /// Stream requests made after the drop.
    pub tries: u32,
    /// Reloads of the page (the server no longer knew the member here).
    pub reloads: u32,
    pub resyncs: u64,
    pub first_error: Option<String>,
}

/// The open stream of a page and what hx-sse remembers of it.
struct Open {
    events: Events,
    /// The stream URL as the page named it (kept for reconnects).
    path: String,
    last_id: Option<String>,
    since: u64,
    live: bool,
}

/// Joins a room and opens its page and stream (the set-up).
pub async fn open(
    route: &Route,
    sources: &Sources,
    page: &PageOf,
    name: &str,
) -> Result<(Member, Events, String), Failure> {
    let (_, target) = route.pick(page.home);
    let mut conn = Conn::open(target, sources.pick()).await?;
    let who = people::join(&mut conn, &page.code, name).await?;
    let (path, _) = people::page_and_body(&mut conn, &page.code, &who).await?;
    let events = stream(conn, &path, &who, None).await?;
    Ok((who, events, path))
}

async fn stream(
    mut conn: Conn,
    path: &str,
    who: &Member,
    last_id: Option<&str>,
) -> Result<Events, Failure> {
    let extra: Vec<(&str, &str)> = last_id
        .map(|id| ("Last-Event-ID", id))
        .into_iter()
        .collect();
    let head = conn
        .send_with("GET", path, Some(&who.cookie), None, &extra)
        .await?;
    if head.status != 200 {
        return Err(Failure::Http(format!(
            "GET {path} answered {}",
            head.status
        )));
    }
    Ok(Events::new(conn, head.chunked))
}

/// Holds the page until `stop`, reconnecting as htmx does.
pub async fn hold(
    route: Arc<Route>,
    sources: Arc<Sources>,
    page: PageOf,
    events: Events,
    path: String,
    mut stop: watch::Receiver<bool>,
    back: Arc<AtomicUsize>,
) -> Seen {
    let mut seen = Seen::default();
    let mut backoff = Backoff::PAGE;
    let mut rng = Rng::new(now_micros() ^ (page.room as u64) << 20 ^ seen_seed(&page));
    let mut open = Open {
        events,
        path,
        last_id: None,
        since: now_micros(),
        live: true,
    };
    loop {
        let end = read(&mut open, &page, &mut seen, &mut backoff, &mut stop, &back).await;
        if *stop.borrow() {
            return seen;
        }
        seen.dropped.get_or_insert_with(Instant::now);
        let reload = end == Some(End::Closed);
        let reopened = if reload {
            seen.reloads += 1;
            reload_page(&route, &sources, &page, &mut seen, &mut stop).await
        } else {
            reconnect(
                &route, &sources, &page, &open, &mut seen, &backoff, &mut rng, &mut stop,
            )
            .await
        };
        match reopened {
            Some((events, path)) => {
                open.events = events;
                open.path = path;
                open.since = now_micros();
                open.live = false;
                if reload {
                    open.last_id = None;
                }
            }
            None => return seen,
        }
    }
}

fn seen_seed(page: &PageOf) -> u64 {
    page.who
        .cookie
        .bytes()
        .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b))
}

/// Reads the stream until it ends (`None` when told to stop or on a break).
async fn read(
    open: &mut Open,
    page: &PageOf,
    seen: &mut Seen,
    backoff: &mut Backoff,
    stop: &mut watch::Receiver<bool>,
    back: &AtomicUsize,
) -> Option<End> {
    loop {
        if *stop.borrow() {
            return None;
        }
        let mut any = false;
        let mut each = |event: &[u8]| {
            any = true;
            for line in event.split(|b| *b == b'\n') {
                if let Some(id) = line.strip_prefix(b"id: ") {
                    open.last_id = std::str::from_utf8(id).ok().map(str::to_owned);
                } else if let Some(ms) = line.strip_prefix(b"retry: ")
                    && let Some(ms) = std::str::from_utf8(ms)
                        .ok()
                        .and_then(|s| s.trim().parse().ok())
                {
                    backoff.retry(ms);
                }
            }
            let via = if is_resync(event) {
                seen.resyncs += 1;
                Via::Whole
            } else {
                Via::Live
            };
            let now = now_micros();
            let mut oldest = None;
            tokens(event, |t| {
                if t.run == page.run && t.room == page.room {
                    seen.ledger.record(t, via, open.since, now);
                    oldest = Some(oldest.map_or(t.seq, |o: u32| o.min(t.seq)));
                }
            });
            if via == Via::Whole {
                seen.ledger.whole_from(oldest);
            }
        };
        // Live again: the stream answered and its first read was not last
        // words (which come whole, with their close event, in one read).
        tokio::select! {
            got = open.events.next_batch(&mut each) => match got {
                Ok(None) => {
                    if any && !open.live {
                        open.live = true;
                        if seen.back.is_none() {
                            seen.back = Some(Instant::now());
                            back.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Ok(Some(end)) => return Some(end),
                Err(_) => return Some(End::Eof),
            },
            _ = stop.changed() => return None,
        }
    }
}

/// hx-sse's reconnect: waits, then asks for the same URL with
/// `Last-Event-ID`, until a stream is answered.
#[allow(clippy::too_many_arguments)]
async fn reconnect(
    route: &Route,
    sources: &Sources,
    page: &PageOf,
    open: &Open,
    seen: &mut Seen,
    backoff: &Backoff,
    rng: &mut Rng,
    stop: &mut watch::Receiver<bool>,
) -> Option<(Events, String)> {
    let mut attempt = 1;
    loop {
        let wait = backoff.delay(attempt, rng.unit());
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return None,
        }
        seen.tries += 1;
        seen.first_try.get_or_insert_with(Instant::now);
        let (_, target) = route.pick(page.home);
        let tried = match Conn::open(target, sources.pick()).await {
            Ok(conn) => stream(conn, &open.path, &page.who, open.last_id.as_deref()).await,
            Err(e) => Err(e),
        };
        match tried {
            Ok(events) => return Some((events, open.path.clone())),
            Err(why) => {
                seen.first_error.get_or_insert_with(|| why.to_string());
                attempt += 1;
            }
        }
    }
}

/// The person reloads the page (which enters the room again) and the page
/// opens its stream; tried again a second later while the server is away.
async fn reload_page(
    route: &Route,
    sources: &Sources,
    page: &PageOf,
    seen: &mut Seen,
    stop: &mut watch::Receiver<bool>,
) -> Option<(Events, String)> {
    loop {
        if *stop.borrow() {
            return None;
        }
        seen.tries += 1;
        let (_, target) = route.pick(page.home);
        let tried = async {
            let mut conn = Conn::open(target, sources.pick()).await?;
            let (path, body) = people::page_and_body(&mut conn, &page.code, &page.who).await?;
            let now = now_micros();
            let mut oldest = None;
            tokens(&body, |t| {
                if t.run == page.run && t.room == page.room {
                    seen.ledger.record(t, Via::Whole, now, now);
                    oldest = Some(oldest.map_or(t.seq, |o: u32| o.min(t.seq)));
                }
            });
            seen.ledger.whole_from(oldest);
            let events = stream(conn, &path, &page.who, None).await?;
            Ok::<_, Failure>((events, path))
        }
        .await;
        match tried {
            Ok(done) => return Some(done),
            Err(why) => {
                seen.first_error.get_or_insert_with(|| why.to_string());
                tokio::select! {
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = stop.changed() => return None,
                }
            }
        }
    }
}
