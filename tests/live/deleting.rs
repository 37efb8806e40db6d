//! A deletion over real streams: one frame of its own, with its own id,
//! that puts what stands in the message's place over the item on every open
//! page; and the no-JavaScript log document, which cannot take an item
//! back, ending with a reload of itself that shows it.

use common::people::post;

use super::*;

#[tokio::test]
async fn a_deletion_replaces_the_item_on_every_stream_and_reloads_the_log_document() {
    let server = spawn_app(&[]).await;
    let ann = enter(&server, "Ann", "general").await;
    let bob = enter(&server, "Bob", "general").await;
    let mut bobs = bob.stream(&server, "general").await;
    let (_, mut doc) = Growing::open(&bob.http, &server.url("/r/general/log")).await;
    ann.say(&server, "general", "take it back").await;
    let id = bobs.id_of("take it back").await;
    doc.until("take it back").await;

    let res = post(&ann.http, &server, &format!("/r/general/m/{id}/delete"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 303);
    let (epoch, seq) = id.split_once('-').expect("epoch-seq");
    let target = format!("hx-target=\"#e{epoch}-{seq}\"");
    let got = bobs.until(&target).await;
    let deletion = got.last().expect("the deletion");
    assert!(
        deletion.data.starts_with(&format!(
            "<hx-partial {target} hx-swap=\"outerHTML\"><li class=\"msg deleted\" id=\"e{epoch}-{seq}\""
        )),
        "{deletion:?}"
    );
    assert!(deletion.data.contains("Message deleted"), "{deletion:?}");
    assert!(
        !deletion.data.contains("New activity"),
        "nothing new to mark"
    );
    let own: u64 = deletion
        .id
        .as_deref()
        .and_then(|id| id.split_once('-')?.1.parse().ok())
        .expect("an id of its own");
    assert!(own > seq.parse().expect("seq"), "{deletion:?}");

    // A stream resuming from the message gets the deletion, once.
    let url = server.url("/r/general/events");
    let (_, mut resumed) = Sse::open(&bob.http, &url, Some(&id)).await;
    let again = resumed.until("hx-target=\"#online\"").await;
    let deletions = again.iter().filter(|e| e.data.contains(&target)).count();
    assert_eq!(deletions, 1, "{again:?}");

    let text = doc.until_it_ends().await;
    let refresh = text
        .find(r#"<meta http-equiv="refresh" content="0; url=log">"#)
        .expect("the document reloads itself");
    assert!(text[refresh..].contains("A message was deleted."), "{text}");
    let (_, mut reloaded) = Growing::open(&bob.http, &server.url("/r/general/log")).await;
    let again = reloaded.until("Message deleted").await;
    assert!(!again.contains("take it back"), "{again}");
}
