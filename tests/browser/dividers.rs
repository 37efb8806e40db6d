//! Day dividers and grouped messages as a person sees them and as a screen
//! reader reads them, with JavaScript and without.

use super::harness::*;
use serde_json::{Value, json};

/// For the message holding `arguments[0]`: whether it is grouped, whether
/// its name shows (more than a pixel of it) and the avatar's visibility.
const SEEN_MESSAGE: &str = "const li = [...document.querySelectorAll('[role=log] li.msg')]
    .find(l => l.textContent.includes(arguments[0]));
    if (!li) return null;
    const meta = li.querySelector('.meta').getBoundingClientRect();
    return [li.hasAttribute('data-grouped'), meta.width > 2 && meta.height > 2,
        getComputedStyle(li.querySelector('.avatar')).visibility];";

/// The log's day dividers: the heading's tag, its words, and its `datetime`.
const DIVIDERS: &str = "return [...document.querySelectorAll('[role=log] li.day')].map(li => {
    const h = li.firstElementChild, t = li.querySelector('time');
    return [h.tagName, li.textContent.trim(), t.getAttribute('datetime')];
    });";

/// Splits what a screen reader reads for an item, checking the time is short.
fn read_as(spoken: Option<String>, state: &str) -> Vec<String> {
    let spoken = spoken.unwrap_or_else(|| panic!("{state}: no such log item"));
    let mut parts: Vec<String> = spoken.split(" | ").map(str::to_owned).collect();
    let time = parts.pop().unwrap_or_default();
    // "07:46", or "7:46 AM" on the 12-hour clock the browser's language
    // (en-US) usually reads.
    let clock = time.trim_end_matches(" AM").trim_end_matches(" PM");
    let (hour, minute) = clock.split_once(':').unwrap_or_default();
    assert!(
        (1..=2).contains(&hour.len()) && minute.len() == 2,
        "{state}: read as {spoken:?}, which does not end in a short time"
    );
    parts
}

async fn seen(person: &Person, needle: &str) -> Value {
    person
        .c
        .execute(SEEN_MESSAGE, vec![json!(needle)])
        .await
        .must("look at a message")
}

async fn dividers(person: &Person) -> Value {
    person
        .c
        .execute(DIVIDERS, vec![])
        .await
        .must("read the day dividers")
}

/// Two messages of one person in a row: the second shows no name and no
/// avatar, yet is read with the name ("Ann, second, 07:46"; "You" for
/// Ann herself). The day opens with a small heading that says "Today" (the
/// full date in `datetime`) on a page as it loads and in the no-JavaScript
/// log document. axe finds nothing, JavaScript on and off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grouped_message_and_a_day_divider_read_well() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::Off).await;
    let today = time::OffsetDateTime::now_utc().date();
    let iso = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );

    let code = ann.create_room(&server, "Ann").await;
    ann.send("the first words", Submit::Enter).await;
    ann.wait_for_log("the first words").await;
    ann.send("more words after", Submit::Enter).await;
    ann.wait_for_log("more words after").await;

    // Live, with JavaScript: the second came over the stream, grouped.
    assert_eq!(
        seen(&ann, "the first words").await,
        json!([false, true, "visible"])
    );
    assert_eq!(
        seen(&ann, "more words after").await,
        json!([true, false, "hidden"])
    );
    assert_eq!(
        read_as(
            ann.spoken_item("more words after").await,
            "Ann's own grouped message"
        ),
        ["You", "more words after"],
    );
    assert_eq!(
        dividers(&ann).await,
        json!([["H3", "Today", iso]]),
        "one divider, over the first item of the day, as the page loaded"
    );
    assert_eq!(
        read_as(
            ann.spoken_item("Today").await.map(|s| s + " | 00:00"),
            "the divider"
        ),
        ["Today"],
    );
    assert_no_axe_violations(&ann.c, "a grouped message and a divider (JavaScript on)").await;

    // A reload shows the same: the decisions are kept with the items.
    ann.open(&server.url(&format!("/r/{code}"))).await;
    ann.wait_for_log("more words after").await;
    assert_eq!(
        seen(&ann, "more words after").await,
        json!([true, false, "hidden"])
    );
    assert_eq!(dividers(&ann).await, json!([["H3", "Today", iso]]));

    // Without JavaScript, in the log document.
    bob.join_room(&server, "Bob", &code).await;
    bob.wait_for_page_log(Js::Off, "more words after").await;
    let frame = bob.log_frame().await;
    frame.enter_frame().await.must("enter Bob's log iframe");
    assert_eq!(
        seen(&bob, "the first words").await,
        json!([false, true, "visible"])
    );
    assert_eq!(
        seen(&bob, "more words after").await,
        json!([true, false, "hidden"])
    );
    assert_eq!(
        read_as(
            bob.spoken_item("more words after").await,
            "Ann's grouped message, no JavaScript"
        ),
        ["Ann", "more words after"],
    );
    assert_eq!(dividers(&bob).await, json!([["H3", "Today", iso]]));
    assert_no_axe_violations(
        &bob.c,
        "the log document with a grouped message and a divider",
    )
    .await;
    bob.c
        .enter_parent_frame()
        .await
        .must("leave the log iframe");
    assert_no_axe_violations(&bob.c, "a grouped message and a divider (JavaScript off)").await;

    // Bob's arrival is a notice: Ann's next message starts a group anew.
    ann.wait_for_log("Bob joined").await;
    ann.send("after the notice", Submit::Enter).await;
    ann.wait_for_log("after the notice").await;
    assert_eq!(
        seen(&ann, "after the notice").await,
        json!([false, true, "visible"])
    );

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}

/// A room that kept only its newest items (`--history 3`) shows them from
/// the middle of a day and of a group: the page opens with the day's
/// divider all the same, and the first message kept shows its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_kept_from_the_middle_of_a_day_still_opens_with_its_day() {
    let Some(Stage { server, mut driver }) = stage_with(&["--history", "3"]).await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    for text in ["one", "two", "three", "four"] {
        ann.send(&format!("word {text}"), Submit::Enter).await;
        ann.wait_for_log(&format!("word {text}")).await;
    }
    assert_eq!(
        seen(&ann, "word four").await,
        json!([true, false, "hidden"])
    );

    bob.join_room(&server, "Bob", &code).await;
    bob.wait_for_log("word four").await;
    let log = bob.log_text().await.must("Bob's log");
    assert!(!log.contains("word two"), "only the newest are kept: {log}");
    let today = dividers(&bob).await;
    assert_eq!(today.as_array().map(Vec::len), Some(1), "{today}");
    assert_eq!(today[0][1], json!("Today"), "{today}");
    assert_eq!(
        seen(&bob, "word three").await,
        json!([true, true, "visible"]),
        "the first message kept shows its name, though grouped"
    );
    assert_eq!(
        seen(&bob, "word four").await,
        json!([true, false, "hidden"])
    );
    assert_no_axe_violations(&bob.c, "a log kept from the middle of a day").await;

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}
