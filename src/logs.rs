//! What the logs may say about rooms and requests. A private room's code is
//! its only secret, so no log line holds one: a room is named by its tag, a
//! few hex digits of a keyed hash of its code (HMAC-SHA-256), which tells
//! rooms apart in the log and cannot be turned back into the code without
//! the key. The key comes from `--secret` when given, so servers sharing
//! Redis tag a room alike; else it is random at start. A request is named by
//! its route pattern (`/r/{code}/events`), never its path.

use std::fmt;
use std::sync::OnceLock;

use axum::extract::MatchedPath;
use axum::http::Request;
use hmac::{Hmac, Mac};
use sha2::Sha256;

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Keys the room tags with `secret` (or a random key without one); the first
/// call in a process wins, so every line of one process agrees.
pub fn init(secret: Option<&str>) {
    KEY.get_or_init(|| match secret {
        Some(secret) => {
            let mut mac = hmac_with(secret.as_bytes());
            mac.update(b"livechat room tags in logs");
            mac.finalize().into_bytes().into()
        }
        None => rand::random(),
    });
}

fn hmac_with(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

/// A room as a log line names it, by its code: `room = %RoomTag(code.as_str())`.
/// It takes the code as text, so that logging knows nothing of the chat.
pub struct RoomTag<'a>(pub &'a str);

impl fmt::Display for RoomTag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = KEY.get_or_init(rand::random);
        let mut mac = hmac_with(key);
        mac.update(self.0.as_bytes());
        let digest = mac.finalize().into_bytes();
        for byte in &digest[..5] {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// A session as the console and the logs name it: a few hex digits of a
/// keyed hash of the session's id (kept apart from room tags), which tells
/// sessions apart and cannot be turned back into the session without the
/// key. Servers sharing `--secret` label a session alike.
pub struct SessionTag<'a>(pub &'a str);

impl fmt::Display for SessionTag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = KEY.get_or_init(rand::random);
        let mut mac = hmac_with(key);
        mac.update(b"session ");
        mac.update(self.0.as_bytes());
        let digest = mac.finalize().into_bytes();
        for byte in &digest[..5] {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// The route a request matched (`/r/{code}/events`), or `-` for none: what
/// logs say instead of the path, which holds room codes.
pub fn route<B>(req: &Request<B>) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str)
}

/// The span of every request (`TraceLayer`): method, matched route and
/// version; not the URI, which holds room codes.
pub fn request_span<B>(req: &Request<B>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        route = route(req),
        version = ?req.version(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_tag_tells_rooms_apart_and_holds_no_code() {
        let (code, other) = ("hobby", "games");
        let tag = RoomTag(code).to_string();
        assert_eq!(tag.len(), 10);
        assert!(tag.bytes().all(|b| b.is_ascii_hexdigit()), "{tag}");
        assert!(!tag.contains("hobby"), "{tag}");
        assert_eq!(
            tag,
            RoomTag(code).to_string(),
            "the same room, the same tag"
        );
        assert_ne!(tag, RoomTag(other).to_string());
    }

    #[test]
    fn a_session_tag_holds_no_session_and_is_no_room_tag() {
        let session = "0f8e2d6c9b1a4e3f8a7b6c5d4e3f2a1b";
        let tag = SessionTag(session).to_string();
        assert_eq!(tag.len(), 10);
        assert!(!session.contains(&tag), "{tag}");
        assert_eq!(tag, SessionTag(session).to_string());
        assert_ne!(
            tag,
            RoomTag(session).to_string(),
            "kept apart from room tags"
        );
    }
}
