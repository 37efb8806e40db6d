//! Helpers shared by the test files: a real server on a loopback port.
#![allow(dead_code)]

use std::net::SocketAddr;

use clap::Parser;
use livechat::config::Config;
use livechat::shutdown::Trigger;
use livechat::{AppState, serve};

pub mod cluster;
pub mod people;
pub mod sse;
pub mod tools;

/// A livechat server on `127.0.0.1:0`, serving until dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    trigger: Trigger,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The `Origin` a browser on this site sends.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Tells streams the server is restarting and lets it finish. The
    /// trigger is gone once it has fired, as in the binary.
    pub async fn shut_down(self) {
        let Self { trigger, task, .. } = self;
        trigger.stop();
        drop(trigger);
        let _ = task.await;
    }
}

/// Config from flags, as the binary would read them.
pub fn config(flags: &[&str]) -> Config {
    Config::parse_from(std::iter::once("livechat").chain(flags.iter().copied()))
}

/// Starts a server with these flags on a free loopback port.
pub async fn spawn_app(flags: &[&str]) -> TestServer {
    spawn_site(flags, livechat::http::routes()).await
}

/// `spawn_app`, serving `routes` (the site's own, changed or added to by a
/// test) inside everything the site puts around them (`livechat::site`).
pub async fn spawn_site(flags: &[&str], routes: axum::Router<AppState>) -> TestServer {
    spawn_site_at(([127, 0, 0, 1], 0).into(), flags, routes).await
}

/// `spawn_site` on `addr`: a server started again where another one was.
pub async fn spawn_site_at(
    addr: SocketAddr,
    flags: &[&str],
    routes: axum::Router<AppState>,
) -> TestServer {
    let (state, trigger) = AppState::new(config(flags)).expect("valid test config");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let options = serve::Options::from_config(&config(flags)).expect("valid transport flags");
    let stop = state.stop.clone();
    let router = livechat::site(routes, state.clone());
    let task = tokio::spawn(async move {
        let _ = serve::run(listener, router, options, stop).await;
    });
    TestServer {
        addr,
        state,
        trigger,
        task,
    }
}

/// reqwest is built with rustls but no crypto provider of its own (to keep
/// the build light): every client needs this one installed first.
pub fn install_tls_provider() {
    // An error only means it is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain HTTP client with reqwest's defaults.
pub fn plain_client() -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::new()
}

/// A cookie-keeping HTTP client that does not follow redirects.
pub fn client() -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The body of `GET url`, as text.
pub async fn get_text(http: &reqwest::Client, url: &str) -> String {
    http.get(url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

/// The id a room page puts in its stream URL (`?after=`).
pub fn after_id(page: &str) -> String {
    page.split("events?after=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("after id")
        .to_owned()
}

/// A cookie-keeping client that picked `name` and joined `room` (a code or a
/// public slug), not yet on the room's page.
pub async fn joined(server: &TestServer, name: &str, room: &str) -> reqwest::Client {
    let http = client();
    let res = http
        .post(server.url("/join"))
        .header("origin", server.origin())
        .form(&[("name", name), ("code", room)])
        .send()
        .await
        .expect("join");
    assert_eq!(res.status(), 303);
    http
}

/// Posts `text` to `room` as htmx does, and checks that it was taken.
pub async fn say(http: &reqwest::Client, server: &TestServer, room: &str, text: &str) {
    let res = http
        .post(server.url(&format!("/r/{room}/messages")))
        .header("origin", server.origin())
        .header("hx-request", "true")
        .form(&[("text", text)])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200, "{text}");
}
