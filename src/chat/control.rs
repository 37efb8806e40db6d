//! What a room's owner and the moderators have decided about a room, as a
//! page reads it ([`RoomRules`]), the changes the log tells of ([`Change`]),
//! and how a time they set is said ("07:48 UTC"). The decisions themselves
//! are `rules`'; the state is each store's.

use std::time::Duration;

use time::{OffsetDateTime, UtcOffset};

use super::event::MemberId;
use super::name::Name;

/// What a room's page shows of its owner's and the moderators' decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomRules {
    /// Who owns the room (`None`: public and random-chat rooms).
    pub owner: Option<MemberId>,
    /// Nobody new may join.
    pub locked: bool,
    /// One message per this long per member.
    pub slow: Option<Duration>,
    /// Nobody may post until then.
    pub read_only: Option<OffsetDateTime>,
}

/// A change the room's log tells everyone of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// "Ann now owns this room": the owner left for good.
    Owner(Name),
    /// The owner locked (`true`) or unlocked the room.
    Locked(bool),
    /// Slow mode set to one message per this long, or off.
    SlowMode(Option<Duration>),
    /// The room read-only until then, or open again.
    ReadOnly(Option<OffsetDateTime>),
}

/// A time people are told, to the minute, rounded up so that it is never
/// early: "07:48 UTC".
pub fn clock_words(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let whole = at.second() == 0 && at.nanosecond() == 0;
    let at = if whole {
        at
    } else {
        at.checked_add(time::Duration::MINUTE).unwrap_or(at)
    };
    format!("{:02}:{:02} UTC", at.hour(), at.minute())
}

/// A slow mode's pace as people read it: "30 s", "2 min".
pub fn pace_words(every: Duration) -> String {
    let secs = super::whole_seconds(every);
    if secs >= 60 && secs.is_multiple_of(60) {
        crate::t!("pace-minutes", n = secs / 60)
    } else {
        crate::t!("pace-seconds", n = secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_said_to_the_minute_and_never_early() {
        let at = time::macros::datetime!(2026-12-03 07:47:01 UTC);
        assert_eq!(clock_words(at), "07:48 UTC");
        let on_the_minute = time::macros::datetime!(2026-12-03 07:48:00 UTC);
        assert_eq!(clock_words(on_the_minute), "07:48 UTC");
    }

    #[test]
    fn a_pace_reads_in_seconds_or_whole_minutes() {
        assert_eq!(pace_words(Duration::from_secs(30)), "30 s");
        assert_eq!(pace_words(Duration::from_secs(120)), "2 min");
        assert_eq!(pace_words(Duration::from_secs(90)), "90 s");
    }
}
