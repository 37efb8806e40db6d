//! Names are unique in a room: every route that puts a name into a room
//! refuses one that someone there already goes by (`409`), as a page and as
//! an htmx fragment, saying so beside the Name box, the typed name kept.

use super::*;

fn taken(name: &str) -> String {
    format!(r#"role="alert">Someone in this room is already called {name}: pick another name"#)
}

/// The answer refuses `name` as taken, with `name` still in a Name box.
fn refused(answer: &Answer, name: &str, route: &str) {
    assert_eq!(
        answer.status,
        StatusCode::CONFLICT,
        "{route}: {}",
        answer.body
    );
    assert!(
        answer.body.contains(&taken(name)),
        "{route}: {}",
        answer.body
    );
    assert!(
        answer.body.contains(&format!(r#"value="{name}""#)),
        "{route}: the name typed stays: {}",
        answer.body
    );
}

#[tokio::test]
async fn joining_under_a_name_someone_in_the_room_has_is_refused_with_the_name_kept() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut eve = ann.stranger();
    let typed = eve
        .post("/join", &[("name", "aNN"), ("code", "general")])
        .await;
    refused(&typed, "aNN", "join by code");
    assert!(typed.body.contains("<html"), "a whole page without htmx");
    assert!(typed.body.contains(r#"value="general""#), "the code stays");
    let button = eve
        .htmx_post("/join", &[("name", "ANN"), ("room", "general")])
        .await;
    refused(&button, "ANN", "a public room's button");
    assert!(button.body.starts_with("<form"), "a fragment for htmx");
    let page = ann.get("/r/general").await;
    assert!(
        !page.body.contains("aNN") && !page.body.contains("ANN"),
        "nobody came in under the name"
    );
    let again = eve
        .post("/join", &[("name", "Eve"), ("code", "general")])
        .await;
    assert_eq!(
        again.status,
        StatusCode::SEE_OTHER,
        "another name is welcome"
    );
    assert_eq!(eve.get("/r/general").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_invite_refuses_a_taken_name_on_its_own_card() {
    let mut ann = site(&[]);
    let made = ann.post("/rooms", &[("name", "Ann")]).await;
    let room = made.location().to_owned();
    let code = room.trim_start_matches("/r/").to_owned();
    let mut eve = ann.stranger();
    let form = [
        ("name", "Ann"),
        ("code", code.as_str()),
        ("room", code.as_str()),
        ("invite", code.as_str()),
    ];
    let answer = eve.post("/join", &form).await;
    refused(&answer, "Ann", "the invite card");
    assert!(
        answer.body.contains("You are invited to room"),
        "the card stays: {}",
        answer.body
    );
    // The name was remembered: the room's own page says the same.
    let page = eve.get(&room).await;
    refused(&page, "Ann", "the room page");
    assert!(page.body.contains("You are invited to room"));
}

#[tokio::test]
async fn a_rename_that_clashes_in_a_room_is_refused_and_made_nowhere() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    let form = [("name", "ann"), ("back", "/r/general")];
    let fragment = bob.htmx_post("/name", &form).await;
    refused(&fragment, "ann", "Change name, htmx");
    let page = bob.post("/name", &form).await;
    refused(&page, "ann", "Change name");
    let room = bob.get("/r/general").await;
    assert!(
        room.body
            .contains(r#"id="rename-name" name="name" type="text" value="Bob""#),
        "Bob is still Bob: {}",
        room.body
    );
    assert!(!room.body.contains("is now known as"), "nothing announced");
}

#[tokio::test]
async fn every_route_that_takes_a_name_refuses_one_taken_in_a_room_of_the_person() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    let mut bob = ann.stranger();
    bob.join("Bob", "general").await;
    for (route, form) in [
        ("/join", vec![("name", "Ann"), ("enter", "1")]),
        ("/rooms", vec![("name", "Ann")]),
        ("/pair", vec![("name", "Ann")]),
    ] {
        let answer = bob.post(route, &form).await;
        refused(&answer, "Ann", route);
        let answer = bob.htmx_post(route, &form).await;
        refused(&answer, "Ann", route);
    }
    let room = bob.get("/r/general").await;
    assert!(!room.body.contains("is now known as"), "nothing announced");
}

#[tokio::test]
async fn a_name_is_free_again_once_its_bearer_left() {
    let mut ann = site(&[]);
    ann.join("Ann", "general").await;
    assert_eq!(
        ann.post("/r/general/leave", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let mut eve = ann.stranger();
    eve.join("ann", "general").await;
}
