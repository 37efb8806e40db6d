//! Reading the log: what a screen reader says of an item, and reading older
//! messages with a way back to the newest.

use super::*;

/// `spoken` is one message as a screen reader reads it: `who`, then `text`,
/// then a short time ("07:46", "7:46 AM"), and nothing else (no date, no zone, no
/// second name).
fn assert_read_as(spoken: Option<String>, who: &str, text: &str, state: &str) {
    let spoken = spoken.unwrap_or_else(|| panic!("{state}: no log item holds {text:?}"));
    let parts: Vec<&str> = spoken.split(" | ").collect();
    // "07:46", or "7:46 AM" on the 12-hour clock the browser's language
    // (en-US) usually reads.
    let short_time = |t: &str| {
        let clock = t.trim_end_matches(" AM").trim_end_matches(" PM");
        let (hour, minute) = clock.split_once(':').unwrap_or_default();
        (1..=2).contains(&hour.len())
            && minute.len() == 2
            && clock.chars().filter(char::is_ascii_digit).count() == hour.len() + 2
    };
    assert!(
        parts.len() == 3 && parts[0] == who && parts[1] == text && short_time(parts[2]),
        "{state}: read as {spoken:?}, not {who:?}, {text:?} and a short time"
    );
}

/// What a log item's `<time>` keeps for whoever wants more: the full date
/// and zone in `title`, the machine-readable moment in `datetime`.
const TIME_OF_ITEM: &str = "const li = [...document.querySelectorAll('[role=log] li')]
    .find(l => l.textContent.includes(arguments[0]));
    const t = li && li.querySelector('time');
    return t ? [t.getAttribute('datetime'), t.title] : null;";

/// A screen reader hears each message once and briefly: who, the text, then
/// a short time (the date and zone stay in `datetime` and `title`); the
/// person's own messages as "You", not their name and "You" again. The log
/// has a heading "Messages". A room page opens with the focus at its top
/// (the skip link is the first stop and leads to the box), and after a send
/// the focus is back in the box: JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_read_as_who_what_and_a_short_time() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;

    let code = ann.create_room(&server, "Ann").await;
    assert_eq!(
        ann.focused().await,
        "body",
        "the room page opens with the focus at its top, not in the box"
    );
    let heading = ann
        .find("//h2[normalize-space()='Messages']")
        .await
        .attr("id")
        .await
        .must("the heading's id");
    let labelled = ann
        .find("//*[@role='log']")
        .await
        .attr("aria-labelledby")
        .await
        .must("the log's label");
    assert_eq!(heading, labelled, "the heading Messages names the log");
    ann.key(Key::Tab).await;
    assert_eq!(ann.focused().await, "a:Skip to message box");
    ann.key(Key::Enter).await;
    ann.wait_for_focus("#message").await;
    ann.type_text("Hi Bob").await;
    ann.key(Key::Enter).await;
    ann.wait_for_log("Hi Bob").await;
    ann.wait_for_value("Message", "").await;
    ann.wait_for_focus("#message").await;

    bob.join_room(&server, "Bob", &code).await;
    assert_eq!(
        bob.focused().await,
        "body",
        "without JavaScript too the page opens at its top"
    );
    bob.wait_for_page_log(Js::Off, "Hi Bob").await;
    bob.mark_page().await;
    bob.send("Hi Ann", Submit::Enter).await;
    bob.wait_for_new_page().await;
    bob.wait_for_page_log(Js::Off, "Hi Ann").await;
    bob.wait_for_focus("#message").await;
    assert_eq!(bob.value("Message").await, "", "the box is empty again");

    ann.wait_for_log("Hi Ann").await;
    assert_read_as(
        ann.spoken_item("Hi Bob").await,
        "You",
        "Hi Bob",
        "Ann's own message",
    );
    assert_read_as(
        ann.spoken_item("Hi Ann").await,
        "Bob",
        "Hi Ann",
        "Bob's message to Ann",
    );
    let time = ann
        .c
        .execute(TIME_OF_ITEM, vec![json!("Hi Ann")])
        .await
        .must("the message's time");
    let datetime = time[0].as_str().unwrap_or_default();
    let title = time[1].as_str().unwrap_or_default();
    assert!(datetime.ends_with('Z') && datetime.len() >= 20, "{time}");
    assert!(
        title.ends_with(" UTC") && title.contains(&datetime[..4]),
        "{time}"
    );
    assert_no_axe_violations(&ann.c, "a room read as who, what, when (JavaScript on)").await;

    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    assert_read_as(
        bob.spoken_item("Hi Ann").await,
        "You",
        "Hi Ann",
        "Bob's own message, no JavaScript",
    );
    assert_read_as(
        bob.spoken_item("Hi Bob").await,
        "Ann",
        "Hi Bob",
        "Ann's message to Bob, no JavaScript",
    );
    assert_no_axe_violations(&bob.c, "the log document read as who, what, when").await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");
    assert_no_axe_violations(&bob.c, "a room read as who, what, when (JavaScript off)").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// The log's scrolling, the "Jump to newest" link's visibility, and whether
