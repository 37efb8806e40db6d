//! A mention is decided once, where the message is numbered, and carried in
//! the entry: every server renders the same mark, live and on a page load.

use super::*;

/// The mention mark in `html`, from its opening tag to the name's end.
fn mention_mark(html: &str) -> Option<String> {
    let from = html.find("<span class=\"mention\"")?;
    let rest = &html[from..];
    let to = rest.find("</bdi>")?;
    Some(rest[..to].to_owned())
}

#[tokio::test]
async fn a_mention_made_on_one_server_is_marked_the_same_on_another() {
    let Some((c, ann, mut anns)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let (bob, mut bobs) = member(c.node(1), "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(c.node(0), "general", "hello @bob").await;
    let here = anns.until("hello <span").await;
    let there = bobs.until("hello <span").await;
    let mark = |events: &[Event]| {
        events
            .iter()
            .find_map(|e| mention_mark(&e.data))
            .unwrap_or_else(|| panic!("no mention mark in {events:?}"))
    };
    let (here, there) = (mark(&here), mark(&there));
    assert_eq!(here, there, "both servers render the same mark");
    let page = get_text(&bob.http, &c.node(1).url("/r/general")).await;
    let online = between(&page, "id=\"online\"", "</ul>");
    let seed = between(&here, "data-seed=\"", "\"");
    assert!(
        online.contains(&format!("data-author=\"{seed}\"")) && seed.len() > 8,
        "the mark names someone present: {here}"
    );
    assert_eq!(
        mention_mark(&page).as_deref(),
        Some(here.as_str()),
        "and a page load"
    );
}
