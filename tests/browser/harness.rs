//! The browser-test harness: finds Chromium and chromedriver (or says loudly
//! why the tests are skipped), starts a driver per test, drives people's
//! browser sessions, waits for things to happen, and runs axe-core.

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

pub use crate::common::tools::{find_tool, free_port, fresh_dir, loud, missing};
use crate::common::{TestServer, spawn_app, spawn_site};

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

/// What every browser test starts from: a server, a driver, and the browsers
/// to itself (the guard, dropped last).
pub struct Stage {
    pub server: TestServer,
    pub driver: Chromedriver,
    pub _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

/// Sets the stage for `test`, or `None` (after a loud message) when the
/// browser tools are missing outside CI.
pub async fn stage(test: &str) -> Option<Stage> {
    stage_with(test, &[]).await
}

/// `stage`, with the server started with these flags.
pub async fn stage_with(test: &str, flags: &[&str]) -> Option<Stage> {
    let tools = browser_tools(test)?;
    let _one_at_a_time = BROWSERS.lock().await;
    let server = spawn_app(flags).await;
    let driver = Chromedriver::start(tools).await;
    Some(Stage {
        server,
        driver,
        _one_at_a_time,
    })
}

/// `stage`, with the server serving `routes` (see `common::spawn_site`).
pub async fn stage_with_routes(
    test: &str,
    routes: axum::Router<livechat::AppState>,
) -> Option<Stage> {
    let tools = browser_tools(test)?;
    let _one_at_a_time = BROWSERS.lock().await;
    let server = spawn_site(&[], routes).await;
    let driver = Chromedriver::start(tools).await;
    Some(Stage {
        server,
        driver,
        _one_at_a_time,
    })
}

pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The browser and its driver, looked for once. `None` (after a loud message)
/// when one is missing, so the tests skip; a failure instead when `CI=true`.
pub fn browser_tools(test: &str) -> Option<&'static Tools> {
    static TOOLS: OnceLock<Option<Tools>> = OnceLock::new();
    let tools = TOOLS.get_or_init(|| {
        let chromium = find_tool(
            "CHROMIUM",
            "/usr/bin/chromium",
            &["chromium", "chromium-browser"],
        );
        let chromedriver = find_tool("CHROMEDRIVER", "/usr/bin/chromedriver", &["chromedriver"]);
        let (chromium, chromedriver) = match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => {
                return Some(Tools {
                    chromium,
                    chromedriver,
                });
            }
            other => other,
        };
        let missing_tools: Vec<&str> = [
            ("chromium", chromium.is_none()),
            ("chromedriver", chromedriver.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        missing(&format!(
            "browser tests need chromium and chromedriver \
             (apt-get install chromium chromium-driver); missing: {}",
            missing_tools.join(", ")
        ));
        None
    });
    if tools.is_none() {
        loud(&format!("SKIPPED: {test} (no chromium/chromedriver)\n"));
    }
    tools.as_ref()
}

/// A chromedriver process of our own on a free port, in its own process
/// group so that it and the browsers it started go when this is dropped
/// (also when a test panics).
pub struct Chromedriver {
    child: Child,
    url: String,
    chromium: PathBuf,
    profiles: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Js {
    On,
    Off,
}

impl Chromedriver {
    pub async fn start(tools: &Tools) -> Self {
        let port = free_port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            chromium: tools.chromium.clone(),
            profiles: Vec::new(),
        };
        let http = crate::common::plain_client();
        let status = format!("{}/status", driver.url);
        let start = Instant::now();
        loop {
            if let Ok(res) = http.get(&status).send().await
                && res.status().is_success()
            {
                break;
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {exit}");
            }
            assert!(
                start.elapsed() < LOAD,
                "chromedriver did not answer on {status} within {LOAD:?}"
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    /// A new browser with a fresh profile: a person with no cookies yet.
    pub async fn person(&mut self, who: &'static str, js: Js) -> Person {
        self.person_with(who, js, &[]).await
    }

    /// `person`, whose browser also gets these command-line switches (such
    /// as `DARK` or `REDUCED_MOTION`).
    pub async fn person_with(&mut self, who: &'static str, js: Js, switches: &[&str]) -> Person {
        let profile = fresh_dir("profile");
        self.profiles.push(profile.clone());
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| a.to_string()).collect();
        args.extend(switches.iter().map(|a| a.to_string()));
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut chrome = json!({ "binary": self.chromium, "args": args });
        if js == Js::Off {
            chrome["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        // Without JavaScript the log <iframe> is a document that never ends:
        // the room page's `load` event never fires, and chromedriver would
        // wait for the frame to finish loading before every command inside
        // it. So no waiting for loads there; the tests poll for what should
        // show instead.
        let strategy = if js == Js::Off { "none" } else { "normal" };
        caps.insert("pageLoadStrategy".into(), json!(strategy));
        // A command that hangs fails the test in time rather than after 300 s.
        caps.insert(
            "timeouts".into(),
            json!({ "pageLoad": 20_000, "script": 30_000, "implicit": 0 }),
        );
        let c = ClientBuilder::native()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot start a Chromium session for {who}: {e}"));
        Person { who, c }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The process group is the driver's pid: chromedriver and the browsers
        // it launched. Ask politely, then insist.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        for dir in &self.profiles {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
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

impl Person {
    pub async fn open(&self, url: &str) {
        self.c
            .goto(url)
            .await
            .must(&format!("{} opens {url}", self.who));
    }

    pub async fn path(&self) -> String {
        self.c
            .current_url()
            .await
            .must("current URL")
            .path()
            .to_owned()
    }

    pub async fn wait_for_path(&self, path: &str) {
        let what = format!("{} is at {path}", self.who);
        eventually(&what, LOAD, move || async move {
            let now = self.path().await;
            if now == path {
                Ok(())
            } else {
                Err(format!("at {now}"))
            }
        })
        .await;
    }

    /// The first element matching `xpath`, waiting for it to appear.
    pub async fn find(&self, xpath: &str) -> Element {
        let what = format!("{} sees {xpath}", self.who);
        eventually(&what, LOAD, move || async move {
            match self.c.find(Locator::XPath(xpath)).await {
                Ok(el) => Ok(el),
                Err(e) => Err(format!(
                    "{e} (page {})",
                    self.c
                        .current_url()
                        .await
                        .map(|u| u.to_string())
                        .unwrap_or_default()
                )),
            }
        })
        .await
    }

    /// The textbox whose `<label>` reads `label`.
    pub async fn textbox(&self, label: &str) -> Element {
        let label_el = self
            .find(&format!(
                "//label[normalize-space()={}]",
                xpath_literal(label)
            ))
            .await;
        let id = label_el
            .attr("for")
            .await
            .must("label's for")
            .unwrap_or_else(|| panic!("the label {label:?} is not tied to a control with `for`"));
        let input = self
            .c
            .find(Locator::Id(&id))
            .await
            .must(&format!("the control labelled {label:?} (#{id})"));
        let tag = input.tag_name().await.must("tag name");
        assert!(
            tag == "input" || tag == "textarea",
            "the control labelled {label:?} is a <{tag}>, not a textbox"
        );
        input
    }

    /// The button whose text reads `name`.
    pub async fn button(&self, name: &str) -> Element {
        self.find(&format!(
            "//button[normalize-space()={}]",
            xpath_literal(name)
        ))
        .await
    }

    pub async fn value(&self, label: &str) -> String {
        let input = self.textbox(label).await;
        input.prop("value").await.must("value").unwrap_or_default()
    }

    pub async fn wait_for_value(&self, label: &str, expected: &str) {
        let what = format!("{}'s {label:?} box holds {expected:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let input = self
                .c
                .find(Locator::XPath(&format!(
                    "//label[normalize-space()={}]",
                    xpath_literal(label)
                )))
                .await;
            let id = match input {
                Ok(label) => label.attr("for").await.ok().flatten().unwrap_or_default(),
                Err(e) => return Err(e.to_string()),
            };
            let value = match self.c.find(Locator::Id(&id)).await {
                Ok(el) => el
                    .prop("value")
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default(),
                Err(e) => return Err(e.to_string()),
            };
            if value == expected {
                Ok(())
            } else {
                Err(format!("value {value:?}"))
            }
        })
        .await;
    }

    /// Replaces the text in the textbox labelled `label`.
    pub async fn fill(&self, label: &str, text: &str) {
        let input = self.textbox(label).await;
        input.clear().await.must(&format!("clear {label:?}"));
        input
            .send_keys(text)
            .await
            .must(&format!("type into {label:?}"));
        let value = input.prop("value").await.must("value").unwrap_or_default();
        assert_eq!(value, text, "{} typed into {label:?}", self.who);
    }

    pub async fn press(&self, name: &str) {
        self.button(name)
            .await
            .click()
            .await
            .must(&format!("{} presses {name:?}", self.who));
    }

    /// Presses `keys` one after the other on the keyboard (WebDriver key
    /// actions), as a person would: into whatever has the focus.
    pub async fn keys(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.c
            .perform_actions(actions)
            .await
            .must(&format!("{} presses keys", self.who));
    }

    pub async fn key(&self, key: Key) {
        self.keys(&[key.into()]).await;
    }

    /// Types `text` key by key.
    pub async fn type_text(&self, text: &str) {
        self.keys(&text.chars().collect::<Vec<_>>()).await;
    }

    /// Ctrl+A, then `text`: replaces what the focused box holds.
    pub async fn type_over(&self, text: &str) {
        let ctrl: char = Key::Control.into();
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: ctrl })
            .then(KeyAction::Down { value: 'a' })
            .then(KeyAction::Up { value: 'a' })
            .then(KeyAction::Up { value: ctrl });
        self.c.perform_actions(actions).await.must("Ctrl+A");
        self.type_text(text).await;
    }

    /// What has the keyboard focus: `#id`, else the tag and its text
    /// (`button:Leave`), or `body` when nothing does.
    pub async fn focused(&self) -> String {
        let js = "const e = document.activeElement;
            if (!e || e === document.body || e === document.documentElement) return 'body';
            if (e.id) return '#' + e.id;
            return e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().replace(/\\s+/g, ' ');";
        self.script(js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the focus is on `target` (as `focused` names it).
    pub async fn wait_for_focus(&self, target: &str) {
        let what = format!("{}'s focus is on {target}", self.who);
        eventually(&what, LOAD, move || async move {
            let now = self.focused().await;
            if now == target {
                Ok(())
            } else {
                Err(format!("focus on {now}"))
            }
        })
        .await;
    }

    /// Presses Tab until the focus is on `target`; fails if it never gets there.
    pub async fn tab_to(&self, target: &str) {
        let mut seen = Vec::new();
        for _ in 0..60 {
            let now = self.focused().await;
            if now == target {
                return;
            }
            seen.push(now);
            self.key(Key::Tab).await;
        }
        panic!(
            "{}: Tab never reached {target}; went through {seen:?}",
            self.who
        );
    }

    /// Marks the document shown now, so that `wait_for_new_page` can tell
    /// when another one has replaced it.
    pub async fn mark_page(&self) {
        self.script("window.__seen = true").await;
    }

    pub async fn wait_for_new_page(&self) {
        let what = format!("{} sees a new page", self.who);
        eventually(&what, LOAD, move || async move {
            match self
                .c
                .execute("return window.__seen === true", vec![])
                .await
            {
                Ok(Value::Bool(false)) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
    }

    /// Tab to `target`, then Enter.
    pub async fn activate(&self, target: &str) {
        self.tab_to(target).await;
        self.key(Key::Enter).await;
    }

    /// From the home page: queues for a stranger and cancels, by keyboard.
    /// The waiting page, and home again, start with the focus at their top.
    pub async fn pair_and_cancel_by_keyboard(&self) {
        self.textbox("Name").await;
        self.activate("#pair").await;
        self.wait_for_path("/pair").await;
        self.find("//h1[normalize-space()='Waiting for a stranger']")
            .await;
        self.wait_for_focus("body").await;
        self.activate("button:Cancel").await;
        self.wait_for_path("/").await;
        self.textbox("Name").await;
        self.wait_for_focus("body").await;
    }

    pub async fn wait_for_title(&self, expected: &str) {
        let what = format!("{}'s tab is titled {expected:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let now = self.c.title().await.map_err(|e| e.to_string())?;
            if now == expected {
                Ok(())
            } else {
                Err(format!("titled {now:?}"))
            }
        })
        .await;
    }

    pub async fn script(&self, js: &str) -> Value {
        self.c
            .execute(js, vec![])
            .await
            .must(&format!("run script {js:?}"))
    }

    /// Home page, name, "Create private room": the code of the new room.
    pub async fn create_room(&self, server: &TestServer, name: &str) -> String {
        self.open(&server.url("/")).await;
        let suggested = self.value("Name").await;
        assert!(
            !suggested.trim().is_empty(),
            "the Name box is prefilled with a suggestion"
        );
        self.fill("Name", name).await;
        self.press("Create private room").await;
        let what = format!("{} lands in a new room", self.who);
        let code = eventually(&what, LOAD, move || async move {
            let path = self.path().await;
            match path.strip_prefix("/r/") {
                Some(code) if code.chars().count() == 4 => Ok(code.to_owned()),
                _ => Err(format!("at {path}")),
            }
        })
        .await;
        let shown = self
            .find("//strong[contains(concat(' ', normalize-space(@class), ' '), ' code ')]")
            .await;
        let shown = shown.text().await.must("the code on the page");
        assert_eq!(shown.trim(), code, "the room page shows the room's code");
        self.log_text()
            .await
            .unwrap_or_else(|e| panic!("{}'s room page has a role=log element: {e}", self.who));
        code
    }

    /// Home page, name, "Chat with a random stranger": waiting at `/pair`,
    /// or already in a room when a stranger was waiting.
    pub async fn queue_for_stranger(&self, server: &TestServer, name: &str) {
        self.open(&server.url("/")).await;
        self.fill("Name", name).await;
        self.press("Chat with a random stranger").await;
        let what = format!("{} waits or is paired", self.who);
        eventually(&what, LOAD, move || async move {
            let path = self.path().await;
            if path == "/pair" || path.starts_with("/r/") {
                Ok(())
            } else {
                Err(format!("at {path}"))
            }
        })
        .await;
    }

    /// The room a paired person lands in, once their page has moved there.
    pub async fn wait_for_room(&self) -> String {
        let what = format!("{} moves to a room", self.who);
        eventually(&what, LIVE, move || async move {
            let path = self.path().await;
            if path.starts_with("/r/") {
                Ok(path)
            } else {
                Err(format!("at {path}"))
            }
        })
        .await
    }

    /// Home page, name, code, "Join".
    pub async fn join_room(&self, server: &TestServer, name: &str, code: &str) {
        self.open(&server.url("/")).await;
        self.fill("Name", name).await;
        self.fill("Room code", code).await;
        self.press("Join").await;
        self.wait_for_path(&format!("/r/{code}")).await;
    }

    /// Waits until the page's "Live updates are not connected" notice is
    /// shown (`true`: visible, with a size) or not shown (`false`).
    pub async fn wait_for_notice(&self, shown: bool) {
        let what = format!(
            "{}'s page {} that live updates are not connected",
            self.who,
            if shown { "says" } else { "does not say" }
        );
        eventually(&what, LOAD, move || async move {
            let seen = self
                .script(
                    "const n = document.querySelector('#stream-status .not-live');\
                     if (!n) return false;\
                     const box = n.getBoundingClientRect();\
                     return getComputedStyle(n).visibility === 'visible'\
                       && getComputedStyle(n).display !== 'none' && box.height > 0;",
                )
                .await;
            if seen == json!(shown) {
                Ok(())
            } else {
                Err(format!("shown: {seen}"))
            }
        })
        .await;
    }

    /// Types `text` into the Message box and sends it.
    pub async fn send(&self, text: &str, how: Submit) {
        let input = self.textbox("Message").await;
        input.send_keys(text).await.must("type a message");
        match how {
            Submit::Enter => input.send_keys(&Key::Enter).await.must("press Enter"),
            Submit::Button => self.press("Send").await,
        }
    }

    /// The text of the page's log (the element with `role="log"`).
    pub async fn log_text(&self) -> Result<String, String> {
        let log = self
            .c
            .find(Locator::XPath("//*[@role='log']"))
            .await
            .map_err(|e| format!("no role=log: {e}"))?;
        log.text().await.map_err(|e| e.to_string())
    }

    pub async fn wait_for_log(&self, needle: &str) -> String {
        let what = format!("{}'s log shows {needle:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let text = self.log_text().await?;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(text)
            }
        })
        .await
    }

    /// The `<iframe>` that holds the log without JavaScript.
    pub async fn log_frame(&self) -> Element {
        self.find("//iframe[contains(concat(' ', normalize-space(@class), ' '), ' log-frame ')]")
            .await
    }

    /// The log's text inside `frame`; back in the page afterwards.
    pub async fn frame_log_text(&self, frame: &Element) -> Result<String, String> {
        frame
            .enter_frame()
            .await
            .map_err(|e| format!("cannot enter the log iframe: {e}"))?;
        let text = self.log_text().await;
        self.c
            .enter_parent_frame()
            .await
            .map_err(|e| format!("cannot leave the log iframe: {e}"))?;
        text
    }

    pub async fn wait_for_frame_log(&self, frame: &Element, needle: &str) -> String {
        let what = format!("{}'s log iframe shows {needle:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let text = self.frame_log_text(frame).await?;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(text)
            }
        })
        .await
    }

    /// Waits until the page's log shows `needle`: the `role="log"` element
    /// with JavaScript, else the log `<iframe>`, found anew at each look (a
    /// form sent without JavaScript loads a new page, with a new iframe).
    pub async fn wait_for_page_log(&self, js: Js, needle: &str) {
        if js == Js::On {
            self.wait_for_log(needle).await;
            return;
        }
        let what = format!("{}'s log iframe shows {needle:?}", self.who);
        let frame_path =
            "//iframe[contains(concat(' ', normalize-space(@class), ' '), ' log-frame ')]";
        eventually(&what, LIVE, move || async move {
            let frame = self
                .c
                .find(Locator::XPath(frame_path))
                .await
                .map_err(|e| e.to_string())?;
            let text = self.frame_log_text(&frame).await?;
            if text.contains(needle) {
                Ok(())
            } else {
                Err(text)
            }
        })
        .await;
    }

    /// Sends `text` with the Send button and waits until the log shows it,
    /// back in `room` (without JavaScript: on the new page the form led to).
    pub async fn send_and_see(&self, js: Js, room: &str, text: &str) {
        self.fill("Message", text).await;
        if js == Js::Off {
            self.mark_page().await;
        }
        self.press("Send").await;
        if js == Js::Off {
            self.wait_for_new_page().await;
        }
        self.wait_for_path(room).await;
        self.wait_for_page_log(js, text).await;
    }

    /// The list labelled by the heading "Online".
    pub async fn online_list(&self) -> Result<Element, String> {
        let heading = self
            .c
            .find(Locator::XPath(
                "//*[self::h1 or self::h2 or self::h3 or self::h4][normalize-space()='Online']",
            ))
            .await
            .map_err(|e| format!("no heading 'Online': {e}"))?;
        let id = heading
            .attr("id")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the heading 'Online' has no id")?;
        self.c
            .find(Locator::XPath(&format!(
                "//*[@aria-labelledby={}]",
                xpath_literal(&id)
            )))
            .await
            .map_err(|e| format!("nothing is labelled by the 'Online' heading: {e}"))
    }

    /// The names in the Online list.
    pub async fn online(&self) -> Result<Vec<String>, String> {
        let list = self.online_list().await?;
        let mut names = Vec::new();
        for item in list
            .find_all(Locator::Css("li"))
            .await
            .map_err(|e| e.to_string())?
        {
            names.push(
                item.text()
                    .await
                    .map_err(|e| e.to_string())?
                    .trim()
                    .to_owned(),
            );
        }
        Ok(names)
    }

    pub async fn wait_for_online(&self, present: &[&str], absent: &[&str]) {
        // An item is "Ann", or "Ann" followed by a marker such as "(you)".
        let lists = |items: &[String], name: &str| {
            items.iter().any(|item| {
                item == name
                    || item.starts_with(&format!("{name} "))
                    || item.starts_with(&format!("{name}\n"))
            })
        };
        let what = format!(
            "{}'s Online list has {present:?} and not {absent:?}",
            self.who
        );
        eventually(&what, LIVE, move || async move {
            let items = self.online().await?;
            let ok = present.iter().all(|name| lists(&items, name))
                && !absent.iter().any(|name| lists(&items, name));
            if ok {
                Ok(())
            } else {
                Err(format!("{items:?}"))
            }
        })
        .await;
    }

    /// Sizes the window so that the page itself gets `width` x `height`.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.c
            .set_window_size(width, height)
            .await
            .must("resize the window");
        let inner = self
            .script("return [window.innerWidth, window.innerHeight]")
            .await;
        let (w, h) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (w, h) != (width, height) {
            let outer = (
                width + width.saturating_sub(w),
                height + height.saturating_sub(h),
            );
            self.c
                .set_window_size(outer.0, outer.1)
                .await
                .must("resize the window");
        }
    }

    pub async fn assert_no_sideways_scrolling(&self, state: &str) {
        let widths = self
            .script("return [document.documentElement.scrollWidth, Math.min(document.documentElement.clientWidth, window.innerWidth)]")
            .await;
        let (scroll, client) = (
            widths[0].as_u64().unwrap_or(0),
            widths[1].as_u64().unwrap_or(0),
        );
        assert!(
            scroll <= client,
            "{state}: the page scrolls sideways ({scroll} px of content in {client} px)"
        );
    }

    /// Every control that shows is at least 44 x 44 CSS pixels (WCAG 2.5.5's
    /// size, above 2.5.8's 24 px minimum), except links inside a sentence,
    /// which 2.5.8 exempts as inline.
    pub async fn assert_large_touch_targets(&self, state: &str) {
        let small = self
            .script(
                "const small = [];
                 for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex=\"-1\"])')) {
                   const r = e.getBoundingClientRect();
                   if (r.width <= 1 || r.height <= 1 || getComputedStyle(e).visibility === 'hidden') continue;
                   if (e.tagName === 'A' && e.closest('p')) continue;
                   if (r.width < 44 || r.height < 44)
                     small.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} '${(e.textContent || e.value || '').trim().slice(0, 30)}' ${Math.round(r.width)}x${Math.round(r.height)}`);
                 }
                 return small;",
            )
            .await;
        assert_eq!(
            small,
            json!([]),
            "{state}: controls smaller than 44 x 44 px"
        );
    }

    /// Takes a screenshot of what the browser shows. It is saved as
    /// `tests/screenshots/{file}` (the README's pictures) when
    /// `LIVECHAT_SCREENSHOTS=1`, and under `target/screenshots/` otherwise, so
    /// that an ordinary test run leaves the tree alone.
    pub async fn screenshot(&self, file: &str, size: (u32, u32)) {
        let png = self.c.screenshot().await.must("screenshot");
        assert_eq!(png_size(&png), Some(size), "{file}: the screenshot's size");
        let keep = std::env::var("LIVECHAT_SCREENSHOTS").is_ok_and(|v| v == "1");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(if keep {
            "tests/screenshots"
        } else {
            "target/screenshots"
        });
        std::fs::create_dir_all(&dir).must("create the screenshot folder");
        std::fs::write(dir.join(file), png).must(&format!("write {}", dir.join(file).display()));
    }

    /// What a screen reader reads, in order, for the log item that holds
    /// `needle` in the current document: text, image alternatives and
    /// generated content (the "You" mark) of what is not hidden, joined by
    /// " | ". `None` when no item holds it.
    pub async fn spoken_item(&self, needle: &str) -> Option<String> {
        let found = self
            .c
            .execute(SPOKEN_ITEM, vec![json!(needle)])
            .await
            .must("read a log item as spoken");
        found.as_str().map(str::to_owned)
    }

    pub async fn close(self) {
        self.c
            .close()
            .await
            .must(&format!("close {}'s browser", self.who));
    }
}

/// Width and height from a PNG's header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    Some((word(16), word(20)))
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

// ---------------------------------------------------------------------------
// Accessibility

/// Walks a log item as the accessibility tree does (see `spoken_item`).
pub const SPOKEN_ITEM: &str = r#"
const needle = arguments[0];
const li = [...document.querySelectorAll('[role=log] li')].find(l => l.textContent.includes(needle));
if (!li) return null;
const parts = [];
const pseudo = (e, which) => {
  const c = getComputedStyle(e, which).content;
  const m = c && c.match(/^"([^"]*)"(?:\s*\/\s*"([^"]*)")?$/);
  if (!m) return;
  const t = (m[2] !== undefined ? m[2] : m[1]).trim();
  if (t) parts.push(t);
};
const walk = n => {
  if (n.nodeType === 3) { const t = n.textContent.trim(); if (t) parts.push(t); return; }
  if (n.nodeType !== 1) return;
  const st = getComputedStyle(n);
  if (st.display === 'none' || st.visibility === 'hidden' || n.getAttribute('aria-hidden') === 'true') return;
  if (n.tagName === 'IMG') { const a = n.getAttribute('alt'); if (a) parts.push(a); return; }
  pseudo(n, '::before');
  n.childNodes.forEach(walk);
  pseudo(n, '::after');
};
walk(li);
return parts.join(' | ');
"#;

pub const AXE_RUN: &str = r#"
const tags = arguments[0];
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: tags }, iframes: false, resultTypes: ['violations'] })
  .then(r => done({ violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })),
  })) }))
  .catch(e => done({ error: String((e && e.stack) || e) }));
"#;

/// Whether scripting is off in this document: then `<noscript>` content is
/// parsed as markup, in fragments too. If so, replaces the timers as told in
/// `assert_no_axe_violations` and answers `true`.
pub const SHIM_TIMERS_IF_NO_SCRIPTING: &str = r#"
const probe = document.createElement('div');
probe.innerHTML = '<noscript><i></i></noscript>';
if (!probe.querySelector('noscript i')) return false;
window.__realTimers = [window.setTimeout, window.clearTimeout];
window.setTimeout = (fn, ms, ...args) => {
  if (!(ms > 0)) Promise.resolve().then(() => fn(...args));
  return 0;
};
window.clearTimeout = () => {};
return true;
"#;

pub const UNSHIM_TIMERS: &str = "[window.setTimeout, window.clearTimeout] = window.__realTimers;";

/// Runs axe-core (WCAG 2.2 AA rules) on the current document (the page, or
/// the frame WebDriver is in) and fails with a readable list of violations.
pub async fn assert_no_axe_violations(c: &Client, state: &str) {
    let violations = axe_violations(c, state).await;
    if !violations.is_empty() {
        panic!("{}", axe_report(&violations, state));
    }
}

/// What axe-core finds on the current document: the violations as it reports
/// them (`id`, `impact`, `help`, `helpUrl`, `nodes` with `target`, `summary`).
pub async fn axe_violations(c: &Client, state: &str) -> Vec<Value> {
    let loaded = "return typeof window.axe === 'object' && typeof window.axe.run === 'function'";
    if c.execute(loaded, vec![]).await.must("look for axe-core") != json!(true) {
        c.execute(AXE_SOURCE, vec![]).await.unwrap_or_else(|e| {
            panic!("{state}: injecting axe-core failed (blocked by the page's CSP?): {e}")
        });
        let version = c
            .execute("return window.axe && window.axe.version", vec![])
            .await
            .must("axe version");
        assert!(
            version.is_string(),
            "{state}: axe-core did not load after injection (got {version})"
        );
    }
    // With JavaScript turned off, scripts run over WebDriver and promises
    // settle, but timers never fire, and axe-core waits on `setTimeout(.., 0)`
    // between rules. For the run, such timers become microtasks (and longer
    // ones, only guards against hangs, never fire); no script of the page
    // runs then anyway.
    let shimmed = c
        .execute(SHIM_TIMERS_IF_NO_SCRIPTING, vec![])
        .await
        .must("check for scripting");
    let result = c.execute_async(AXE_RUN, vec![json!(AXE_TAGS)]).await;
    if shimmed == json!(true) {
        c.execute(UNSHIM_TIMERS, vec![])
            .await
            .must("restore timers");
    }
    let result = result.unwrap_or_else(|e| panic!("{state}: running axe-core failed: {e}"));
    if let Some(error) = result.get("error") {
        panic!(
            "{state}: axe-core failed: {}",
            error.as_str().unwrap_or_default()
        );
    }
    result["violations"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{state}: axe-core answered {result}"))
}

/// The violations as a readable list.
pub fn axe_report(violations: &[Value], state: &str) -> String {
    let mut report = format!(
        "axe-core found {} WCAG violation(s) on {state}:\n",
        violations.len()
    );
    for v in violations {
        let text = |key: &str| v[key].as_str().unwrap_or("?").to_owned();
        report.push_str(&format!(
            "- {} [{}]: {} ({})\n",
            text("id"),
            text("impact"),
            text("help"),
            text("helpUrl")
        ));
        for node in v["nodes"].as_array().into_iter().flatten() {
            let target: Vec<String> = node["target"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
                .collect();
            report.push_str(&format!("    at {}\n", target.join(" >>> ")));
            if let Some(summary) = node["summary"].as_str() {
                for line in summary.lines() {
                    report.push_str(&format!("       {line}\n"));
                }
            }
        }
    }
    report
}
