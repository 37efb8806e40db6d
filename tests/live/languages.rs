//! A stream outlives its request: what it says of its own (why it ends) is
//! in the language of the reader who opened it, whatever the language of
//! whoever made it end.

use super::*;
use common::people::enter_with;

/// A cookie-keeping client whose browser asks for Arabic.
fn arabic_client() -> reqwest::Client {
    common::install_tls_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("ar"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_stream_s_last_words_are_in_the_language_it_was_opened_in() {
    let server = spawn_app(&[]).await;
    let ann = enter_with(arabic_client(), &server, "Ann", "general").await;
    let mut tab = ann.stream(&server, "general").await;
    tab.until("hx-target=\"#online\"").await;
    // The leave is asked in English; the stream was opened in Arabic.
    let res = ann
        .http
        .post(server.url("/r/general/leave"))
        .header("origin", server.origin())
        .header("accept-language", "en")
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 303);
    let got = tab.until("غادرت هذه الغرفة.").await;
    let last = got.last().expect("last words");
    assert!(last.data.contains("انضم مرة أخرى."), "{}", last.data);
    assert!(!last.data.contains("You left"), "{}", last.data);
    assert_eq!(
        tab.next().await.and_then(|e| e.event).as_deref(),
        Some("close")
    );
}

#[tokio::test]
async fn a_waiting_page_is_told_in_its_own_language_that_it_no_longer_waits() {
    let server = spawn_app(&[]).await;
    let ann = arabic_client();
    let to = common::people::post_see_other(&ann, &server, "/pair", &[("name", "Ann")]).await;
    assert_eq!(to, "/pair");
    let (_, mut waiting) = Sse::open(&ann, &server.url("/pair/events"), None).await;
    let res = ann
        .post(server.url("/pair/cancel"))
        .header("origin", server.origin())
        .header("accept-language", "en")
        .send()
        .await
        .expect("cancel");
    assert_eq!(res.status(), 303);
    let words = waiting.until("لم تعد في الانتظار.").await;
    let last = words.last().expect("last words");
    assert!(
        last.data.contains("اذهب إلى الصفحة الرئيسية."),
        "{}",
        last.data
    );
}
