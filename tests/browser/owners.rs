//! A room's owner in the browser, with JavaScript on and off and by keyboard
//! alone: "(owner)" in the Online list, **Lock room** and **Unlock room**,
//! the join form saying the room is locked, and axe on the owner's page in
//! the light and dark themes.

use super::*;
use crate::common::TestServer;

/// The owner locks and unlocks by keyboard; meanwhile a newcomer's **Join**
/// says the room is locked, their name kept; afterwards they get in.
async fn lock_and_unlock(server: &TestServer, driver: &mut Chromedriver, js: Js, theme: &[&str]) {
    let how = format!(
        "JavaScript {}, {} theme",
        if js == Js::On { "on" } else { "off" },
        if theme.is_empty() { "light" } else { "dark" }
    );
    let ann = driver.person_with("Ann", js, theme).await;
    let code = ann.create_room(server, "Ann").await;
    ann.find("//ul[@id='online']/li[contains(., 'Ann')][.//span[normalize-space()='(owner)']]")
        .await;
    ann.button("Lock room").await;
    assert_no_axe_violations(&ann.c, &format!("the owner's room page ({how})")).await;

    ann.activate("button:Lock room").await;
    ann.button("Unlock room").await;
    if js == Js::Off {
        // Back on the room's page, which says so by the send form.
        ann.find("//ul[contains(@class, 'room-rules')]/li[normalize-space()='This room is locked: nobody new may join']")
            .await;
    } else {
        ann.wait_for_log("The room was locked: nobody new may join")
            .await;
    }
    // A notice that just arrived fades in (`appear`): a violation that lasts
    // is one, one that goes with the animation is not.
    let state = format!("a locked room, its owner's page ({how})");
    eventually(&state, LIVE, || async {
        let violations = axe_violations(&ann.c, &state).await;
        match violations.is_empty() {
            true => Ok(()),
            false => Err(axe_report(&violations, &state)),
        }
    })
    .await;

    let cy = driver.person_with("Cy", js, theme).await;
    cy.open(&server.url("/")).await;
    cy.fill("Name", "Cy").await;
    cy.fill("Room code", &code).await;
    cy.press("Join").await;
    let words = format!("Room {code} is locked: nobody new may join");
    cy.find(&format!(
        "//p[@role='alert'][normalize-space()={}]",
        xpath_literal(&words)
    ))
    .await;
    cy.wait_for_value("Name", "Cy").await;
    assert_no_axe_violations(&cy.c, &format!("Join refused: the room is locked ({how})")).await;

    ann.activate("button:Unlock room").await;
    ann.button("Lock room").await;
    cy.join_room(server, "Cy", &code).await;
    cy.find("//ul[@id='online']/li[contains(., 'Ann')][.//span[normalize-space()='(owner)']]")
        .await;
    assert!(
        cy.c.find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Lock room']"
        ))
        .await
        .is_err(),
        "only the owner has Lock room ({how})"
    );
    ann.close().await;
    cy.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_locks_and_unlocks_the_room_by_keyboard_with_javascript() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    lock_and_unlock(&server, &mut driver, Js::On, &[]).await;
    lock_and_unlock(&server, &mut driver, Js::On, DARK).await;
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_locks_and_unlocks_the_room_by_keyboard_without_javascript() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    lock_and_unlock(&server, &mut driver, Js::Off, &[]).await;
    lock_and_unlock(&server, &mut driver, Js::Off, DARK).await;
    server.shut_down().await;
}