/// the log item holding `arguments[0]` (if given) is in view in the log.
const LOG_VIEW: &str = "const log = document.querySelector('[role=log]');
    const jump = document.querySelector('a.jump');
    const li = arguments[0] && [...log.querySelectorAll('li')].find(l => l.textContent.includes(arguments[0]));
    const inView = li ? (() => { const a = log.getBoundingClientRect(), b = li.getBoundingClientRect();
        return b.top >= a.top - 1 && b.bottom <= a.bottom + 1; })() : null;
    return { top: log.scrollTop, room: log.scrollHeight - log.clientHeight,
        jump: getComputedStyle(jump).visibility, inView };";

/// Waits until the log's view satisfies `check`, from `LOG_VIEW` with `needle`.
async fn wait_for_log_view(
    who: &Person,
    what: &str,
    needle: &str,
    check: impl Fn(&serde_json::Value) -> bool + Copy,
) {
    eventually(what, LOAD, move || async move {
        let view = who
            .c
            .execute(LOG_VIEW, vec![json!(needle)])
            .await
            .map_err(|e| e.to_string())?;
        if check(&view) {
            Ok(())
        } else {
            Err(view.to_string())
        }
    })
    .await;
}

fn at_newest(view: &serde_json::Value) -> bool {
    view["top"].as_f64().is_some_and(|top| top.abs() < 2.0)
}

/// Reading older messages, a "Jump to newest" link shows (no script: a
/// scroll-driven animation), and leads to the newest; at the newest it is
/// hidden. A person who sends while reading older messages is taken to
/// their own message. JavaScript on, and in the log document without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_older_messages_offers_a_jump_to_the_newest() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    ann.set_viewport(400, 700).await;
    bob.set_viewport(400, 700).await;
    let code = ann.create_room(&server, "Ann").await;
    bob.join_room(&server, "Bob", &code).await;
    let room = format!("/r/{code}");
    for i in 1..=6 {
        ann.send(
            &format!("line {i} of a conversation long enough to scroll"),
            Submit::Enter,
        )
        .await;
        ann.wait_for_log(&format!("line {i} of")).await;
    }
    bob.send_and_see(Js::Off, &room, "the newest from Bob")
        .await;
    ann.wait_for_log("the newest from Bob").await;

    let hidden = |v: &serde_json::Value| at_newest(v) && v["jump"] == "hidden";
    wait_for_log_view(&ann, "at the newest, no jump link", "", hidden).await;
    assert!(
        ann.c
            .execute(LOG_VIEW, vec![json!("")])
            .await
            .must("the log's view")["room"]
            .as_f64()
            .is_some_and(|room| room > 200.0),
        "the log has older messages to scroll to"
    );
    ann.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&ann, "scrolled up, the jump link shows", "", |v| {
        !at_newest(v) && v["jump"] == "visible"
    })
    .await;
    assert_no_axe_violations(&ann.c, "reading older messages, Jump to newest shown").await;
    ann.find("//a[normalize-space()='Jump to newest']")
        .await
        .click()
        .await
        .must("follow Jump to newest");
    wait_for_log_view(
        &ann,
        "the jump led to the newest",
        "the newest from Bob",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;

    // Sending while reading older messages takes Ann to her own message.
    ann.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&ann, "scrolled up again", "", |v| v["jump"] == "visible").await;
    ann.send("sent while reading old ones", Submit::Enter).await;
    wait_for_log_view(
        &ann,
        "the send led to Ann's message",
        "sent while reading old ones",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;

    // Without JavaScript, the log document does the same by itself.
    bob.wait_for_page_log(Js::Off, "sent while reading old ones")
        .await;
    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    wait_for_log_view(&bob, "the log document at the newest", "", hidden).await;
    bob.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&bob, "the log document scrolled up", "", |v| {
        v["jump"] == "visible"
    })
    .await;
    assert_no_axe_violations(&bob.c, "the log document with Jump to newest shown").await;
    bob.find("//a[normalize-space()='Jump to newest']")
        .await
        .click()
        .await
        .must("follow Jump to newest in the log document");
    wait_for_log_view(
        &bob,
        "the log document back at the newest",
        "sent while reading old ones",
        |v| hidden(v) && v["inView"] == true,
    )
    .await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");

    // With less motion too: the link's visibility is not motion.
    let cy = driver.person_with("Cy", Js::On, REDUCED_MOTION).await;
    cy.set_viewport(400, 700).await;
    cy.join_room(&server, "Cy", &code).await;
    cy.wait_for_log("sent while reading old ones").await;
    wait_for_log_view(&cy, "less motion, at the newest", "", hidden).await;
    cy.script("document.querySelector('[role=log]').scrollTop = -100000")
        .await;
    wait_for_log_view(&cy, "less motion, scrolled up", "", |v| {
        v["jump"] == "visible"
    })
    .await;

    ann.close().await;
    bob.close().await;
    cy.close().await;
    server.shut_down().await;
}
