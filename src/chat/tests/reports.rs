//! What reaches the operators: reports kept with the message, the room, the
//! reason and both sessions, once per reporter and message, bounded; the
//! moderators' action log, newest first and bounded; the live rooms.

use time::OffsetDateTime;

use super::*;
use crate::chat::rules::{MAX_ACTIONS, MAX_REPORTS};

/// A moment with no more than milliseconds in it, as every store keeps times.
fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000 + secs).expect("a time")
}

fn said(author: &Member, seq: u64, text: Option<&str>) -> Said {
    Said {
        id: EventId { epoch: 7, seq },
        author: author.author(),
        member: author.id,
        text: text.map(say),
        at: at(0),
        muted: false,
    }
}

fn report_of(message: Said, reporter: &Member, reason: ReportReason) -> NewReport {
    NewReport {
        code: general(),
        message,
        reason,
        reporter: reporter.id,
        at: at(60),
    }
}

fn action(n: usize) -> Action {
    Action {
        at: at(n as i64),
        moderator: "m1".into(),
        what: format!("Muted for {n} minutes"),
        session: Some(format!("s{n}")),
        room: Some(general()),
    }
}

async fn a_report_keeps_the_message_the_room_the_reason_and_both_sessions(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let sent = report_of(said(&ann, 3, Some("buy now")), &bob, ReportReason::Spam);
    let id = chat.report(sent.clone()).await.expect("kept").expect("new");
    let expected = Report {
        id,
        code: sent.code,
        message: sent.message,
        reason: sent.reason,
        reporter: bob.id,
        at: sent.at,
    };
    assert_eq!(chat.reports().await.expect("read"), vec![expected.clone()]);
    assert_eq!(chat.open_report(id).await.expect("read"), Some(expected));
}

async fn a_deleted_message_is_reported_without_its_text(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let sent = report_of(said(&ann, 3, None), &bob, ReportReason::Other);
    let id = chat.report(sent).await.expect("kept").expect("new");
    let kept = chat.open_report(id).await.expect("read").expect("open");
    assert_eq!(kept.message.text, None);
}

async fn reporting_the_same_message_twice_counts_once(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cat) = (member("Ann"), member("Bob"), member("Cat"));
    let message = said(&ann, 3, Some("rude"));
    let first = report_of(message.clone(), &bob, ReportReason::Harassment);
    assert!(chat.report(first).await.expect("kept").is_some());
    let again = report_of(message.clone(), &bob, ReportReason::Hate);
    assert_eq!(chat.report(again).await.expect("answered"), None);
    let other = report_of(message, &cat, ReportReason::Hate);
    assert!(
        chat.report(other).await.expect("kept").is_some(),
        "another member's report is its own"
    );
    let another = report_of(said(&ann, 4, Some("ruder")), &bob, ReportReason::Hate);
    assert!(chat.report(another).await.expect("kept").is_some());
    assert_eq!(chat.reports().await.expect("read").len(), 3);
}

async fn a_closed_report_leaves_the_open_ones(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let one = report_of(said(&ann, 1, Some("a")), &bob, ReportReason::Spam);
    let two = report_of(said(&ann, 2, Some("b")), &bob, ReportReason::Spam);
    let one = chat.report(one.clone()).await.expect("kept").expect("new");
    let two = chat.report(two).await.expect("kept").expect("new");
    let ids = |reports: Vec<Report>| reports.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(chat.reports().await.expect("read")),
        [two, one],
        "newest first"
    );
    assert!(chat.close_report(one).await.expect("closed"));
    assert!(
        !chat.close_report(one).await.expect("answered"),
        "closed once"
    );
    assert_eq!(chat.open_report(one).await.expect("read"), None);
    assert_eq!(ids(chat.reports().await.expect("read")), [two]);
    let again = report_of(said(&ann, 1, Some("a")), &bob, ReportReason::Spam);
    assert!(
        chat.report(again).await.expect("kept").is_some(),
        "once closed, the message may be reported again"
    );
}

async fn open_reports_are_bounded_and_the_oldest_go(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let mut first = None;
    for seq in 0..=MAX_REPORTS as u64 {
        let sent = report_of(said(&ann, seq, Some("x")), &bob, ReportReason::Spam);
        let id = chat.report(sent).await.expect("kept").expect("new");
        first.get_or_insert(id);
    }
    let open = chat.reports().await.expect("read");
    assert_eq!(open.len(), MAX_REPORTS);
    let first = first.expect("one was made");
    assert!(open.iter().all(|r| r.id != first), "the oldest went");
    assert_eq!(chat.open_report(first).await.expect("read"), None);
    let again = report_of(said(&ann, 0, Some("x")), &bob, ReportReason::Spam);
    assert!(
        chat.report(again).await.expect("kept").is_some(),
        "a report that went no longer counts against its reporter"
    );
}

async fn the_action_log_keeps_the_newest_first_and_is_bounded(kit: Kit) {
    let chat = kit.store().await;
    assert_eq!(chat.actions().await.expect("read"), []);
    for n in 0..MAX_ACTIONS + 2 {
        chat.record(action(n)).await.expect("kept");
    }
    let log = chat.actions().await.expect("read");
    assert_eq!(log.len(), MAX_ACTIONS);
    assert_eq!(log[0], action(MAX_ACTIONS + 1));
    assert_eq!(log[MAX_ACTIONS - 1], action(2));
    let bare = Action {
        session: None,
        room: None,
        ..action(1)
    };
    chat.record(bare.clone()).await.expect("kept");
    assert_eq!(chat.actions().await.expect("read")[0], bare);
}

async fn the_live_rooms_are_listed_with_their_member_counts_busiest_first(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.enter(&general(), &ann).await.expect("enter");
    chat.enter(&general(), &bob).await.expect("enter");
    let private = chat.create_room(&ann, None).await.expect("made");
    let rooms = chat.live_rooms().await.expect("read");
    let listed: Vec<(RoomCode, usize, bool, bool)> = rooms
        .into_iter()
        .map(|r| (r.code, r.members, r.public, r.pair))
        .collect();
    assert_eq!(
        listed,
        [(general(), 2, true, false), (private, 1, false, false)]
    );
}

on_both_stores!(
    a_report_keeps_the_message_the_room_the_reason_and_both_sessions,
    a_deleted_message_is_reported_without_its_text,
    reporting_the_same_message_twice_counts_once,
    a_closed_report_leaves_the_open_ones,
    open_reports_are_bounded_and_the_oldest_go,
    the_action_log_keeps_the_newest_first_and_is_bounded,
    the_live_rooms_are_listed_with_their_member_counts_busiest_first,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_and_an_action_made_on_one_server_are_read_on_another() {
    let Some(kit) = Kit::redis() else { return };
    let one = kit.store().await;
    let two = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let id = one
        .report(report_of(
            said(&ann, 3, Some("x")),
            &bob,
            ReportReason::Spam,
        ))
        .await
        .expect("kept")
        .expect("new");
    let again = report_of(said(&ann, 3, Some("x")), &bob, ReportReason::Spam);
    assert_eq!(
        two.report(again).await.expect("answered"),
        None,
        "once over servers"
    );
    assert_eq!(
        two.open_report(id).await.expect("read").map(|r| r.id),
        Some(id)
    );
    one.record(action(1)).await.expect("kept");
    assert_eq!(two.actions().await.expect("read"), [action(1)]);
    assert!(two.close_report(id).await.expect("closed"));
    assert_eq!(one.reports().await.expect("read"), []);
}
