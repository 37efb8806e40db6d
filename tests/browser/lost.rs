//! Failures said where the person looks, with JavaScript: a stream that
//! drops (not for a server stop) says so on the status line, and a send
//! refused by the server's own 503 says the server's words.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::json;

use super::harness::*;

/// Whether the status line's "Connection lost" words are shown.
const LOST_SHOWN: &str = "const words = document.querySelector('#stream-status > .lost > span');
    return !!words && getComputedStyle(words).visibility === 'visible'
        && words.getBoundingClientRect().height > 0;";

/// The status line as read.
const STATUS_TEXT: &str = "return document.querySelector('#stream-status').innerText.trim();";

const LOST_WORDS: &str = "Connection lost: live updates will come back by themselves when it does.";

async fn lost_shown(person: &Person, shown: bool, what: &str) {
    eventually(what, Duration::from_secs(15), || async {
        match person.script(LOST_SHOWN).await {
            serde_json::Value::Bool(now) if now == shown => Ok(()),
            other => Err(format!(
                "{other}; status line: {}",
                person.script(STATUS_TEXT).await
            )),
        }
    })
    .await;
}

/// A room stream that breaks, as a network that goes away breaks it, makes
/// the status line say so ("Connection lost"), with no script of the site's:
/// htmx's SSE error event and its request class, and CSS. Once the stream is
/// back the words go. A server that stops says it is restarting instead,
/// never that the connection was lost. axe with the words shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_stream_is_said_on_the_status_line() {
    let cut = Arc::new(tokio::sync::watch::channel(false).0);
    let layer_cut = cut.clone();
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let cut = layer_cut.clone();
            async move {
                if !req.uri().path().ends_with("/events") {
                    return next.run(req).await;
                }
                if *cut.borrow() {
                    // Out of reach: what a proxy answers for a server it lost.
                    return StatusCode::BAD_GATEWAY.into_response();
                }
                let gone = cut.subscribe();
                let (parts, body) = next.run(req).await.into_parts();
                let data = body.into_data_stream();
                // The stream breaks mid-way when the "network" goes.
                let broken = futures_util::stream::unfold(Some(data), move |data| {
                    let mut gone = gone.clone();
                    async move {
                        let mut data = data?;
                        tokio::select! {
                            item = data.next() => {
                                let item = item?.map_err(std::io::Error::other);
                                Some((item, Some(data)))
                            }
                            _ = gone.wait_for(|cut| *cut) => {
                                Some((Err(std::io::Error::other("the network went away")), None))
                            }
                        }
                    }
                });
                Response::from_parts(parts, Body::from_stream(broken))
            }
        },
    ));
    let Some(Stage { server, mut driver }) = stage_with_routes(routes).await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    ann.join_room(&server, "Ann", "general").await;
    ann.send("hello", Submit::Enter).await;
    ann.wait_for_log("hello").await;
    assert_eq!(
        ann.script(LOST_SHOWN).await,
        json!(false),
        "a live page says nothing"
    );
    assert_eq!(ann.script(STATUS_TEXT).await, json!(""));

    // The network goes: the open stream breaks, and reconnects fail.
    cut.send_replace(true);
    lost_shown(&ann, true, "the status line says the connection was lost").await;
    assert_eq!(ann.script(STATUS_TEXT).await, json!(LOST_WORDS));
    assert_no_axe_violations(&ann.c, "a lost stream said on the status line").await;

    // It comes back: the stream reconnects by itself, and the words go.
    cut.send_replace(false);
    lost_shown(&ann, false, "the words go once the stream is back").await;
    ann.send("back again", Submit::Enter).await;
    ann.wait_for_log("back again").await;

    // The server stops: it says so, and the failed reconnects that follow
    // are not called a lost connection.
    server.shut_down().await;
    eventually("the status line says the server restarts", LIVE, || async {
        let text = ann.script(STATUS_TEXT).await.to_string();
        if text.contains("restarting") {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        ann.script(LOST_SHOWN).await,
        json!(false),
        "a stop is no lost connection"
    );
    ann.close().await;
}

/// Whether the "Not sent: no connection" words are shown.
const UNSENT_SHOWN: &str = "const words = document.querySelector('#send .unsent > span');
    return !!words && getComputedStyle(words).visibility === 'visible'
        && words.getBoundingClientRect().height > 0;";

/// A send the server itself refuses with a 503 (its store out of reach)
/// says the server's words in the box's alert, the text kept, and not "no
/// connection"; a proxy's 503 page still says "no connection" and is never
/// swapped into the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_refused_by_the_server_says_its_words() {
    const PASS: u8 = 0;
    const OURS: u8 = 1;
    const PROXY: u8 = 2;
    const WORDS: &str =
        "The chat cannot be reached for a moment: nothing was sent, try again in a few seconds";
    let mode = Arc::new(AtomicU8::new(PASS));
    let layer_mode = mode.clone();
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let mode = layer_mode.load(Ordering::SeqCst);
            async move {
                let post = req.method() == Method::POST && req.uri().path().ends_with("/messages");
                match mode {
                    // The answer livechat gives when its store is out of reach.
                    OURS if post => {
                        let code =
                            livechat::chat::RoomCode::parse_slug("general").expect("a public room");
                        let form = livechat::views::room::SendForm {
                            text: "kept text",
                            error: Some(WORDS.to_owned()),
                            ended: false,
                        };
                        let form = livechat::views::room::refused_send_form(&code, &form, true);
                        (StatusCode::SERVICE_UNAVAILABLE, form).into_response()
                    }
                    PROXY if post => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::CONTENT_TYPE, "text/html")],
                        "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                    )
                        .into_response(),
                    _ => next.run(req).await,
                }
            }
        },
    ));
    let Some(Stage { server, mut driver }) = stage_with_routes(routes).await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    ann.join_room(&server, "Ann", "general").await;

    mode.store(OURS, Ordering::SeqCst);
    ann.send("kept text", Submit::Enter).await;
    let alert = format!(
        "//p[@role='alert'][normalize-space()={}]",
        xpath_literal(WORDS)
    );
    ann.find(&alert).await;
    assert_eq!(ann.value("Message").await, "kept text", "the text stays");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "not called no connection"
    );
    assert_eq!(
        ann.focused().await,
        "#message",
        "the focus stays in the box"
    );
    assert_no_axe_violations(&ann.c, "a send refused by the server's own 503").await;

    mode.store(PROXY, Ordering::SeqCst);
    ann.press("Send").await;
    eventually("a proxy's 503 says no connection", LIVE, || async {
        match ann.script(UNSENT_SHOWN).await {
            serde_json::Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
    let page = ann.script("return document.body.innerText").await;
    assert!(!page.to_string().contains("Temporarily"), "{page}");
    assert_eq!(ann.value("Message").await, "kept text");

    mode.store(PASS, Ordering::SeqCst);
    ann.press("Send").await;
    ann.wait_for_log("kept text").await;
    ann.close().await;
    server.shut_down().await;
}
