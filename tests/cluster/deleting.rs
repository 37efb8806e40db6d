//! A deletion made on one server, seen on another: the item replaced on a
//! stream open there, in its page load, on its message page, and on a
//! stream that resumes there from before the deletion.

use super::*;

#[tokio::test]
async fn a_deletion_on_one_server_replaces_the_message_on_another() {
    let Some((c, ann, mut anns)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let (bob, mut bobs) = member(b, "Bob", "general").await;
    ann.say(a, "general", "said on A").await;
    let id = bobs.id_of("said on A").await;
    anns.until("said on A").await;
    bob.say(b, "general", "after it").await;
    bobs.until("after it").await;

    let res = post(&ann.http, a, &format!("/r/general/m/{id}/delete"))
        .send()
        .await
        .expect("delete on A");
    assert_eq!(res.status(), 303);
    let (epoch, seq) = id.split_once('-').expect("epoch-seq");
    let target = format!("hx-target=\"#e{epoch}-{seq}\"");
    let got = bobs.until(&target).await;
    assert!(
        got.last()
            .is_some_and(|e| e.data.contains("Message deleted")),
        "{got:?}"
    );

    let page = get_text(&bob.http, &b.url("/r/general")).await;
    let log = between(&page, "id=\"log-items\"", "</ol>");
    let deleted = log
        .find(&format!("<li class=\"msg deleted\" id=\"e{epoch}-{seq}\""))
        .expect("in its place on B");
    let after = log.find(">after it<").expect("Bob's message");
    assert!(deleted < after, "{log}");
    assert!(!log.contains("said on A"), "{log}");
    let own = get_text(&ann.http, &b.url(&format!("/r/general/m/{id}"))).await;
    assert!(own.contains("This message was deleted."), "{own}");

    // A page on B that last saw the message comes back on B.
    let url = b.url("/r/general/events");
    let (_, mut resumed) = Sse::open(&bob.http, &url, Some(&id)).await;
    let again = resumed.until(&target).await;
    assert!(
        again.iter().all(|e| !e.data.contains("said on A")),
        "{again:?}"
    );
}
