//! What operators look at: `/healthz` and Prometheus `/metrics`.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;
use crate::error::{AppError, Refused};

/// `GET /healthz`: `ok`, or `503` saying what the store lacks.
pub async fn get_healthz(State(app): State<AppState>) -> Result<&'static str, AppError> {
    match app.chat.health().await {
        Ok(()) => Ok("ok"),
        Err(why) => Err(Refused::unavailable(why).into()),
    }
}

/// `GET /metrics`
pub async fn get_metrics(State(app): State<AppState>) -> impl IntoResponse {
    let stats = app.chat.stats().await;
    let delivered = app.counters.delivered.load(Ordering::Relaxed);
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
        let _ = write!(
            out,
            "# HELP livechat_{name} {help}\n# TYPE livechat_{name} {kind}\nlivechat_{name} {value}\n"
        );
    };
    metric(
        "streams",
        "gauge",
        "Open event streams.",
        stats.streams as u64,
    );
    metric(
        "rooms",
        "gauge",
        "Rooms that exist, public and private.",
        stats.rooms as u64,
    );
    metric(
        "members",
        "gauge",
        "Members present in at least one room.",
        stats.members as u64,
    );
    metric(
        "messages_total",
        "counter",
        "Messages posted.",
        stats.messages,
    );
    metric(
        "renders_total",
        "counter",
        "Messages and notices rendered: once each for the default look, once more per other look among their readers.",
        stats.renders,
    );
    metric(
        "resyncs_rendered_total",
        "counter",
        "Whole logs rendered for streams that fell behind (once per state of a room's log).",
        stats.resyncs,
    );
    metric(
        "delivered_total",
        "counter",
        "Messages and notices written to streams.",
        delivered,
    );
    metric(
        "queue",
        "gauge",
        "People waiting for a random stranger.",
        stats.queue as u64,
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
