//! A person's page in a room and ignoring from it: who may see it, what it
//! offers, and that an ignored session's messages and notices leave the
//! ignorer's page loads, before and after a rename, until they stop.

use super::*;

/// The avatar seed of `name` in a page's Online list.
fn seed_of(page: &str, name: &str) -> String {
    page.split("<li data-author=\"")
        .skip(1)
        .find(|item| {
            item.split("</li>")
                .next()
                .is_some_and(|li| li.contains(&format!("<bdi>{name}</bdi>")))
        })
        .and_then(|item| item.split('"').next())
        .unwrap_or_else(|| panic!("{name} is not in the Online list:\n{page}"))
        .to_owned()
}

/// Ann, Bob and Cat in the general room; Ann's view of Bob's seed.
async fn three() -> (Visitor, Visitor, Visitor, String) {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    let mut cat = ann.stranger();
    cat.join("Cat", "general").await;
    let page = ann.get("/r/general").await;
    let seed = seed_of(&page.body, "Bob");
    (ann, bob, cat, seed)
}

#[tokio::test]
async fn each_name_in_the_online_list_leads_to_that_persons_page() {
    let (mut ann, _bob, _cat, bob_seed) = three().await;
    let room = ann.get("/r/general").await;
    room.assert_has(&format!(
        r#"<a class="person" href="/r/general/p/{bob_seed}" target="_top">"#
    ));
    let page = ann.get(&format!("/r/general/p/{bob_seed}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_has("<bdi>Bob</bdi>");
    page.assert_has(&format!(
        r#"action="/r/general/p/{bob_seed}/ignore" method="post""#
    ));
    page.assert_has(r#"name="ignore" value="on""#);
    page.assert_has("Ignore <bdi>Bob</bdi></button>");
    page.assert_has(r#"<a href="/r/general">Back to the room</a>"#);
    assert!(!page.body.contains("(You)"), "not the viewer");

    let own_seed = seed_of(&room.body, "Ann");
    let own = ann.get(&format!("/r/general/p/{own_seed}")).await;
    assert_eq!(own.status, StatusCode::OK);
    own.assert_has("(You)");
    own.assert_has("People you ignore");
    own.assert_has("You ignore nobody.");
    assert!(
        !own.body.contains("Ignore <bdi>"),
        "nobody ignores themselves"
    );
}

#[tokio::test]
async fn an_ignored_persons_messages_and_notices_leave_the_ignorers_page_even_renamed() {
    let (mut ann, mut bob, mut cat, bob_seed) = three().await;
    let ignore = format!("/r/general/p/{bob_seed}/ignore");
    let done = ann.post(&ignore, &[("ignore", "on")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/r/general", "back in the room");

    bob.post("/r/general/messages", &[("text", "buy my spam")])
        .await;
    bob.post("/name", &[("name", "Robert")]).await;
    bob.post("/r/general/messages", &[("text", "renamed spam")])
        .await;
    cat.post("/r/general/messages", &[("text", "hello all")])
        .await;
    let anns = ann.get("/r/general").await;
    anns.assert_has(">hello all</p>");
    for hidden in ["buy my spam", "renamed spam", "is now known as"] {
        assert!(!anns.body.contains(hidden), "{hidden}:\n{}", anns.body);
    }
    let cats = cat.get("/r/general").await;
    cats.assert_has(">buy my spam</p>");
    cats.assert_has(">renamed spam</p>");

    // Ann's own page lists Bob, by the name he had, with a way back.
    let own = ann
        .get(&format!("/r/general/p/{}", seed_of(&anns.body, "Ann")))
        .await;
    own.assert_has("Stop ignoring <bdi>Bob</bdi></button>");
    // His page says what the button will do now.
    let his = ann.get(&format!("/r/general/p/{bob_seed}")).await;
    his.assert_has("Stop ignoring <bdi>Robert</bdi></button>");

    let undone = ann.htmx_post(&ignore, &[("ignore", "off")]).await;
    assert_eq!(undone.status, StatusCode::OK);
    undone.assert_has(r#"<p role="status">You no longer ignore <bdi>Bob</bdi>.</p>"#);
    undone.assert_has("Ignore <bdi>Bob</bdi></button>");
    let anns = ann.get("/r/general").await;
    anns.assert_has(">buy my spam</p>");
    anns.assert_has(">renamed spam</p>");
}

#[tokio::test]
async fn ignoring_with_htmx_answers_the_form_saying_so() {
    let (mut ann, _bob, _cat, bob_seed) = three().await;
    let ignore = format!("/r/general/p/{bob_seed}/ignore");
    let done = ann.htmx_post(&ignore, &[("ignore", "on")]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body.starts_with(r#"<form class="ignore""#),
        "{}",
        done.body
    );
    done.assert_has("You ignore <bdi>Bob</bdi> now");
    done.assert_has(r#"name="ignore" value="off""#);
    done.assert_has("Stop ignoring <bdi>Bob</bdi></button>");
}

#[tokio::test]
async fn a_person_page_and_ignoring_are_refused_clearly() {
    let (mut ann, mut bob, _cat, bob_seed) = three().await;
    let own_seed = seed_of(&ann.get("/r/general").await.body, "Ann");

    // Yourself: refused, in words.
    let me = ann
        .post(
            &format!("/r/general/p/{own_seed}/ignore"),
            &[("ignore", "on")],
        )
        .await;
    assert_eq!(me.status, StatusCode::UNPROCESSABLE_ENTITY);
    me.assert_has("You cannot ignore yourself");
    let me = ann
        .htmx_post(
            &format!("/r/general/p/{own_seed}/ignore"),
            &[("ignore", "on")],
        )
        .await;
    assert_eq!(me.status, StatusCode::UNPROCESSABLE_ENTITY);
    me.assert_has("You cannot ignore yourself");
    // Neither ignore nor stop.
    let odd = ann
        .post(
            &format!("/r/general/p/{bob_seed}/ignore"),
            &[("ignore", "maybe")],
        )
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    odd.assert_has("Choose Ignore or Stop ignoring");

    // A seed nobody present has, or no seed at all: 404.
    for seed in ["0123456789abcdef", "not-a-seed", "..%2F..%2Fetc"] {
        let page = ann.get(&format!("/r/general/p/{seed}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{seed}");
        let post = ann
            .post(&format!("/r/general/p/{seed}/ignore"), &[("ignore", "on")])
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "{seed}");
    }
    // Someone who left cannot be looked up, but can still be let go.
    bob.post("/r/general/messages", &[("text", "bye")]).await;
    ann.post(
        &format!("/r/general/p/{bob_seed}/ignore"),
        &[("ignore", "on")],
    )
    .await;
    bob.post("/r/general/leave", &[]).await;
    let gone = ann.get(&format!("/r/general/p/{bob_seed}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let stop = ann
        .post(
            &format!("/r/general/p/{bob_seed}/ignore"),
            &[("ignore", "off")],
        )
        .await;
    assert_eq!(stop.status, StatusCode::SEE_OTHER);

    // Not a member of the room (a private room Ann made), or no session.
    let made = ann.post("/rooms", &[("name", "Ann")]).await;
    let private = made.location().to_owned();
    let mut dan = ann.stranger();
    dan.join("Dan", "general").await;
    let page = dan.get(&format!("{private}/p/{own_seed}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let post = dan
        .post(
            &format!("{private}/p/{own_seed}/ignore"),
            &[("ignore", "on")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    let mut nobody = ann.stranger();
    let page = nobody.get(&format!("/r/general/p/{own_seed}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // From another site: refused before anything is done.
    let cross = ann
        .post_with(
            &format!("/r/general/p/{bob_seed}/ignore"),
            &[("ignore", "on")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
}
