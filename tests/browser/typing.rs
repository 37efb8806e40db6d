//! Random chat's typing line: while Ann types, Bob's page says "Ann is
//! typing…" on a polite status line of its own (Ann's page never does); it
//! goes 5 s later, and at once when Ann's message arrives.

use super::harness::*;
use serde_json::{Value, json};

/// The typing line: its role, its words and whether they show.
const LINE: &str = "const t = document.getElementById('typing');
    if (!t) return null;
    const s = t.querySelector('.typing');
    return [t.getAttribute('role'), t.textContent.trim(),
        !!s && getComputedStyle(s).visibility === 'visible' && s.getBoundingClientRect().height > 0];";

async fn line(person: &Person) -> Value {
    person.c.execute(LINE, vec![]).await.must("the typing line")
}

async fn wait_for_line(person: &Person, words: &str, shown: bool) {
    let what = format!("{}'s typing line {words:?} shown: {shown}", person.who);
    eventually(&what, LIVE + LIVE, || async {
        let now = line(person).await;
        let words_match = now[1] == json!(words) || (!shown && now[1] == json!(""));
        if now[0] == json!("status") && words_match && now[2] == json!(shown) {
            Ok(())
        } else {
            Err(now.to_string())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_stranger_sees_the_typing_line_until_it_times_out_or_the_message_arrives() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let bob = driver.person("Bob", Js::On).await;
    ann.queue_for_stranger(&server, "Ann").await;
    bob.queue_for_stranger(&server, "Bob").await;
    let room = bob.wait_for_room().await;
    assert_eq!(ann.wait_for_room().await, room);
    for person in [&ann, &bob] {
        person.wait_for_log("are now talking").await;
    }

    ann.textbox("Message")
        .await
        .click()
        .await
        .must("into the box");
    ann.type_text("hel").await;
    wait_for_line(&bob, "Ann is typing…", true).await;
    assert_eq!(line(&ann).await[1], json!(""), "never on the typer's page");
    assert_no_axe_violations(&bob.c, "the typing line").await;

    // Nothing more typed: gone after 5 s.
    wait_for_line(&bob, "Ann is typing…", false).await;

    // Typing again brings it back; the message clears it.
    ann.type_text("lo").await;
    wait_for_line(&bob, "Ann is typing…", true).await;
    ann.key(fantoccini::key::Key::Enter).await;
    bob.wait_for_log("hello").await;
    wait_for_line(&bob, "", false).await;
    assert_eq!(line(&bob).await[1], json!(""), "cleared, not only hidden");
}
