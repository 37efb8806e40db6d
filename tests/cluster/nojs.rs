//! The server's own refusals, as htmx and plain pages get them, while the
//! store is out of reach.

use super::common::cluster::cluster;
use super::common::people::{enter, post};

/// With Redis out of reach a message sent with htmx is refused `503` as a
/// partial over the send form, with the server's words and the text kept:
/// the form swaps no 5xx (a proxy's page must never land in it), but htmx
/// applies partials whatever the status, so these words are said instead of
/// "no connection".
#[tokio::test]
async fn a_send_refused_while_the_store_is_out_of_reach_says_the_servers_words() {
    let Some(mut c) = cluster(1, &[]).await else {
        return;
    };
    let ann = enter(c.node(0), "Ann", "general").await;
    c.redis.stop().await;
    let res = ann.send(c.node(0), "general", "during").await;
    assert_eq!(res.status(), 503);
    let body = res.text().await.expect("body");
    assert!(
        body.starts_with(r##"<hx-partial hx-target="#send" hx-swap="outerHTML"><form"##),
        "{body}"
    );
    assert!(body.contains("The chat cannot be reached"), "{body}");
    assert!(
        body.contains(r#"value="during""#),
        "the text is kept: {body}"
    );

    // Without htmx: the room's page or the refused page, not a partial.
    let plain = post(&ann.http, c.node(0), "/r/general/messages")
        .form(&[("text", "plain")])
        .send()
        .await
        .expect("post");
    assert_eq!(plain.status(), 503);
    let page = plain.text().await.expect("body");
    assert!(!page.contains("<hx-partial"), "{page}");
    assert!(page.contains(r#"value="plain""#), "{page}");
}
