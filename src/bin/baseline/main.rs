//! baseline: a bare SSE fan-out server that stands for the limit of the
//! machine in `loadgen bench`. The same URLs and form fields as livechat, one
//! broadcast channel of pre-rendered bytes per room, and nothing else: no
//! presence, history, limits, signing, views or checks.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use clap::Parser;
use serde::Deserialize;
use tokio::sync::broadcast;

/// A bare SSE fan-out server with livechat's URLs, for comparison.
#[derive(Parser, Debug)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:3001")]
    bind: SocketAddr,
}

/// What a stream may lag behind (livechat's default history length).
const LAG: usize = 200;

struct Room {
    tx: broadcast::Sender<Bytes>,
    /// Ids are `{epoch}-{seq}` as livechat's are, the epoch in milliseconds.
    epoch: u64,
    seq: AtomicU64,
    /// The tab title each log item carries, as livechat's do.
    title: String,
}

impl Room {
    /// Sends the item `render` makes from its id, with the tab's title.
    fn publish(&self, render: impl FnOnce(&str) -> String) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("{}-{seq}", self.epoch);
        let _ = self
            .tx
            .send(Bytes::from(frame(&id, &render(&id), &self.title)));
    }

    fn last(&self) -> String {
        format!("{}-{}", self.epoch, self.seq.load(Ordering::Relaxed))
    }
}

/// One `text/event-stream` message as livechat's log frames are: the item,
/// then the tab title's unread mark, a `data:` line for each of its lines
/// (a message may hold line breaks).
fn frame(id: &str, html: &str, title: &str) -> String {
    let html = format!("{html}<title>New activity · {title} · livechat</title>");
    let mut out = format!("id: {id}\n");
    for line in html.split('\n') {
        out.push_str("data: ");
        out.push_str(line.trim_end_matches('\r'));
        out.push('\n');
    }
    out.push('\n');
    out
}

#[derive(Clone, Default)]
struct Rooms {
    rooms: Arc<Mutex<HashMap<String, Arc<Room>>>>,
    next: Arc<AtomicU64>,
}

impl Rooms {
    fn get(&self, code: &str) -> Option<Arc<Room>> {
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.get(code).cloned()
    }

    fn create(&self) -> (String, Arc<Room>) {
        let code = format!("b{}", self.next.fetch_add(1, Ordering::Relaxed));
        let room = Arc::new(Room {
            tx: broadcast::channel(LAG).0,
            epoch: time::OffsetDateTime::now_utc()
                .unix_timestamp()
                .unsigned_abs()
                * 1000,
            seq: AtomicU64::new(0),
            title: format!("Room {code}"),
        });
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.insert(code.clone(), room.clone());
        (code, room)
    }
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
struct TextForm {
    text: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn name_of(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split(';')
        .find_map(|c| c.trim().strip_prefix("m="))
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
}

/// A stable avatar seed for a name (livechat keeps one per member).
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn see_other(to: &str, name: Option<&str>) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(to) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, to);
    }
    if let Some(name) = name {
        let value = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
        if let Ok(cookie) = HeaderValue::from_str(&format!("m={value}; Path=/; HttpOnly")) {
            res.headers_mut().insert(header::SET_COOKIE, cookie);
        }
    }
    res
}

/// Streams above which joins and leaves are not announced: telling everyone
/// about everyone costs N² (livechat batches them instead).
const QUIET_ABOVE: usize = 50;

fn notice(room: &Room, who: &str, what: &str) {
    if room.tx.receiver_count() > QUIET_ABOVE {
        return;
    }
    let at = time::OffsetDateTime::now_utc();
    room.publish(|id| notice_item(id, who, what, at));
}

/// "Ann joined 07:46" as livechat's log item shows it.
fn notice_item(id: &str, who: &str, what: &str, at: time::OffsetDateTime) -> String {
    let (who, at) = (escape(who), when(at));
    format!("<li class=\"notice presence\" id=\"e{id}\"><p><bdi>{who}</bdi> {what} {at}</p></li>")
}

/// A moment as livechat shows it in the log: the short clock time, with the
/// full date in `datetime` and `title`.
fn when(now: time::OffsetDateTime) -> String {
    let now = now.to_offset(time::UtcOffset::UTC);
    let machine = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    format!(
        "<time datetime=\"{machine}\" title=\"{} {} {} {}, {:02}:{:02} UTC\">{:02}:{:02}</time>",
        now.weekday(),
        now.day(),
        now.month(),
        now.year(),
        now.hour(),
        now.minute(),
        now.hour(),
        now.minute(),
    )
}

