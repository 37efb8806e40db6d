//! What an operator reads: the release binary's log, started as an operator
//! starts it. Defaults start without a warning, and no log line, at any
//! level, holds a private room's code.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::people::{Site, enter, post, post_see_other, queue_for_stranger, room_in, sent_to};
use common::sse::Sse;
use common::tools::free_port;
use common::{after_id, client, get_text, plain_client};

/// The `livechat` binary on a free loopback port, its output (both streams:
/// wherever a log line goes) collected as it runs.
struct Binary {
    child: Child,
    addr: SocketAddr,
    output: Arc<Mutex<String>>,
}

impl Binary {
    /// Starts livechat with `flags` (and nothing from the environment but
    /// `RUST_LOG`, when given), and waits until it answers `/healthz`.
    async fn start(flags: &[&str], rust_log: Option<&str>) -> Binary {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut command = Command::new(env!("CARGO_BIN_EXE_livechat"));
        command
            .args(["--bind", &addr.to_string()])
            .args(flags)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("LIVECHAT_") {
                command.env_remove(key);
            }
        }
        if let Some(filter) = rust_log {
            command.env("RUST_LOG", filter);
        }
        let mut child = command.spawn().expect("start livechat");
        let output = Arc::new(Mutex::new(String::new()));
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || collect(pipe, &output));
        }
        let mut binary = Binary {
            child,
            addr,
            output,
        };
        binary.wait_ready().await;
        binary
    }

    async fn wait_ready(&mut self) {
        let http = plain_client();
        for _ in 0..200 {
            let answer = http.get(self.url("/healthz")).send().await;
            if answer.is_ok_and(|res| res.status() == 200) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("livechat exited ({status}):\n{}", self.output());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("livechat did not answer /healthz:\n{}", self.output());
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// What it logged so far.
    fn output(&self) -> String {
        self.output.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Stops it as an operator does (SIGTERM), and returns all it logged.
    async fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The readers end with the pipes; give them a moment to append.
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.output()
    }
}

impl Site for Binary {
    fn url(&self, path: &str) -> String {
        Binary::url(self, path)
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(mut pipe: Box<dyn Read + Send>, output: &Mutex<String>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk) {
        if n == 0 {
            return;
        }
        if let Ok(mut all) = output.lock() {
            all.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }
}

#[tokio::test]
async fn the_defaults_start_without_a_warning() {
    let server = Binary::start(&[], None).await;
    let http = plain_client();
    let home = http.get(server.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    let log = server.stop().await;
    assert!(log.contains("serving"), "the start is logged: {log}");
    assert!(
        !log.contains("WARN") && !log.contains("ERROR"),
        "default flags make no warning: {log}"
    );
}

/// Every way a log line could learn a code: each route that names one, as a
/// page, a stream, an htmx fragment, a refusal; a room's whole life from
/// creation to closing; and a random-chat pair. At the most verbose levels
/// of livechat and of `tower_http`'s request spans, no line holds a code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_holds_a_room_code() {
    let server = Binary::start(&["--grace", "1"], Some("livechat=trace,tower_http=trace")).await;
    let site = &server;
    let mut codes = Vec::new();

    // A private room: made, its page, its stream, its log document and title.
    let ann = client();
    let room = post_see_other(&ann, site, "/rooms", &[("name", "Ann")]).await;
    let code = room.trim_start_matches("/r/").to_owned();
    codes.push(code.clone());
    let page = get_text(&ann, &site.url(&room)).await;
    let events = format!("{room}/events?after={}", after_id(&page));
    let (_, mut ann_stream) = Sse::open(&ann, &site.url(&events), None).await;
    let bob = enter(site, "Bob", &code).await;
    ann_stream.until("Bob</bdi> joined").await;
    let (_, bob_document) = Sse::try_open(&bob.http, &site.url(&format!("{room}/log")), None)
        .await
        .expect("the log document");
    get_text(&ann, &site.url(&format!("{room}/title"))).await;

    // Posting, as a page and with htmx; a rename; a cross-site post refused.
    post(&ann, site, &format!("{room}/messages"))
        .form(&[("text", "hello")])
        .send()
        .await
        .expect("post");
    bob.say(site, &code, "hi").await;
    ann_stream.until(">hi<").await;
    post_see_other(&ann, site, "/name", &[("name", "Annie"), ("back", &room)]).await;
    let forged = ann
        .post(site.url(&format!("{room}/messages")))
        .header("origin", "http://elsewhere.example")
        .form(&[("text", "forged")])
        .send()
        .await
        .expect("cross-site post");
    assert_eq!(forged.status(), 403);

    // Codes that lead nowhere, as a page, a stream and a join.
    for path in ["/r/ZZZZ", "/r/ZZZZ/events", "/r/ZZZZ/log"] {
        ann.get(site.url(path)).send().await.expect(path);
    }
    post(&ann, site, "/join")
        .form(&[("name", "Annie"), ("code", "YYYY")])
        .send()
        .await
        .expect("join");

    // Everyone leaves: the room closes.
    drop(bob_document);
    post_see_other(&bob.http, site, &format!("{room}/leave"), &[]).await;
    post_see_other(&ann, site, &format!("{room}/leave"), &[]).await;
    drop(ann_stream);

    // A random-chat pair: matched, both in the room, both leave.
    let cy = queue_for_stranger(site, "Cy").await;
    let (_, mut cy_waits) = Sse::open(&cy, &site.url("/pair/events"), None).await;
    let dee = queue_for_stranger(site, "Dee").await;
    let (_, _dee_waits) = Sse::open(&dee, &site.url("/pair/events"), None).await;
    let found = cy_waits.until("A stranger is here").await;
    let pair_room = room_in(&found.last().expect("the match").data);
    codes.push(pair_room.trim_start_matches("/r/").to_owned());
    assert_eq!(sent_to(&cy, site).await, pair_room);
    for http in [&cy, &dee] {
        let page = get_text(http, &site.url(&pair_room)).await;
        let events = format!("{pair_room}/events?after={}", after_id(&page));
        let (_, stream) = Sse::open(http, &site.url(&events), None).await;
        drop(stream);
        post_see_other(http, site, &format!("{pair_room}/leave"), &[]).await;
    }

    for _ in 0..100 {
        if server.output().matches("room closed").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = server.stop().await;
    assert!(log.contains("room opened"), "rooms are logged: {log}");
    assert!(log.matches("room closed").count() >= 2, "{log}");
    assert!(log.contains("cross-site request refused"), "{log}");
    assert!(
        log.contains("/r/{code}/messages"),
        "routes are named: {log}"
    );
    for code in codes.iter().map(String::as_str).chain(["ZZZZ", "YYYY"]) {
        assert_eq!(code.len(), 4, "{code}");
        let found = if code.bytes().any(|b| b.is_ascii_alphabetic()) {
            log.contains(code)
        } else {
            // A code of digits alone could be part of a time stamp.
            ["/", "=", "\"", " "]
                .iter()
                .any(|before| log.contains(&format!("{before}{code}")))
        };
        assert!(!found, "the code {code} is in the log:\n{log}");
    }
}

/// The moderator console's lines: a sign-in refused and one made, a sign-out,
/// and what a moderator asks of a room, at the most verbose levels. No line
/// holds the token, the room's code, or the sign-in's cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderator_lines_hold_no_token_and_no_code() {
    const TOKEN: &str = "a moderator token nobody may read";
    let server = Binary::start(
        &["--admin-token", TOKEN],
        Some("livechat=trace,tower_http=trace"),
    )
    .await;
    let site = &server;
    let ann = client();
    let room = post_see_other(&ann, site, "/rooms", &[("name", "Ann")]).await;
    let code = room.trim_start_matches("/r/").to_owned();

    let moderator = client();
    let wrong = post(&moderator, site, "/admin/sign-in")
        .form(&[("token", "not it")])
        .send()
        .await
        .expect("sign-in");
    assert_eq!(wrong.status(), 403);
    let signed = post(&moderator, site, "/admin/sign-in")
        .form(&[("token", TOKEN)])
        .send()
        .await
        .expect("sign-in");
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("a cookie")
        .to_owned();
    // Whatever the store says of it, the line about it names no code.
    post(&moderator, site, "/admin/slow-mode")
        .form(&[("room", code.as_str()), ("secs", "30")])
        .send()
        .await
        .expect("slow mode");
    post_see_other(&moderator, site, "/admin/sign-out", &[]).await;

    let log = server.stop().await;
    assert!(log.contains("moderator sign-in refused"), "{log}");
    assert!(log.contains("moderator signed in"), "{log}");
    assert!(log.contains("moderator signed out"), "{log}");
    assert!(!log.contains(TOKEN) && !log.contains("not it"), "{log}");
    assert!(
        !log.contains(&code),
        "the code {code} is in the log:\n{log}"
    );
    let value = cookie.split_once('=').map_or("", |(_, v)| v);
    assert!(value.len() > 20 && !log.contains(value), "{log}");
}
