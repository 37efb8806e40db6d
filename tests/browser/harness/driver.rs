//! Chromium and chromedriver: found once (or the tests skip loudly), one
//! driver a test, holding the browsers to itself, with a browser a person.

use super::*;

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
    /// Released after `drop` has ended the driver and its browsers.
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Js {
    On,
    Off,
}

impl Chromedriver {
    /// Waits for the browsers to be free, then starts a driver.
    pub async fn start(tools: &Tools) -> Self {
        let _one_at_a_time = BROWSERS.lock().await;
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
            _one_at_a_time,
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
