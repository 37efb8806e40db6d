//! The moderator console: signing in and out with the keyboard alone, a
//! wrong token said beside the box, the console's reports, rooms and action
//! log, axe clean in the light and the dark theme, JavaScript on and off.

use livechat::chat::{
    EventId, Member, MemberId, MessageText, Name, NewReport, ReportReason, Said, Seed,
};
use time::OffsetDateTime;

use super::*;

const TOKEN: &str = "a long moderator token for the browser test";

/// Hank's message, reported to the moderators by Bob.
fn report(seq: u64, text: &str, reason: ReportReason) -> NewReport {
    let hank = Member {
        id: MemberId::random(),
        name: Name::parse("Hank", 32).expect("name"),
        seed: Seed::random(),
    };
    NewReport {
        code: livechat::chat::RoomCode::parse_slug("general").expect("slug"),
        message: Said {
            id: EventId { epoch: 1, seq },
            author: hank.author(),
            member: hank.id,
            text: Some(MessageText::parse(text, 2000).expect("text")),
            at: OffsetDateTime::now_utc(),
            muted: false,
        },
        reason,
        reporter: MemberId::random(),
        at: OffsetDateTime::now_utc(),
    }
}

/// Signs in and out at the console by keyboard, a wrong token first, and
/// closes a report; axe on the sign-in form (with and without its alert) and
/// on the console, light with JavaScript and dark without it. The README's
/// pictures (`tests/screenshots/console-{light,dark}.png` with
/// `LIVECHAT_SCREENSHOTS=1`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_signs_in_by_keyboard_and_passes_axe_in_light_and_dark() {
    let Some(Stage { server, mut driver }) = stage_with(&["--admin-token", TOKEN]).await else {
        return;
    };
    let chat = &server.state.chat;
    for (n, text, reason) in [
        (7, "Buy followers now at spam.example", ReportReason::Spam),
        (9, "Nobody wants you here, leave", ReportReason::Harassment),
    ] {
        chat.report(report(n, text, reason))
            .await
            .expect("a report is kept");
    }
    let ann = driver.person("Ann", Js::On).await;
    ann.create_room(&server, "Ann").await;
    for (js, switches, theme) in [(Js::On, &[][..], "light"), (Js::Off, DARK, "dark")] {
        let state = |what: &str| format!("{what}, {theme} theme");
        let moderator = driver.person_with("Mod", js, switches).await;
        moderator.set_viewport(1024, 900).await;
        moderator.open(&server.url("/admin")).await;
        moderator.textbox("Token").await;
        // Measured again on a page: a blank one may not have its size yet.
        moderator.set_viewport(1024, 900).await;
        assert_no_axe_violations(&moderator.c, &state("the sign-in form")).await;

        moderator.tab_to("#token").await;
        moderator.type_text("not the token").await;
        moderator.mark_page().await;
        moderator.key(Key::Enter).await;
        moderator.wait_for_new_page().await;
        moderator
            .find(
                "//p[@role='alert' and starts-with(normalize-space(), 'That token is not right')]",
            )
            .await;
        moderator.wait_for_focus("#token").await;
        assert_eq!(
            moderator.value("Token").await,
            "",
            "the wrong token is not shown again"
        );
        assert_no_axe_violations(&moderator.c, &state("a wrong token")).await;

        moderator.type_text(TOKEN).await;
        moderator.mark_page().await;
        moderator.key(Key::Enter).await;
        moderator.wait_for_new_page().await;
        moderator.wait_for_path("/admin").await;
        moderator
            .find("//h2[starts-with(normalize-space(), 'Open reports')]")
            .await;
        moderator
            .find("//blockquote[normalize-space()='Buy followers now at spam.example']")
            .await;
        moderator
            .find("//th[starts-with(normalize-space(), 'general')]")
            .await;
        if theme == "light" {
            // The newest report first: closing the first closes it.
            moderator.tab_to("button:Close report").await;
            moderator.mark_page().await;
            moderator.key(Key::Enter).await;
            moderator.wait_for_new_page().await;
            moderator
                .find("//h2[normalize-space()='Open reports (1)']")
                .await;
            moderator
                .find("//td[starts-with(normalize-space(), 'Closed report')]")
                .await;
        }
        moderator.script("document.activeElement.blur()").await;
        moderator
            .screenshot(&format!("console-{theme}.png"), (1024, 900))
            .await;
        assert_no_axe_violations(&moderator.c, &state("the console")).await;
        moderator.set_viewport(320, 640).await;
        moderator
            .assert_no_sideways_scrolling(&state("the console at 320 px"))
            .await;
        assert_no_axe_violations(&moderator.c, &state("the console at 320 px")).await;

        moderator.activate("button:Sign out").await;
        moderator.textbox("Token").await;
        moderator.open(&server.url("/admin")).await;
        moderator.textbox("Token").await;
        moderator.close().await;
    }
    ann.close().await;
    server.shut_down().await;
}
