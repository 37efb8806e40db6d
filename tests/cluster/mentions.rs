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

#[tokio::test]
async fn the_mention_title_reaches_the_mentioned_reader_on_another_server_alone() {
    let Some((c, ann, mut anns)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let (_bob, mut bobs) = member(c.node(1), "Bob", "general").await;
    let (_cat, mut cats) = member(c.node(1), "Cat", "general").await;
    anns.until("Cat joined").await;
    ann.say(c.node(0), "general", "over there @bob").await;
    ann.say(c.node(0), "general", "and no one").await;
    let mentioned = "(@) You were mentioned";
    let heard = bobs.until("and no one").await;
    let at = heard
        .iter()
        .position(|e| e.data.contains("over there <span"))
        .unwrap_or_else(|| panic!("no mention in {heard:?}"));
    assert!(
        heard
            .get(at + 1)
            .is_some_and(|e| e.data.contains(&format!("<title>{mentioned}"))),
        "the mention title follows the message: {heard:?}"
    );
    for heard in [
        cats.until("and no one").await,
        anns.until("and no one").await,
    ] {
        assert!(
            !heard.iter().any(|e| e.data.contains(mentioned)),
            "nobody else's: {heard:?}"
        );
    }
}
