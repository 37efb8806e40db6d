//! When the network fails: a stream that never connects and a send that
//! fails are said, and the text is kept.

use super::*;

/// What a failing proxy answers: a `502` and its own HTML page.
fn bad_gateway() -> axum::response::Response {
    use axum::response::IntoResponse;

    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    (
        axum::http::StatusCode::BAD_GATEWAY,
        [(axum::http::header::CONTENT_TYPE, "text/html")],
        page,
    )
        .into_response()
}

/// htmx 4.0.1 does not retry a stream whose first request failed (a blip at
/// load, a proxy's 502, a restart at that moment). The room page says so by
/// itself after a few seconds, with a link that reloads it, and leaves what
/// is typed alone; the proxy's error page never lands in the log. A page
/// whose stream connects never shows the notice, nor does the page without
/// JavaScript, whose log document is live by itself. Readable and passing
/// axe in the light and the dark theme, at 320 px, with less motion too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_first_stream_request_fails_says_so() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // The first two room streams asked for answer as a failing proxy would.
    let failures = Arc::new(AtomicUsize::new(2));
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let failures = failures.clone();
            async move {
                let stream = req.uri().path().ends_with("/events");
                let fail = stream
                    && failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                if fail {
                    return bad_gateway();
                }
                next.run(req).await
            }
        },
    ));
    let Some(Stage { server, mut driver }) = stage_with_routes(routes).await else {
        return;
    };
    const NOTICE: &str = "//p[@id='stream-status'][@role='status']\
        [contains(normalize-space(), 'Live updates are not connected.')]";
    const RELOAD: &str = "//p[@id='stream-status']//a[normalize-space()='Reload the page']";

    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    ann.textbox("Message")
        .await
        .send_keys("half typed")
        .await
        .must("type");
    ann.wait_for_notice(true).await;
    assert_eq!(ann.value("Message").await, "half typed", "the text stays");
    let log = ann.log_text().await.expect("the log");
    assert!(
        !log.contains("Bad Gateway"),
        "no error page in the log: {log}"
    );
    ann.find(NOTICE).await;
    assert_no_axe_violations(&ann.c, "room page whose stream never connected").await;

    // The same in the dark, at 320 px, with less motion.
    let switches: Vec<&str> = DARK.iter().chain(REDUCED_MOTION).copied().collect();
    let dee = driver.person_with("Dee", Js::On, &switches).await;
    assert_eq!(
        dee.script("return matchMedia('(prefers-color-scheme: dark)').matches && matchMedia('(prefers-reduced-motion: reduce)').matches").await,
        json!(true),
        "the browser asks for dark and less motion"
    );
    dee.set_viewport(320, 700).await;
    dee.join_room(&server, "Dee", &code).await;
    dee.wait_for_notice(true).await;
    dee.assert_no_sideways_scrolling("not-connected notice at 320 px")
        .await;
    assert_no_axe_violations(&dee.c, "not-connected notice, dark, 320 px").await;

    // The link reloads the page, whose stream now connects: no notice, live.
    ann.find(RELOAD).await.click().await.must("reload");
    ann.wait_for_log("Dee joined").await;
    ann.send("back live", Submit::Enter).await;
    ann.wait_for_log("back live").await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    ann.wait_for_notice(false).await;
    assert_no_axe_violations(&ann.c, "room page live again").await;

    // Without JavaScript the log document is live by itself: no notice.
    let bob = driver.person("Bob", Js::Off).await;
    bob.join_room(&server, "Bob", &code).await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    bob.wait_for_notice(false).await;

    ann.close().await;
    dee.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// A send that cannot reach the server says so by the Message box, and the
