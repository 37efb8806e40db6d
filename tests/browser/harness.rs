//! The browser-test harness: finds Chromium and chromedriver (or says loudly
//! why the tests are skipped), starts a driver per test, drives people's
//! browser sessions, waits for things to happen, and runs axe-core. Here:
//! the stage and the waits every test uses; the driver, a person's ways
//! around a page, chatting, and how pages look, each in `harness/`.

#![allow(dead_code)]

use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

#[path = "harness/chatting.rs"]
mod chatting;
#[path = "harness/driver.rs"]
mod driver;
#[path = "harness/looks.rs"]
mod looks;
#[path = "harness/navigate.rs"]
mod navigate;

pub use crate::common::tools::{find_tool, free_port, fresh_dir, loud, missing};
use crate::common::{TestServer, spawn_app, spawn_site};
pub use driver::*;
pub use looks::*;

/// How long something that happens live may take (the contract says 5 s).
pub const LIVE: Duration = Duration::from_secs(5);
/// How long a page load, a form's navigation or an element may take.
pub const LOAD: Duration = Duration::from_secs(10);
/// How often a wait looks again.
pub const POLL: Duration = Duration::from_millis(100);

/// Chromium switches for a person who asked their system for a dark theme...
pub const DARK: &[&str] = &[
    "--force-dark-mode",
    "--blink-settings=preferredColorScheme=0",
];
/// ... or for less motion.
pub const REDUCED_MOTION: &[&str] = &["--force-prefers-reduced-motion"];

pub const CHROME_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// axe-core, injected into pages over WebDriver.
pub const AXE_SOURCE: &str = include_str!("axe.min.js");
/// The rules that make up WCAG 2.2 AA (the contract's level).
pub const AXE_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

// ---------------------------------------------------------------------------
// Chromium and chromedriver

/// Browser tests run one at a time: each starts two browsers, and the
/// machine's two cores are shared with the server under test.
pub static BROWSERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What every browser test starts from: a server, and a driver that holds
/// the browsers to itself until it is gone.
pub struct Stage {
    pub server: TestServer,
    pub driver: Chromedriver,
}

/// The running test's name: the test harness names each test's thread after it.
fn this_test() -> String {
    std::thread::current()
        .name()
        .unwrap_or("a browser test")
        .to_owned()
}

/// Sets the stage for the running test, or `None` (after a loud message)
/// when the browser tools are missing outside CI.
pub async fn stage() -> Option<Stage> {
    stage_with(&[]).await
}

/// `stage`, with the server started with these flags.
pub async fn stage_with(flags: &[&str]) -> Option<Stage> {
    let tools = browser_tools(&this_test())?;
    let driver = Chromedriver::start(tools).await;
    let server = spawn_app(flags).await;
    Some(Stage { server, driver })
}

/// `stage`, with the server serving `routes` (see `common::spawn_site`).
pub async fn stage_with_routes(routes: axum::Router<livechat::AppState>) -> Option<Stage> {
    let tools = browser_tools(&this_test())?;
    let driver = Chromedriver::start(tools).await;
    let server = spawn_site(&[], routes).await;
    Some(Stage { server, driver })
}

// ---------------------------------------------------------------------------
// A person at a browser

pub struct Person {
    pub who: &'static str,
    pub c: Client,
}

#[derive(Clone, Copy)]
pub enum Submit {
    Enter,
    Button,
}

/// `s` as an XPath string literal, whatever quotes it holds.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Checks again and again until `check` is `Ok`, for at most `within`;
/// then fails, saying what was awaited and what was last seen.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let start = Instant::now();
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if start.elapsed() >= within => {
                panic!("waited {within:?} for: {what}\nlast seen:\n{last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

pub trait Must<T> {
    fn must(self, what: &str) -> T;
}

impl<T, E: std::fmt::Display> Must<T> for Result<T, E> {
    fn must(self, what: &str) -> T {
        self.unwrap_or_else(|e| panic!("{what}: {e}"))
    }
}
