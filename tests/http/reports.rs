//! Reporting a message (`POST /r/{code}/m/{id}/report`): members only, one
//! of the reasons, thanked back in the room (or with a fragment), counted
//! once per message, limited per member and per address.

use std::sync::Arc;

use super::moderated::Moderated;
use super::*;
use livechat::chat::rate::MemoryLimits;
use livechat::chat::{Member, MemberId, Name, ReportReason, Reports, Seed};

/// `--member-reports` and `--address-reports` as they are by default.
const MEMBER_REPORTS: usize = 10;
const ADDRESS_REPORTS: usize = 30;

/// A site whose every message is said by Ann, and Bob in its general room.
async fn bob_in_general() -> (Visitor, Arc<Moderated>, Member) {
    let config = common::config(&[]);
    let store = Moderated::new(&config);
    let (state, trigger) =
        AppState::with_chat(config, store.clone(), &MemoryLimits).expect("config");
    let ann = Member {
        id: MemberId::random(),
        name: Name::parse("Ann", 32).expect("name"),
        seed: Seed::random(),
    };
    *store.author.lock().expect("not poisoned") = Some(ann.clone());
    let mut bob = Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    };
    bob.join("Bob", "general").await;
    (bob, store, ann)
}

#[tokio::test]
async fn a_report_is_kept_with_both_sessions_and_the_reporter_is_thanked_in_the_room() {
    let (mut bob, store, ann) = bob_in_general().await;
    let answer = bob
        .post("/r/general/m/5-3/report", &[("reason", "harassment")])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/r/general?reported");
    let room = bob.get(answer.location()).await;
    room.assert_has("role=\"status\">Thanks: your report was sent to the moderators</p>");
    let reports = store.reports().await.expect("read");
    let [report] = reports.as_slice() else {
        panic!("one report: {reports:?}")
    };
    assert_eq!(report.code.as_str(), "general");
    assert_eq!(report.message.id.to_string(), "5-3");
    assert_eq!(report.message.member, ann.id);
    assert_eq!(report.reason, ReportReason::Harassment);
    assert_ne!(report.reporter, ann.id);
    let plain = bob.get("/r/general").await;
    assert!(
        !plain.body.contains("Thanks: your report"),
        "only when back from one"
    );
    let other = bob.get("/r/general?reported=%3Cscript%3E").await;
    assert!(!other.body.contains("script%3E") && !other.body.contains("<script>alert"));
}

#[tokio::test]
async fn with_htmx_the_thanks_is_a_fragment() {
    let (mut bob, _, _) = bob_in_general().await;
    let answer = bob
        .htmx_post("/r/general/m/5-3/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.assert_has("role=\"status\">Thanks: your report was sent to the moderators</p>");
    assert!(!answer.body.contains("<html"), "a fragment, not a page");
}

#[tokio::test]
async fn reporting_the_same_message_twice_counts_once() {
    let (mut bob, store, _) = bob_in_general().await;
    for reason in ["spam", "hate"] {
        let answer = bob
            .post("/r/general/m/5-3/report", &[("reason", reason)])
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "told the same");
    }
    assert_eq!(store.reports().await.expect("read").len(), 1);
    // The repeats did not use up the member's reports.
    for seq in 0..MEMBER_REPORTS - 1 {
        let path = format!("/r/general/m/6-{seq}/report");
        let answer = bob.post(&path, &[("reason", "spam")]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{seq}");
    }
}

#[tokio::test]
async fn an_unknown_reason_is_refused_clearly() {
    let (mut bob, store, _) = bob_in_general().await;
    for reason in ["", "SPAM", "rude", "spam&x"] {
        let answer = bob
            .post("/r/general/m/5-3/report", &[("reason", reason)])
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{reason:?}"
        );
        answer.assert_has("Pick one of the reasons to report this message");
    }
    let answer = bob
        .htmx_post("/r/general/m/5-3/report", &[("reason", "rude")])
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    answer.assert_has("Pick one of the reasons to report this message");
    assert!(!answer.body.contains("<html"), "a fragment for htmx");
    assert_eq!(store.reports().await.expect("read"), []);
}

#[tokio::test]
async fn only_members_of_the_room_may_report_and_only_messages_that_are_there() {
    let (bob, store, _) = bob_in_general().await;
    let mut stranger = bob.stranger();
    let answer = stranger
        .post("/r/general/m/5-3/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    stranger.join("Cat", "hobby").await;
    let answer = stranger
        .post("/r/general/m/5-3/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "not in that room");
    let mut bob = bob;
    for path in ["/r/general/m/x/report", "/r/ZZZZ/m/1-1/report"] {
        let answer = bob.post(path, &[("reason", "spam")]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    *store.author.lock().expect("not poisoned") = None;
    let answer = bob
        .post("/r/general/m/5-3/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "no such message");
    assert_eq!(store.reports().await.expect("read"), []);
}

#[tokio::test]
async fn reports_are_limited_per_member() {
    let (mut bob, store, _) = bob_in_general().await;
    let limit = MEMBER_REPORTS;
    for seq in 0..limit {
        let path = format!("/r/general/m/6-{seq}/report");
        let answer = bob.post(&path, &[("reason", "spam")]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{seq}");
    }
    let answer = bob
        .post("/r/general/m/7-1/report", &[("reason", "spam")])
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    answer.assert_has("You are sending reports too fast");
    assert!(answer.headers.get(header::RETRY_AFTER).is_some());
    assert_eq!(store.reports().await.expect("read").len(), limit);
}

#[tokio::test]
async fn reports_are_limited_per_address_over_its_sessions() {
    let (bob, store, _) = bob_in_general().await;
    let limit = ADDRESS_REPORTS;
    let per_member = MEMBER_REPORTS;
    let mut sent = 0;
    for n in 0.. {
        let mut person = bob.stranger();
        person.from = Some(([203, 0, 113, 7], 4000).into());
        person.join(&format!("P{n}"), "general").await;
        for seq in 0..per_member {
            let path = format!("/r/general/m/{n}-{seq}/report");
            let answer = person.post(&path, &[("reason", "spam")]).await;
            if sent == limit {
                assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
                answer.assert_has("Too many reports from your network address");
                assert_eq!(store.reports().await.expect("read").len(), limit);
                return;
            }
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{n} {seq}");
            sent += 1;
        }
    }
}