/// A message as livechat's log item shows it (`views::log::log_item`):
/// who, what, then a short time, so that both servers move as many bytes.
/// `name` and `text` are as typed; `seed` is the avatar's; the time links to
/// the message's page in the room `code`, as livechat's does.
fn message_item(
    code: &str,
    id: &str,
    seed: &str,
    name: &str,
    text: &str,
    at: time::OffsetDateTime,
) -> String {
    let (name, text, at) = (escape(name), escape(text), when(at));
    format!(
        "<li class=\"msg\" id=\"e{id}\" data-author=\"{seed}\"><img class=\"avatar\" src=\"/avatars/{seed}.svg\" alt=\"\" width=\"32\" height=\"32\"><div class=\"msg-body\"><p class=\"meta\"><bdi class=\"author\">{name}</bdi><span class=\"you\"></span></p><p class=\"text\" dir=\"auto\">{text}</p><a class=\"when\" href=\"/r/{code}/m/{id}\" target=\"_top\">{at}</a></div></li>",
    )
}

async fn post_rooms(State(rooms): State<Rooms>, Form(form): Form<NameForm>) -> Response {
    let (code, room) = rooms.create();
    notice(&room, &form.name, "joined");
    see_other(&format!("/r/{code}"), Some(&form.name))
}

async fn post_join(State(rooms): State<Rooms>, Form(form): Form<NameForm>) -> Response {
    let Some(room) = rooms.get(form.code.trim()) else {
        return (StatusCode::NOT_FOUND, "no such room").into_response();
    };
    notice(&room, &form.name, "joined");
    see_other(&format!("/r/{}", form.code.trim()), Some(&form.name))
}

/// The room page: only what a browser needs to open the stream.
async fn get_room(State(rooms): State<Rooms>, Path(code): Path<String>) -> Response {
    let Some(room) = rooms.get(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let last = room.last();
    let code = escape(&code);
    let page = format!(
        "<!doctype html><title>{code}</title><ul hx-sse:connect=\"/r/{code}/events?after={last}\"></ul>"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn get_events(
    State(rooms): State<Rooms>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    if name_of(&headers).is_none() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(room) = rooms.get(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let rx = room.tx.subscribe();
    drop(room);
    let first = Some(Bytes::from_static(b": connected\n\n"));
    let body = futures_util::stream::unfold((first, rx), |(first, mut rx)| async move {
        if let Some(first) = first {
            return Some((Ok::<_, std::convert::Infallible>(first), (None, rx)));
        }
        loop {
            match rx.recv().await {
                Ok(bytes) => return Some((Ok(bytes), (None, rx))),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let mut res = Body::from_stream(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    res
}

async fn post_message(
    State(rooms): State<Rooms>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TextForm>,
) -> Response {
    let Some(name) = name_of(&headers) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let Some(room) = rooms.get(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let seed = format!("{:016x}", seed_of(&name));
    let at = time::OffsetDateTime::now_utc();
    room.publish(|id| message_item(&code, id, &seed, &name, &form.text, at));
    see_other(&format!("/r/{code}"), None)
}

async fn post_leave(
    State(rooms): State<Rooms>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let (Some(name), Some(room)) = (name_of(&headers), rooms.get(&code)) {
        notice(&room, &name, "left");
    }
    see_other("/", None)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let app = Router::new()
        .route("/rooms", post(post_rooms))
        .route("/join", post(post_join))
        .route("/r/{code}", get(get_room))
        .route("/r/{code}/events", get(get_events))
        .route("/r/{code}/messages", post(post_message))
        .route("/r/{code}/leave", post(post_leave))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(Rooms::default());
    let listener = match tokio::net::TcpListener::bind(args.bind).await {
        Ok(listener) => listener,
        Err(why) => {
            eprintln!("baseline: cannot listen on {}: {why}", args.bind);
            return std::process::ExitCode::FAILURE;
        }
    };
    // Ctrl-C or SIGTERM ends it at once: streams never end by themselves.
    let stop = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            Some(()) = async { term.as_mut()?.recv().await } => {}
        }
    };
    tokio::select! {
        served = axum::serve(listener, app) => match served {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(why) => {
                eprintln!("baseline: {why}");
                std::process::ExitCode::FAILURE
            }
        },
        () = stop => std::process::ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests;
