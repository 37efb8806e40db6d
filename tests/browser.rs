//! Browser tests: the real app in headless Chromium, driven over WebDriver
//! (`fantoccini` talking to `chromedriver`). Two people are two browser
//! sessions, each with its own profile and cookies. Accessibility is checked
//! with axe-core, vendored in `tests/browser/` (see its README).
//!
//! Elements are found the way a person finds them: textboxes by their label,
//! buttons by their text, the log by its role, the Online list by its heading.
//!
//! Without `chromium` and `chromedriver` the tests are skipped with a loud
//! message, except when `CI=true`, where a missing tool fails them.
//! `CHROMIUM` and `CHROMEDRIVER` point at other binaries if needed.
//!
//! The tests live in `tests/browser/`, a module a topic; the harness they
//! share in `tests/browser/harness.rs`.
//!
//! Run: `cargo test --test browser -- --nocapture`

mod common;
#[path = "browser/harness.rs"]
mod harness;

use fantoccini::key::Key;
use harness::*;
use serde_json::json;

/// What `.unsent` ("Not sent: no connection") shows: whether its words are
/// visible, and the Message box's value.
const UNSENT_SHOWN: &str = "const words = document.querySelector('#send .unsent > span');
    return !!words && getComputedStyle(words).visibility === 'visible'
        && words.getBoundingClientRect().height > 0;";

/// Waits until `person`'s page shows `.unsent`'s words; `what` names the wait.
async fn wait_for_unsent_words(person: &Person, what: &str) {
    eventually(what, LIVE, || async {
        match person.script(UNSENT_SHOWN).await {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
}

#[path = "browser/axe.rs"]
mod axe;
#[path = "browser/chat.rs"]
mod chat;
#[path = "browser/console.rs"]
mod console;
#[path = "browser/deleting.rs"]
mod deleting;
#[path = "browser/dividers.rs"]
mod dividers;
#[path = "browser/failures.rs"]
mod failures;
#[path = "browser/ignoring.rs"]
mod ignoring;
#[path = "browser/keyboard.rs"]
mod keyboard;
#[path = "browser/languages.rs"]
mod languages;
#[path = "browser/lost.rs"]
mod lost;
#[path = "browser/mentions.rs"]
mod mentions;
#[path = "browser/names.rs"]
mod names;
#[path = "browser/nojs.rs"]
mod nojs;
#[path = "browser/owners.rs"]
mod owners;
#[path = "browser/phones.rs"]
mod phones;
#[path = "browser/reading.rs"]
mod reading;
#[path = "browser/refusals.rs"]
mod refusals;
#[path = "browser/settings.rs"]
mod settings;
#[path = "browser/strangers.rs"]
mod strangers;
#[path = "browser/typing.rs"]
mod typing;
#[path = "browser/unread.rs"]
mod unread;
