//! A message read back by its id, and deleted: by its author within
//! `rules::DELETE_WITHIN`, by a moderator any time. What stands in its
//! place keeps the place, in history and on every stream, with one frame of
//! its own that a resuming stream gets in order; its text is gone.

use super::*;

/// `kit` with a clock that the test moves by hand, on both stores (wall
/// time is what a message's age is told by).
fn movable(mut kit: Kit) -> Kit {
    if kit.redis.is_none() {
        kit.clock = Clock::movable();
    }
    kit
}

/// `who` says `text` in the general room; the message's id, as heard on
/// `rx`.
async fn said(
    chat: &dyn Store,
    rx: &mut tokio::sync::broadcast::Receiver<Frame>,
    who: &Member,
    text: &str,
) -> EventId {
    chat.post(&general(), who.id, say(text))
        .await
        .expect("post");
    let wanted = format!("{}: {text}", who.name);
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("heard in time")
            .expect("the room goes on");
        if frame.sse == wanted.as_bytes() {
            return frame.id;
        }
    }
}

/// The page-load items' texts, deletions (no items) left out.
fn items(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .items
        .iter()
        .filter(|f| f.kind == FrameKind::Log)
        .map(|f| String::from_utf8_lossy(&f.html).into_owned())
        .collect()
}

