//! Each server renders what it reads once per look among its own readers:
//! a message posted through one server reaches a reader of another in the
//! zone and on the clock they chose, live and on a page load.

use super::*;

/// The `<time>` of the item holding `text` in `html`: its tag and text.
fn time_of<'a>(html: &'a str, text: &str) -> &'a str {
    let from = html
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not in {html}"));
    let rest = &html[from..];
    let start = rest.find("<time").expect("a time");
    let end = rest[start..].find("</time>").expect("its end");
    &rest[start..start + end]
}

fn in_paris_on_12_hours(time: &str) -> bool {
    (time.ends_with(" AM") || time.ends_with(" PM"))
        && (time.contains(" CET\"") || time.contains(" CEST\""))
}

#[tokio::test]
async fn a_message_from_another_server_reads_in_the_readers_zone_and_clock() {
    let Some((c, ann, mut anns)) = two_servers_with_ann(&[]).await else {
        return;
    };
    let http = client();
    post_see_other(
        &http,
        c.node(1),
        "/settings",
        &[
            ("back", "/"),
            ("zone", "Europe/Paris"),
            ("clock", "12"),
            ("typing", "on"),
        ],
    )
    .await;
    let bea = enter_with(http, c.node(1), "Bea", "general").await;
    let mut beas = bea.stream(c.node(1), "general").await;
    anns.until("Bea joined").await;

    ann.say(c.node(0), "general", "bonjour").await;
    let here = anns.until(">bonjour<").await;
    let there = beas.until(">bonjour<").await;
    let data = |events: &[Event]| events.last().map(|e| e.data.clone()).unwrap_or_default();
    let (here, there) = (data(&here), data(&there));
    assert!(time_of(&here, "bonjour").contains(" UTC\""), "{here}");
    assert!(in_paris_on_12_hours(time_of(&there, "bonjour")), "{there}");

    let page = get_text(&bea.http, &c.node(1).url("/r/general")).await;
    assert!(in_paris_on_12_hours(time_of(&page, ">bonjour<")), "{page}");
}
