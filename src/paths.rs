//! Every URL of the site, built in one place.

use crate::chat::{EventId, RoomCode, Seed};

/// The home page.
pub const HOME: &str = "/";
/// Joins a room by its code (the home form).
pub const JOIN: &str = "/join";
/// Makes a private room (the home form).
pub const ROOMS: &str = "/rooms";
/// Changes the name everywhere a member is.
pub const NAME: &str = "/name";

/// The random chat's waiting page, and what queues for it.
pub const PAIR: &str = "/pair";
/// The waiting page's stream.
pub const PAIR_EVENTS: &str = "/pair/events";
/// The document that waits in an `<iframe>` without JavaScript.
pub const PAIR_WAIT: &str = "/pair/wait";
/// Leaves the queue.
pub const PAIR_CANCEL: &str = "/pair/cancel";
/// The moderator console (only with `--admin-token`), and its forms.
pub const ADMIN: &str = "/admin";
pub const ADMIN_SIGN_IN: &str = "/admin/sign-in";
pub const ADMIN_SIGN_OUT: &str = "/admin/sign-out";
pub const ADMIN_DELETE: &str = "/admin/delete";
pub const ADMIN_MUTE: &str = "/admin/mute";
pub const ADMIN_BAN: &str = "/admin/ban";
pub const ADMIN_CLOSE: &str = "/admin/close";
pub const ADMIN_SLOW_MODE: &str = "/admin/slow-mode";
pub const ADMIN_READ_ONLY: &str = "/admin/read-only";
/// Answers whether the server is up.
pub const HEALTHZ: &str = "/healthz";
/// The settings page, and where its form posts.
pub const SETTINGS: &str = "/settings";

/// The settings page, to come back to `back` (a page of this site) after.
pub fn settings(back: Option<&str>) -> String {
    match back.and_then(same_site_path) {
        Some(back) if back != SETTINGS => format!("{SETTINGS}?back={back}"),
        _ => SETTINGS.to_owned(),
    }
}

/// `path` when it is a plain path of this site ("/r/K7QX"): one leading
/// slash, then letters, digits and `/-_.~` only, so it can lead nowhere
/// else ("//evil.example", "/\\evil", "https:"), carry no query, and be
/// put in a URL as it is.
pub fn same_site_path(path: &str) -> Option<&str> {
    let plain = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 200
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b));
    plain.then_some(path)
}

pub fn room(code: &RoomCode) -> String {
    format!("/r/{code}")
}

/// Where the room's send form posts.
pub fn messages(code: &RoomCode) -> String {
    format!("/r/{code}/messages")
}

/// The room's stream, resuming after `after` (the last event the page shows).
pub fn events(code: &RoomCode, after: Option<EventId>) -> String {
    match after {
        Some(after) => format!("/r/{code}/events?after={after}"),
        None => format!("/r/{code}/events"),
    }
}

/// The log document that streams by itself, for browsers without JavaScript.
pub fn log_document(code: &RoomCode) -> String {
    format!("/r/{code}/log")
}

/// The log document for a reader who had seen up to `seen` before the page
/// that frames it, opening at its "New since you were last here" divider
/// when it has one.
pub fn log_document_since(code: &RoomCode, seen: EventId, unread: bool) -> String {
    let at = if unread { "#unread" } else { "" };
    format!("/r/{code}/log?since={seen}{at}")
}

/// Where a random-chat page says that its person is typing.
pub fn typing(code: &RoomCode) -> String {
    format!("/r/{code}/typing")
}

/// The Online list as a document that streams by itself, for browsers
/// without JavaScript.
pub fn online_document(code: &RoomCode) -> String {
    format!("/r/{code}/online")
}

/// The room's plain tab title, which the page asks for to clear "New activity".
pub fn title(code: &RoomCode) -> String {
    format!("/r/{code}/title")
}

/// Where a message's **Report** form posts (its page's **Report**).
pub fn report(code: &RoomCode, id: EventId) -> String {
    format!("/r/{code}/m/{id}/report")
}

/// The room, saying that the person's report was sent.
pub fn room_reported(code: &RoomCode) -> String {
    format!("/r/{code}?reported")
}

/// The owner removes the member whose avatar is `seed`.
pub fn remove(code: &RoomCode, seed: &Seed) -> String {
    format!("/r/{code}/p/{}/remove", seed.as_str())
}

/// The owner locks or unlocks the room.
pub fn lock(code: &RoomCode) -> String {
    format!("/r/{code}/lock")
}

pub fn leave(code: &RoomCode) -> String {
    format!("/r/{code}/leave")
}

/// A message's own page: the message, its author and what may be done with it.
pub fn message(code: &RoomCode, id: EventId) -> String {
    format!("/r/{code}/m/{id}")
}

/// Deletes a message (its page's **Delete**).
pub fn delete_message(code: &RoomCode, id: EventId) -> String {
    format!("/r/{code}/m/{id}/delete")
}

/// A person's page in a room.
pub fn person(code: &RoomCode, seed: &Seed) -> String {
    format!("/r/{code}/p/{}", seed.as_str())
}

/// Where a person's page posts to ignore them, or to stop.
pub fn ignore(code: &RoomCode, seed: &Seed) -> String {
    format!("/r/{code}/p/{}/ignore", seed.as_str())
}

/// The room, at one of its log's items.
pub fn room_at(code: &RoomCode, id: EventId) -> String {
    format!("/r/{code}#e{}-{}", id.epoch, id.seq)
}

pub fn avatar(seed: &Seed) -> String {
    format!("/avatars/{}.svg", seed.as_str())
}

/// The stylesheet that marks one member's own messages.
pub fn own_css(seed: &Seed) -> String {
    format!("/me/{}.css", seed.as_str())
}

/// Home with a code filled in, for a shared link opened without a name.
pub fn home_with_code(code: &RoomCode) -> String {
    format!("/?code={code}")
}
