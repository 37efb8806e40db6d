//! Ignoring someone from their page in the room, by keyboard alone, with
//! JavaScript and without: their messages stop reaching the ignorer, the
//! ignorer's own page lists them with a way back, and axe finds nothing on
//! a person's page in the light and the dark theme.

use super::*;

/// Where each name of the Online list links, as the page (or, without
/// JavaScript, its Online document) has it.
async fn person_links(person: &Person, js: Js) -> Vec<(String, String)> {
    let root = match js {
        Js::On => "document",
        Js::Off => "document.querySelector('iframe.online-frame').contentDocument",
    };
    let script = format!(
        "const d = {root}; if (!d) return [];
         const lists = d.querySelectorAll('ul.online');
         const list = lists[lists.length - 1];
         return list ? [...list.querySelectorAll('a.person')]
            .map(a => [a.textContent.trim(), a.getAttribute('href')]) : [];"
    );
    let found = person.script(&script).await;
    serde_json::from_value(found).unwrap_or_default()
}

/// Waits until the Online list links to `name`'s page; where it leads.
async fn link_to(person: &Person, js: Js, name: &str) -> String {
    let what = format!("{}'s Online list links to {name}", person.who);
    eventually(&what, LIVE, || async {
        let links = person_links(person, js).await;
        links
            .iter()
            .find(|(text, _)| text == name)
            .map(|(_, href)| href.clone())
            .ok_or_else(|| format!("{links:?}"))
    })
    .await
}

/// Ann ignores Bob from his page and stops again from her own, by keyboard,
/// in a room of three (Cy's messages show that Ann's log is live).
async fn ignore_by_keyboard(js: Js, theme: &[&str]) {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person_with("Ann", js, theme).await;
    let bob = driver.person("Bob", Js::On).await;
    let cy = driver.person("Cy", Js::On).await;
    let code = bob.create_room(&server, "Bob").await;
    cy.join_room(&server, "Cy", &code).await;
    ann.join_room(&server, "Ann", &code).await;
    let room = format!("/r/{code}");
    ann.wait_for_page_log(js, "Cy joined").await;

    // To Bob's page: by Tab and Enter from the Online list with
    // JavaScript; without, the list is in its own document, whose link is
    // followed for the whole window like any link.
    let bobs_page = link_to(&ann, js, "Bob").await;
    match js {
        Js::On => ann.activate("a:Bob").await,
        Js::Off => ann.open(&server.url(&bobs_page)).await,
    }
    ann.wait_for_path(&bobs_page).await;
    ann.find("//h1[contains(normalize-space(), 'Bob')]").await;
    assert_no_axe_violations(&ann.c, "Bob's page, seen by Ann").await;

    ann.mark_page().await;
    ann.activate("button:Ignore Bob").await;
    match js {
        Js::On => {
            ann.find("//p[@role='status'][contains(., 'You ignore Bob now')]")
                .await;
            ann.wait_for_focus("button:Stop ignoring Bob").await;
            assert_no_axe_violations(&ann.c, "Bob's page, just ignored").await;
            ann.activate("a:Back to the room").await;
        }
        Js::Off => ann.wait_for_new_page().await,
    }
    ann.wait_for_path(&room).await;

    bob.send("buy my spam", Submit::Enter).await;
    cy.wait_for_log("buy my spam").await;
    cy.send("hello Ann", Submit::Enter).await;
    ann.wait_for_page_log(js, "hello Ann").await;
    let shown = match js {
        Js::On => ann.log_text().await.must("Ann's log"),
        Js::Off => ann
            .frame_log_text(&ann.log_frame().await)
            .await
            .must("Ann's log"),
    };
    assert!(!shown.contains("buy my spam"), "Ann's log:\n{shown}");

    // Her own page lists Bob; Stop ignoring brings him back.
    let own = link_to(&ann, js, "Ann").await;
    ann.open(&server.url(&own)).await;
    ann.find("//h2[normalize-space()='People you ignore']")
        .await;
    assert_no_axe_violations(&ann.c, "Ann's own page, ignoring Bob").await;
    ann.mark_page().await;
    ann.activate("button:Stop ignoring Bob").await;
    match js {
        Js::On => {
            ann.find("//p[@role='status'][contains(., 'You no longer ignore Bob')]")
                .await;
            ann.wait_for_focus("button:Ignore Bob").await;
            ann.open(&server.url(&room)).await;
        }
        Js::Off => ann.wait_for_new_page().await,
    }
    ann.wait_for_path(&room).await;
    bob.send("back again", Submit::Enter).await;
    ann.wait_for_page_log(js, "back again").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_from_a_persons_page_by_keyboard_with_javascript() {
    ignore_by_keyboard(Js::On, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_from_a_persons_page_by_keyboard_without_javascript_in_the_dark() {
    ignore_by_keyboard(Js::Off, DARK).await;
}
