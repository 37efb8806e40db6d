//! Limits per client address, tried as a hostile person would over a real
//! loopback socket (every client here comes from 127.0.0.1): fresh sessions
//! to dodge the per-member limits, many sessions posting into one room,
//! rooms made and held, and waiting pages held open.

mod common;

use std::time::Duration;

use common::people::{enter, post, post_form, queue_for_stranger};
use common::sse::Sse;
use common::{client, get_text, spawn_app};

/// A fresh client (no cookie yet) posts `form` to `path`; the answer.
async fn fresh_post(
    server: &common::TestServer,
    path: &str,
    form: &[(&str, &str)],
) -> (reqwest::Client, reqwest::StatusCode, String) {
    let http = client();
    let res = post(&http, server, path)
        .form(form)
        .send()
        .await
        .expect(path);
    let status = res.status();
    (http, status, res.text().await.expect("body"))
}

/// A plain form's page never changes by itself: its waits are clock times.
const NEW_NAMES: &str = "Too many new names from your network address: try again at ";

/// A fresh visitor at `from` (as the serve loop records it) posts `form`
/// to `path` in-process; the status.
async fn post_from(site: &axum::Router, from: std::net::SocketAddr, path: &str, form: &str) -> u16 {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", "chat.test")
        .header("origin", "http://chat.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .extension(axum::extract::ConnectInfo(from))
        .body(axum::body::Body::from(form.to_owned()))
        .expect("request");
    let res = site.clone().oneshot(req).await.expect("infallible");
    res.status().as_u16()
}

/// A browser like `client()` whose connections come from `ip` (any
/// address of 127.0.0.0/8 reaches a server bound to 127.0.0.1).
fn client_from(ip: &str) -> reqwest::Client {
    let _ = client(); // installs the TLS provider the builder needs
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<std::net::IpAddr>().ok())
        .build()
        .expect("client")
}

#[path = "address/forms.rs"]
mod forms;
#[path = "address/rooms.rs"]
mod rooms;
#[path = "address/strangers.rs"]
mod strangers;