/// text stays: a proxy's 502 (not swapped into the page), then the server
/// stopped. While a post is in flight the button shows "Sending…". After a
/// restart without `--secret` (a new key on the same port) the session is
/// gone: a send says so and leads back in through **Join**, not as a
/// cross-site refusal, with JavaScript on and off. axe in every state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_fails_says_so_and_keeps_the_text() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};

    const PASS: u8 = 0;
    const SLOW: u8 = 1;
    const PROXY_DOWN: u8 = 2;
    let mode = Arc::new(AtomicU8::new(PASS));
    let layer_mode = mode.clone();
    let routes = livechat::http::routes().layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let mode = layer_mode.load(Ordering::SeqCst);
            async move {
                let post = req.method() == axum::http::Method::POST
                    && req.uri().path().ends_with("/messages");
                if post && mode == PROXY_DOWN {
                    return bad_gateway();
                }
                if post && mode == SLOW {
                    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                }
                next.run(req).await
            }
        },
    ));
    let Some(Stage { server, mut driver }) = stage_with_routes(routes.clone()).await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    // A public room: it is still there after the restart.
    let code = "general";
    ann.join_room(&server, "Ann", code).await;
    bob.join_room(&server, "Bob", code).await;
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "a fresh page shows no failure"
    );

    // In flight: the button says so, and is still named Send.
    mode.store(SLOW, Ordering::SeqCst);
    ann.send("a slow one", Submit::Enter).await;
    let sending = ann
        .script(
            "const b = document.querySelector('#send button');
             return [document.querySelector('#send').classList.contains('htmx-request'),
                     getComputedStyle(b, '::after').content];",
        )
        .await;
    assert_eq!(sending, json!([true, "\"Sending…\" / \"\""]), "{sending}");
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "not while in flight"
    );
    ann.wait_for_log("a slow one").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(ann.script(UNSENT_SHOWN).await, json!(false), "it was sent");

    // A proxy's 502: not swapped in; the words show, the text stays.
    mode.store(PROXY_DOWN, Ordering::SeqCst);
    ann.send("through a broken proxy", Submit::Enter).await;
    ann.find("//p[@role='alert'][normalize-space()='Not sent: no connection. Your message is still here.']")
        .await;
    wait_for_unsent_words(&ann, "the words show after a 502").await;
    assert_eq!(ann.value("Message").await, "through a broken proxy");
    assert_eq!(
        ann.focused().await,
        "#message",
        "the focus stays in the box"
    );
    let page = ann.script("return document.body.innerText").await;
    assert!(!page.to_string().contains("Bad Gateway"), "{page}");
    assert_no_axe_violations(&ann.c, "a send answered 502 by a proxy").await;

    // The proxy is back: the same text goes, and the words go away.
    mode.store(PASS, Ordering::SeqCst);
    ann.press("Send").await;
    ann.wait_for_log("through a broken proxy").await;
    ann.wait_for_value("Message", "").await;
    assert_eq!(ann.script(UNSENT_SHOWN).await, json!(false));

    // The server stops: the same words, the text kept.
    let addr = server.addr;
    server.shut_down().await;
    ann.send("while the server is down", Submit::Button).await;
    wait_for_unsent_words(&ann, "the words show with the server down").await;
    assert_eq!(ann.value("Message").await, "while the server is down");
    assert_no_axe_violations(&ann.c, "a send with the server down").await;

    // Started again with a new key (no --secret): the session ended.
    let server = common::spawn_site_at(addr, &[], routes).await;
    const ENDED: &str =
        "//p[@role='alert'][normalize-space()='Your session ended: press Join to come back in.']";
    ann.press("Send").await;
    ann.find(ENDED).await;
    ann.wait_for_value("Message", "while the server is down")
        .await;
    let shown = ann
        .script("return document.body.innerText")
        .await
        .to_string();
    assert!(!shown.contains("another site"), "{shown}");
    assert_eq!(
        ann.script(UNSENT_SHOWN).await,
        json!(false),
        "an answer came: no 'no connection'"
    );
    assert_no_axe_violations(&ann.c, "a send after the session ended").await;
    ann.fill("Name", "Annie").await;
    ann.press("Change name").await;
    ann.find(&format!("//form[@id='rename']{}", &ENDED[1..]))
        .await;
    ann.wait_for_value("Name", "Annie").await;
    assert_no_axe_violations(&ann.c, "a rename after the session ended").await;

    bob.fill("Message", "Bob after the restart").await;
    bob.press("Send").await;
    bob.find(ENDED).await;
    bob.wait_for_value("Message", "Bob after the restart").await;
    assert_no_axe_violations(&bob.c, "a send after the session ended (no JavaScript)").await;

    // Join leads back in: the room page sends a person with no name home
    // with the code filled in.
    ann.find(&format!("{ENDED}/a[normalize-space()='Join']"))
        .await
        .click()
        .await
        .must("follow Join");
    ann.wait_for_path("/").await;
    ann.wait_for_value("Room code", code).await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}
