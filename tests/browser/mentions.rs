//! Links and mentions in messages as people see and hear them: an address
//! is a safe link that wraps at 320 px; a mention is highlighted and read
//! "mentions you" for the person it names, and for nobody else, with
//! JavaScript and without.

use super::*;

/// How the mention of `needle` looks on this document: its weight, and the
/// words its badge shows; `null` when no mention holds it.
const MENTION_LOOK: &str = "const m = [...document.querySelectorAll('.mention')]
    .find(e => e.textContent.includes(arguments[0]));
    if (!m) return null;
    const badge = m.querySelector('.mentions-you');
    return [getComputedStyle(m).fontWeight, getComputedStyle(badge, '::before').content];";

/// The links in the log whose address starts with `arguments[0]`: their
/// `rel` and `target`.
const LINKS: &str = "return [...document.querySelectorAll('[role=log] .text a')]
    .filter(a => a.href.startsWith(arguments[0]))
    .map(a => [a.rel, a.getAttribute('target')]);";

async fn mention_look(who: &Person, needle: &str) -> serde_json::Value {
    who.c
        .execute(MENTION_LOOK, vec![json!(needle)])
        .await
        .must("the mention's look")
}

fn marked_for_me(look: &serde_json::Value) -> bool {
    look[0].as_str() == Some("700") && look[1].as_str() == Some("\"mentions you\"")
}

/// Ann (JavaScript) mentions Bob (no JavaScript) beside a long address, then
/// Cy (JavaScript): each sees and hears their own mention, and only theirs;
/// the address is a link with its `rel` and no `target`; at 320 px nothing
/// scrolls sideways; axe finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_is_highlighted_and_read_only_for_whom_it_names() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    let cy = driver.person("Cy", Js::On).await;

    let room = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &room).await;
    cy.join_room(&server, "Cy", &room).await;
    let room_path = ann.path().await;

    let url = format!("https://example.com/{}", "long-address-".repeat(30));
    let first = format!("@bob look: {url}.");
    ann.send_and_see(Js::On, &room_path, &first).await;
    cy.wait_for_log("@bob look").await;

    // Cy with JavaScript: the link, no mark of Bob's mention for Cy.
    let links =
        cy.c.execute(LINKS, vec![json!("https://example.com/")])
            .await
            .must("the links");
    assert_eq!(
        links,
        json!([["nofollow ugc noopener noreferrer", null]]),
        "one link, its rel, no target (the final full stop left out)"
    );
    assert!(!marked_for_me(&mention_look(&cy, "bob").await), "not Cy's");
    let heard = cy.spoken_item("look:").await.unwrap_or_default();
    assert!(!heard.contains("mentions you"), "Cy hears {heard:?}");
    cy.set_viewport(320, 640).await;
    cy.assert_no_sideways_scrolling("a long address at 320 px")
        .await;
    assert_no_axe_violations(&cy.c, "a mention of someone else and a link").await;

    // Bob without JavaScript, in the log document: his own mention.
    bob.wait_for_page_log(Js::Off, "look:").await;
    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    let look = mention_look(&bob, "bob").await;
    assert!(marked_for_me(&look), "Bob's own mention looks {look}");
    let heard = bob.spoken_item("look:").await.unwrap_or_default();
    assert!(
        heard.contains("@ | bob | mentions you"),
        "Bob hears {heard:?}"
    );
    assert_no_axe_violations(&bob.c, "one's own mention, the log document").await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");
    bob.set_viewport(320, 640).await;
    bob.assert_no_sideways_scrolling("a long address at 320 px, no JavaScript")
        .await;

    // Cy's turn, with JavaScript: Cy's mention is Cy's alone.
    ann.send_and_see(Js::On, &room_path, "and @Cy too").await;
    cy.wait_for_log("and @Cy too").await;
    let look = mention_look(&cy, "Cy").await;
    assert!(marked_for_me(&look), "Cy's own mention looks {look}");
    let heard = cy.spoken_item("and @Cy").await.unwrap_or_default();
    assert!(heard.contains("mentions you"), "Cy hears {heard:?}");
    assert_no_axe_violations(&cy.c, "one's own mention (JavaScript on)").await;
    assert!(!marked_for_me(&mention_look(&ann, "Cy").await), "not Ann's");
    assert!(
        !marked_for_me(&mention_look(&ann, "bob").await),
        "not Ann's"
    );

    ann.close().await;
    bob.close().await;
    cy.close().await;
    server.shut_down().await;
}

/// With JavaScript, the tab of whom a message mentions says so; the tab of
/// another reader says "New activity"; returning to the tab puts the room's
/// name back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tab_title_of_the_mentioned_person_alone_says_so() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    let cy = driver.person("Cy", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    cy.join_room(&server, "Cy", &code).await;
    let plain = format!("Room {code} · livechat");
    bob.wait_for_log("Cy joined").await;
    bob.script("document.dispatchEvent(new Event('visibilitychange'))")
        .await;
    bob.wait_for_title(&plain).await;

    ann.send("are you there @Bob?", Submit::Enter).await;
    bob.wait_for_log("are you there").await;
    cy.wait_for_log("are you there").await;
    bob.wait_for_title(&format!("(@) You were mentioned · {plain}"))
        .await;
    cy.wait_for_title(&format!("New activity · {plain}")).await;
    let titles = bob
        .script("return [document.querySelectorAll('title').length, document.querySelectorAll('body title').length]")
        .await;
    assert_eq!(titles, json!([1, 0]), "one title, in the head");

    bob.script("document.dispatchEvent(new Event('visibilitychange'))")
        .await;
    bob.wait_for_title(&plain).await;

    ann.close().await;
    bob.close().await;
    cy.close().await;
    server.shut_down().await;
}
