//! A message's page, reached from its time in the log, and **Delete**:
//! with the keyboard alone and JavaScript on, and without JavaScript; the
//! message replaced live in another person's page; axe on the page.

use super::*;

/// Script: the text of the time link of the newest message in the log.
const NEWEST_TIME: &str = "const links = document.querySelectorAll('#log-items li.msg a.when');
    return links.length ? links[links.length - 1].textContent.trim() : '';";

/// Script: whether the keyboard focus is on a message's time inside the
/// no-JavaScript log's frame.
const TIME_IN_FRAME: &str = "const f = document.querySelector('iframe.log-frame');
    const inner = f && f.contentDocument && f.contentDocument.activeElement;
    return document.activeElement === f && !!inner && inner.classList.contains('when');";

/// Waits until `person`'s log (or, without JavaScript, its frame) no
/// longer shows `gone` and shows `shown`.
async fn wait_for_replaced(person: &Person, js: Js, gone: &str, shown: &str) {
    person.wait_for_page_log(js, shown).await;
    let what = format!("{}'s log no longer shows {gone:?}", person.who);
    eventually(&what, LIVE, move || async move {
        let text = if js == Js::On {
            person.log_text().await?
        } else {
            let frame = person.log_frame().await;
            person.frame_log_text(&frame).await?
        };
        if text.contains(gone) {
            Err(text)
        } else {
            Ok(())
        }
    })
    .await;
}

/// Ann opens her message's page from its time and deletes it, by keyboard
/// alone; back in the room at its place, and Bob's page shows it replaced
/// without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_deleted_from_its_page_by_keyboard_and_replaced_live() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    let room = format!("/r/{code}");
    ann.send_and_see(Js::On, &room, "take this back").await;
    bob.wait_for_log("take this back").await;

    let time = ann.script(NEWEST_TIME).await;
    let time = time.as_str().unwrap_or_default().to_owned();
    // "18:05", or "6:05 PM" on the 12-hour clock the browser's language
    // (en-US) usually reads.
    let clock = time.trim_end_matches(" AM").trim_end_matches(" PM");
    assert!(
        (4..=5).contains(&clock.len()) && clock.contains(':'),
        "the time reads as the clock time: {time:?}"
    );
    ann.activate(&format!("a:{time}")).await;
    ann.find("//h1[normalize-space()='Message from Ann']").await;
    assert!(ann.path().await.starts_with(&format!("{room}/m/")));
    ann.find("//p[normalize-space()='take this back']").await;
    ann.activate("button:Delete").await;
    ann.wait_for_path(&room).await;
    let url = ann.c.current_url().await.must("URL");
    assert!(
        url.fragment().is_some_and(|f| f.starts_with('e')),
        "back at the message's place: {url}"
    );
    wait_for_replaced(&ann, Js::On, "take this back", "Message deleted").await;
    wait_for_replaced(&bob, Js::On, "take this back", "Message deleted").await;
    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// Without JavaScript, by keyboard alone: the time in the log's frame leads
/// to the page (the whole window), **Delete** leads back to the room, and
/// the other person's log frame shows the message replaced, by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_deleted_message_is_replaced_in_every_log_frame() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::Off).await;
    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    let room = format!("/r/{code}");
    ann.send_and_see(Js::Off, &room, "take this back").await;
    bob.wait_for_page_log(Js::Off, "take this back").await;

    // By keyboard: Tab into the log's frame, to the message's time.
    ann.mark_page().await;
    let mut reached = false;
    for _ in 0..40 {
        if ann.script(TIME_IN_FRAME).await == json!(true) {
            reached = true;
            break;
        }
        ann.key(Key::Tab).await;
    }
    assert!(reached, "Tab reaches the message's time in the log's frame");
    ann.key(Key::Enter).await;
    ann.wait_for_new_page().await;
    ann.find("//h1[normalize-space()='Message from Ann']").await;
    ann.mark_page().await;
    ann.activate("button:Delete").await;
    ann.wait_for_new_page().await;
    ann.wait_for_path(&room).await;
    wait_for_replaced(&ann, Js::Off, "take this back", "Message deleted").await;
    wait_for_replaced(&bob, Js::Off, "take this back", "Message deleted").await;
    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// axe finds nothing on a message's page, one's own (with **Delete**) and
/// another's (**Report**, **Ignore**), in the light theme and the dark one,
/// with JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messages_page_passes_axe_in_light_and_dark() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    let room = format!("/r/{code}");
    ann.send_and_see(Js::On, &room, "look at me").await;
    let page = ann
        .script("return document.querySelector('#log-items li.msg a.when').getAttribute('href')")
        .await;
    let page = page.as_str().expect("a message page").to_owned();
    for (n, (js, switches, theme)) in [
        (Js::On, &[][..], "light"),
        (Js::Off, &[][..], "light"),
        (Js::On, DARK, "dark"),
        (Js::Off, DARK, "dark"),
    ]
    .into_iter()
    .enumerate()
    {
        let how = format!(
            "JavaScript {}, {theme} theme",
            if js == Js::On { "on" } else { "off" }
        );
        let bob = driver.person_with("Bob", js, switches).await;
        bob.join_room(&server, &format!("Bob {n}"), &code).await;
        bob.open(&server.url(&page)).await;
        bob.find("//button[normalize-space()='Report']").await;
        bob.find("//button[normalize-space()='Ignore Ann']").await;
        assert_no_axe_violations(&bob.c, &format!("someone else's message ({how})")).await;
        if n == 0 {
            bob.set_viewport(1280, 900).await;
            bob.screenshot("message.png", (1280, 900)).await;
        }
        bob.close().await;
        let own = driver.person_with("Ann", js, switches).await;
        own.join_room(&server, &format!("Ann {n}"), &code).await;
        own.send_and_see(js, &room, &format!("mine, {n}")).await;
        let own_page = if js == Js::On {
            own.script(
                "const l = document.querySelectorAll('#log-items li.msg a.when'); return l[l.length - 1].getAttribute('href')",
            )
            .await
        } else {
            let frame = own.log_frame().await;
            frame
                .clone()
                .enter_frame()
                .await
                .must("enter the log frame");
            let href = own
                .find(&format!(
                    "//li[contains(., 'mine, {n}')]//a[contains(@class, 'when')]"
                ))
                .await
                .attr("href")
                .await
                .must("href");
            own.c.enter_parent_frame().await.must("back to the page");
            json!(href)
        };
        let own_page = own_page.as_str().expect("own message's page").to_owned();
        own.open(&server.url(&own_page)).await;
        own.find("//button[normalize-space()='Delete']").await;
        assert_no_axe_violations(&own.c, &format!("one's own message ({how})")).await;
        own.close().await;
    }
    ann.close().await;
    server.shut_down().await;
}
