//! Streams over a real loopback socket: a real server, real clients, reading
//! the `text/event-stream` bytes as a browser would.

mod common;

use std::time::Duration;

use common::people::{enter, member, post_form, queue_for_stranger, room_in, sent_to};
use common::sse::{Growing, Sse};
use common::{client, get_text, spawn_app};

#[path = "live/deleting.rs"]
mod deleting;
#[path = "live/ignoring.rs"]
mod ignoring;
#[path = "live/languages.rs"]
mod languages;
#[path = "live/looks.rs"]
mod looks;
#[path = "live/members.rs"]
mod members;
#[path = "live/mentions.rs"]
mod mentions;
#[path = "live/reading.rs"]
mod reading;
#[path = "live/removal.rs"]
mod removal;
#[path = "live/streams.rs"]
mod streams;
#[path = "live/waiting.rs"]
mod waiting;
