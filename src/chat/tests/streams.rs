//! A stream's log: what a resume gets, how much history is kept, and the
//! whole log for streams that fell behind, rendered once per state.

use super::*;

async fn a_resume_gets_exactly_what_was_missed_in_order(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    post_numbered(&*chat, &ann, 5).await;
    let after_two = EventId {
        seq: snap.last.seq + 2,
        ..snap.last
    };
    let sub = chat
        .subscribe(&general(), ann.id, Some(after_two))
        .await
        .expect("subscribe");
    let texts: Vec<_> = sub
        .backlog
        .iter()
        .map(|f| String::from_utf8_lossy(&f.sse).into_owned())
        .collect();
    assert_eq!(texts, ["Ann: m2", "Ann: m3", "Ann: m4", "online Ann of 1"]);
}

async fn a_resume_from_beyond_the_history_gets_the_whole_log(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    post_numbered(&*chat, &ann, 5).await;
    let sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    assert_eq!(sub.backlog[0].kind, FrameKind::Resync);
    assert_eq!(&sub.backlog[0].sse[..], b"resync 3");
    // An id from another life of the room, or from the future, is resynced too.
    for stale in [
        EventId { epoch: 1, seq: 1 },
        EventId {
            seq: 999,
            ..snap.last
        },
    ] {
        let sub = chat
            .subscribe(&general(), ann.id, Some(stale))
            .await
            .expect("subscribe");
        assert_eq!(sub.backlog[0].kind, FrameKind::Resync);
    }
}

async fn the_history_keeps_only_the_newest(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
    let ann = member("Ann");
    chat.enter(&general(), &ann).await.expect("enter");
    post_numbered(&*chat, &ann, 5).await;
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    assert_eq!(log_texts(&snap), ["Ann: m2", "Ann: m3", "Ann: m4"]);
    let ids: Vec<u64> = snap.items.iter().map(|f| f.id.seq).collect();
    assert_eq!(
        ids,
        [4, 5, 6],
        "ids keep counting while the ring drops the oldest"
    );
}

async fn many_streams_resyncing_at_once_render_the_log_once(kit: Kit) {
    let chat = kit.store_with(3, 50, 1000).await;
    let ann = member("Ann");
    let snap = chat.enter(&general(), &ann).await.expect("enter");
    post_numbered(&*chat, &ann, 5).await;
    let before = chat.stats().await.resyncs;
    let room = general();
    let view = View::of(ann.seed.clone());
    // Streams resuming from beyond the history, and streams that fell behind.
    let (subs, resyncs) = tokio::join!(
        futures_util::future::join_all((0..20).map(|_| chat.subscribe(
            &room,
            ann.id,
            Some(snap.last)
        ))),
        futures_util::future::join_all((0..20).map(|_| chat.resync(&room, &view))),
    );
    for sub in subs {
        let sub = sub.expect("subscribe");
        assert_eq!(&sub.backlog[0].sse[..], b"resync 3");
    }
    for resync in resyncs {
        let (frame, _) = resync.expect("the room is followed");
        assert_eq!(&frame.sse[..], b"resync 3");
    }
    assert_eq!(
        chat.stats().await.resyncs - before,
        1,
        "one render of the whole log for one state of it"
    );
    chat.post(&general(), ann.id, say("m5"))
        .await
        .expect("post");
    let _sub = chat
        .subscribe(&general(), ann.id, Some(snap.last))
        .await
        .expect("subscribe");
    assert_eq!(chat.stats().await.resyncs - before, 2, "the log grew");
}

on_both_stores!(
    a_resume_gets_exactly_what_was_missed_in_order,
    a_resume_from_beyond_the_history_gets_the_whole_log,
    the_history_keeps_only_the_newest,
    many_streams_resyncing_at_once_render_the_log_once,
);
