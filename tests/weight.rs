//! What a page costs to load, over a real loopback socket: text answers are
//! compressed as the browser asks, the never-ending streams never are (a
//! compressor would hold their bytes back), a room's first load stays small,
//! and assets are cached for ever under versioned names.

mod common;

use std::time::Duration;

use common::people::post_form;
use common::{client, get_text, joined as enter, say, spawn_app};
use futures_util::StreamExt;

/// What a browser says it can decode.
const ACCEPT: &str = "gzip, deflate, br, zstd";

/// Reads `body` until its text holds `needle`; fails if nothing comes for 5 s.
async fn read_until(
    body: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    text: &mut String,
    needle: &str,
) {
    while !text.contains(needle) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .unwrap_or_else(|_| panic!("{needle:?} did not arrive; so far:\n{text}"))
            .expect("the stream goes on")
            .expect("bytes");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_log_document_streams_even_when_the_browser_accepts_compression() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    // The page enters the room; the log it frames is for members.
    get_text(&ann, &server.url("/r/general")).await;
    let res = ann
        .get(server.url("/r/general/log"))
        .header("accept-encoding", ACCEPT)
        .send()
        .await
        .expect("log");
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let mut body = res.bytes_stream();
    let mut text = String::new();
    read_until(&mut body, &mut text, "Ann</bdi> joined").await;
    say(&ann, &server, "general", "still streaming").await;
    read_until(&mut body, &mut text, "still streaming").await;
    assert!(
        headers.get("content-encoding").is_none(),
        "a never-ending document is not compressed: {headers:?}"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn no_stream_is_compressed() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let page = get_text(&ann, &server.url("/r/general")).await;
    let after = common::after_id(&page);
    let bob = client();
    let queued = post_form(&bob, &server, "/pair", &[("name", "Bob")]).await;
    assert_eq!(queued.status(), 303);
    for (http, path) in [
        (&ann, format!("/r/general/events?after={after}")),
        (&ann, "/r/general/log".to_owned()),
        (&bob, "/pair/events".to_owned()),
        (&bob, "/pair/wait".to_owned()),
    ] {
        let res = http
            .get(server.url(&path))
            .header("accept-encoding", ACCEPT)
            .send()
            .await
            .expect("stream");
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers().get("content-encoding").is_none(),
            "{path} is not compressed"
        );
        let mut body = res.bytes_stream();
        let first = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .unwrap_or_else(|_| panic!("{path}: the first bytes come at once"));
        assert!(matches!(first, Some(Ok(_))), "{path}: {first:?}");
    }
    server.shut_down().await;
}

/// Every `="/prefix...` URL in `page`.
fn urls(page: &str, prefix: &str) -> Vec<String> {
    page.split(&format!("=\"{prefix}"))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|rest| format!("{prefix}{rest}"))
        .collect()
}

#[tokio::test]
async fn a_rooms_first_load_is_small_and_assets_are_cached_for_ever() {
    let server = spawn_app(&["--rate-messages", "100"]).await;
    let ann = enter(&server, "Ann", "general").await;
    let bob = enter(&server, "Bob", "general").await;
    get_text(&ann, &server.url("/r/general")).await;
    get_text(&bob, &server.url("/r/general")).await;
    for n in 0..20 {
        say(
            &ann,
            &server,
            "general",
            &format!("message number {n} in a lively room"),
        )
        .await;
    }

    // The page, as a browser fetches it.
    let res = ann
        .get(server.url("/r/general"))
        .header("accept-encoding", ACCEPT)
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-encoding"],
        "br",
        "the page is compressed"
    );
    let compressed = res.bytes().await.expect("page bytes").len();
    let page = get_text(&ann, &server.url("/r/general")).await;
    assert!(
        compressed * 3 < page.len(),
        "compression pays: {compressed} of {} bytes",
        page.len()
    );

    // Everything the page loads.
    let mut wanted = urls(&page, "/assets/");
    wanted.extend(urls(&page, "/avatars/"));
    wanted.extend(urls(&page, "/me/"));
    wanted.sort_unstable();
    wanted.dedup();
    assert!(
        wanted.iter().filter(|u| u.starts_with("/assets/")).count() >= 4,
        "style, no-JS style, htmx and its SSE extension: {wanted:?}"
    );
    assert!(
        wanted.iter().any(|u| u.starts_with("/avatars/")),
        "{wanted:?}"
    );
    let mut total = compressed;
    let mut report = format!("page {compressed} B\n");
    for url in &wanted {
        let res = ann
            .get(server.url(url))
            .header("accept-encoding", ACCEPT)
            .send()
            .await
            .expect("asset");
        assert_eq!(res.status(), 200, "{url}");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{url} is cached for ever"
        );
        if url.starts_with("/assets/") {
            let name = url.trim_start_matches("/assets/");
            let versioned = name.contains("4.0.1")
                || name
                    .split('.')
                    .any(|part| part.len() == 8 && part.bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(versioned, "{url} carries a version or a content hash");
        }
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or_default()),
            Some("br"),
            "{url} is compressed"
        );
        let bytes = res.bytes().await.expect("asset bytes").len();
        report.push_str(&format!("{url} {bytes} B\n"));
        total += bytes;
    }
    eprintln!("first load of a room with 20 messages: {total} B compressed\n{report}");
    assert!(
        total < 50_000,
        "a room's first load is well under 100 KB: {total} B\n{report}"
    );

    // A changed stylesheet gets a new name, so nobody keeps an old one.
    let style = wanted
        .iter()
        .find(|u| u.starts_with("/assets/style."))
        .expect("the stylesheet");
    let stale = ann
        .get(server.url("/assets/style.00000000.css"))
        .send()
        .await
        .expect("old name");
    assert_eq!(stale.status(), 404, "only {style} is served");
    server.shut_down().await;
}