async fn a_kept_message_is_found_by_its_id(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut sub = listen(&*chat, &ann).await;
    let id = said(&*chat, &mut sub.rx, &ann, "hello").await;
    let found = chat
        .message(&general(), id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(found.id, id);
    assert_eq!(found.author, ann.author());
    assert_eq!(found.member, ann.id);
    assert_eq!(found.text, Some(say("hello")));
    let joined = EventId { seq: 1, ..id };
    assert_eq!(
        chat.message(&general(), joined).await.expect("read"),
        None,
        "a notice is no message"
    );
    assert_eq!(
        chat.message(&general(), id.next()).await.expect("read"),
        None
    );
    let other_life = EventId { epoch: 1, ..id };
    assert_eq!(
        chat.message(&general(), other_life).await.expect("read"),
        None
    );
}

async fn its_author_deletes_a_message_in_its_place_with_one_frame(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(&*chat, &ann).await;
    let mut bobs = listen(&*chat, &bob).await;
    let id = said(&*chat, &mut anns.rx, &ann, "a secret").await;
    said(&*chat, &mut anns.rx, &bob, "after it").await;
    drain(&mut bobs.rx);
    chat.delete(&general(), id, Deleter::Author(ann.id))
        .await
        .expect("deleted");
    let frame = tokio::time::timeout(Duration::from_secs(60), bobs.rx.recv())
        .await
        .expect("heard")
        .expect("frame");
    assert_eq!(frame.kind, FrameKind::Deletion);
    assert!(frame.id > id.next(), "numbered after what came before");
    assert_eq!(String::from_utf8_lossy(&frame.sse), "Ann: [deleted]");
    assert!(drain(&mut bobs.rx).is_empty(), "one frame");

    let page = chat.enter(&general(), &bob).await.expect("reload");
    let texts = items(&page);
    assert_eq!(
        &texts[texts.len() - 2..],
        ["Ann: [deleted]", "Bob: after it"],
        "in its place"
    );
    assert_eq!(page.last, frame.id);
    assert!(
        page.items
            .iter()
            .all(|f| !String::from_utf8_lossy(&f.html).contains("secret")
                && !String::from_utf8_lossy(&f.sse).contains("secret")),
        "its text is gone"
    );
    let gone = chat.message(&general(), id).await.expect("read");
    assert_eq!(gone.map(|m| (m.text, m.member)), Some((None, ann.id)));
    // Deleting again changes nothing and says nothing.
    chat.delete(&general(), id, Deleter::Author(ann.id))
        .await
        .expect("already deleted");
    chat.delete(&general(), id, Deleter::Moderator)
        .await
        .expect("already deleted");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(drain(&mut bobs.rx).is_empty());
}

async fn late_and_foreign_deletes_are_refused(kit: Kit) {
    let kit = movable(kit);
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(&*chat, &ann).await;
    let _bobs = listen(&*chat, &bob).await;
    let id = said(&*chat, &mut anns.rx, &ann, "mine").await;
    let foreign = chat.delete(&general(), id, Deleter::Author(bob.id)).await;
    assert_eq!(foreign, Err(ChatError::NotYours));
    kit.clock
        .advance(rules::DELETE_WITHIN - Duration::from_secs(1));
    let late = said(&*chat, &mut anns.rx, &ann, "late").await;
    kit.clock.advance(Duration::from_secs(2));
    let refused = chat.delete(&general(), id, Deleter::Author(ann.id)).await;
    assert_eq!(refused, Err(ChatError::TooLateToDelete));
    assert!(refused.is_err_and(|why| why.to_string().contains("first 5 minutes")));
    let kept = chat.message(&general(), id).await.expect("read");
    assert_eq!(kept.and_then(|m| m.text), Some(say("mine")));
    chat.delete(&general(), late, Deleter::Author(ann.id))
        .await
        .expect("the later one is young enough");
    let unknown = late.next().next().next();
    let refused = chat.delete(&general(), unknown, Deleter::Moderator).await;
    assert_eq!(refused, Err(ChatError::NoSuchMessage));
}

async fn a_moderator_deletes_any_message_any_time(kit: Kit) {
    let kit = movable(kit);
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut anns = listen(&*chat, &ann).await;
    let mut bobs = listen(&*chat, &bob).await;
    let id = said(&*chat, &mut anns.rx, &ann, "old news").await;
    kit.clock.advance(rules::DELETE_WITHIN * 10);
    drain(&mut bobs.rx);
    chat.delete(&general(), id, Deleter::Moderator)
        .await
        .expect("removed");
    let got = hear(&mut bobs.rx, "Ann: [removed]").await;
    let heard: Vec<&String> = got.iter().filter(|t| !t.starts_with("online")).collect();
    assert_eq!(heard, ["Ann: [removed]"]);
    let page = chat.enter(&general(), &bob).await.expect("reload");
    assert!(items(&page).contains(&"Ann: [removed]".to_owned()));
}

async fn a_stream_resuming_between_a_message_and_its_deletion_gets_the_deletion(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let mut anns = listen(&*chat, &ann).await;
    let id = said(&*chat, &mut anns.rx, &ann, "oops").await;
    chat.delete(&general(), id, Deleter::Author(ann.id))
        .await
        .expect("deleted");
    let resumed = chat
        .subscribe(&general(), ann.id, Some(id))
        .await
        .expect("resume");
    let missed: Vec<(FrameKind, String)> = resumed
        .backlog
        .iter()
        .filter(|f| f.kind != FrameKind::Online)
        .map(|f| (f.kind, String::from_utf8_lossy(&f.sse).into_owned()))
        .collect();
    assert_eq!(missed, [(FrameKind::Deletion, "Ann: [deleted]".to_owned())]);
    let before = chat
        .subscribe(
            &general(),
            ann.id,
            Some(EventId {
                seq: id.seq - 1,
                ..id
            }),
        )
        .await
        .expect("resume");
    let missed: Vec<(FrameKind, String)> = before
        .backlog
        .iter()
        .filter(|f| f.kind != FrameKind::Online)
        .map(|f| (f.kind, String::from_utf8_lossy(&f.sse).into_owned()))
        .collect();
    assert_eq!(
        missed,
        [
            (FrameKind::Log, "Ann: [deleted]".to_owned()),
            (FrameKind::Deletion, "Ann: [deleted]".to_owned())
        ],
        "the message in its deleted form, then the deletion, in order"
    );
}

on_both_stores!(
    a_kept_message_is_found_by_its_id,
    its_author_deletes_a_message_in_its_place_with_one_frame,
    late_and_foreign_deletes_are_refused,
    a_moderator_deletes_any_message_any_time,
    a_stream_resuming_between_a_message_and_its_deletion_gets_the_deletion,
);
