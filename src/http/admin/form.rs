//! The console's forms as the actions read them: which report, room, time
//! or message they name, each refused in words when it names none.

use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;

use crate::chat::{EventId, RoomCode};
use crate::error::Refused;

#[derive(Deserialize, Default)]
pub struct ActionForm {
    /// The report acted on (its number).
    #[serde(default)]
    pub report: String,
    /// The room acted on (its code).
    #[serde(default)]
    pub room: String,
    /// How long, in seconds, from the form's choices; `0` for off.
    #[serde(default)]
    pub secs: String,
    /// A message's page, by its address.
    #[serde(default)]
    pub message: String,
}

/// One of `choices`, as the form's `secs` says; `Ok(None)` for off, when
/// `off` allows it.
pub fn chosen(
    form: &ActionForm,
    choices: &[Duration],
    off: bool,
) -> Result<Option<Duration>, Refused> {
    let secs: u64 = form
        .secs
        .trim()
        .parse()
        .map_err(|_| Refused::invalid(crate::t!("console-pick-a-time")))?;
    if off && secs == 0 {
        return Ok(None);
    }
    choices
        .iter()
        .copied()
        .find(|time| time.as_secs() == secs)
        .map(Some)
        .ok_or_else(|| Refused::invalid(crate::t!("console-pick-a-time")))
}

/// `now + length`, as the stores take an end.
pub fn from_now(length: Duration) -> OffsetDateTime {
    OffsetDateTime::now_utc() + length
}

/// The room the form names.
pub fn room(form: &ActionForm) -> Result<RoomCode, Refused> {
    RoomCode::from_path(form.room.trim())
        .ok_or_else(|| Refused::missed(crate::t!("console-no-room")))
}

/// A message's room and id from its page's address (`/r/{code}/m/{id}`,
/// with or without the site before it).
pub fn message_at(link: &str) -> Option<(RoomCode, EventId)> {
    let path = &link[link.find("/r/")?..];
    let mut parts = path.trim_end_matches('/').split('/').skip(2);
    let code = RoomCode::from_path(parts.next()?)?;
    let id = match (parts.next()?, parts.next()?, parts.next()) {
        ("m", id, None) => id.parse().ok()?,
        _ => return None,
    };
    Some((code, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_found_by_its_page_address() {
        let id = EventId { epoch: 17, seq: 4 };
        let code = RoomCode::parse_slug("general").expect("slug");
        for link in [
            "/r/general/m/17-4",
            "https://chat.example/r/general/m/17-4",
            "http://chat.example/r/general/m/17-4/",
        ] {
            assert_eq!(message_at(link), Some((code.clone(), id)), "{link}");
        }
        for link in [
            "",
            "/r/general",
            "/r/general/m/x",
            "/r/general/m/17-4/report",
            "/r/g!/m/1-1",
        ] {
            assert_eq!(message_at(link), None, "{link}");
        }
    }
}
