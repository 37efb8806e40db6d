//! Ignoring over a real socket on one server: the ignorer's open event
//! stream and no-JavaScript log document leave out whom they ignore from
//! the moment they ignore them, without a reload.

use super::*;

/// The seed of `name` in the Online list of a room page.
fn seed_of(page: &str, name: &str) -> String {
    page.split("<li data-author=\"")
        .skip(1)
        .find(|li| {
            li.split("</li>")
                .next()
                .is_some_and(|li| li.contains(&format!("<bdi>{name}</bdi>")))
        })
        .and_then(|li| li.split('"').next())
        .unwrap_or_else(|| panic!("{name} is not online: {page}"))
        .to_owned()
}

#[tokio::test]
async fn an_open_stream_and_log_document_leave_out_whom_their_reader_ignores() {
    let server = spawn_app(&[]).await;
    let (ann, mut anns) = member(&server, "Ann", "general").await;
    let bob = enter(&server, "Bob", "general").await;
    let cat = enter(&server, "Cat", "general").await;
    let (_, mut doc) = Growing::open(&ann.http, &server.url("/r/general/log")).await;
    doc.until("Cat joined").await;
    anns.until("Cat joined").await;
    let page = get_text(&ann.http, &server.url("/r/general")).await;
    let bob_seed = seed_of(&page, "Bob");
    let res = post_form(
        &ann.http,
        &server,
        &format!("/r/general/p/{bob_seed}/ignore"),
        &[("ignore", "on")],
    )
    .await;
    assert_eq!(res.status(), 303);

    bob.say(&server, "general", "unwanted").await;
    let res = post_form(&bob.http, &server, "/name", &[("name", "Robert")]).await;
    assert_eq!(res.status(), 303);
    cat.say(&server, "general", "wanted").await;
    let heard = anns.until("wanted").await;
    for hidden in ["unwanted", "is now known as"] {
        assert!(!heard.iter().any(|e| e.data.contains(hidden)), "{heard:?}");
    }
    let text = doc.until(">wanted<").await;
    assert!(!text.contains("unwanted"), "{text}");
    assert!(!text.contains("is now known as"), "{text}");

    // A document opened now starts without him too.
    let (_, mut fresh) = Growing::open(&ann.http, &server.url("/r/general/log")).await;
    let text = fresh.until(">wanted<").await;
    assert!(!text.contains("unwanted"), "{text}");
    assert!(!text.contains("Bob joined") && !text.contains("<bdi>Bob</bdi> joined"));
}
