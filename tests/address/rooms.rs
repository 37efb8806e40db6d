//! Private rooms per address: made per minute, held at once, and random chat
//! going on while they are full.

use super::*;

#[tokio::test]
async fn private_rooms_are_limited_per_minute_per_address() {
    let server = spawn_app(&["--address-rooms", "3"]).await;
    for n in 0..3 {
        let name = format!("P{n}");
        let (_, status, body) = fresh_post(&server, "/rooms", &[("name", &name)]).await;
        assert_eq!(status, 303, "{body}");
    }
    let (http, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(status, 429);
    assert!(
        body.contains("Too many private rooms made from your network address: try again at "),
        "{body}"
    );
    assert!(body.contains("value=\"Eve\""), "the name is kept");
    // The name was taken on all the same: public rooms are open to Eve.
    let res = post_form(
        &http,
        &server,
        "/join",
        &[("name", "Eve"), ("code", "general")],
    )
    .await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn private_rooms_held_per_address_come_back_when_one_closes() {
    let server = spawn_app(&["--address-rooms-held", "2"]).await;
    let mut made = Vec::new();
    for n in 0..2 {
        let http = client();
        let res = post_form(&http, &server, "/rooms", &[("name", &format!("P{n}"))]).await;
        assert_eq!(res.status(), 303);
        let room = res.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        made.push((http, room));
    }
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(status, 429);
    assert!(
        body.contains("Too many private rooms are open from your network address"),
        "{body}"
    );
    assert!(body.contains("value=\"Eve\""), "the name is kept");
    // The first room's only member leaves: it closes and its place is free.
    let (http, room) = &made[0];
    let res = post(http, &server, &format!("{room}/leave"))
        .send()
        .await
        .expect("leave");
    assert_eq!(res.status(), 303);
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Eve")]).await;
    assert_eq!(
        status, 303,
        "a room that closed gives its place back: {body}"
    );
    let (_, status, _) = fresh_post(&server, "/rooms", &[("name", "Fay")]).await;
    assert_eq!(status, 429, "and only one");
}

#[tokio::test]
async fn strangers_are_paired_while_the_private_rooms_are_full() {
    let server = spawn_app(&["--max-rooms", "1"]).await;
    let (_, status, _) = fresh_post(&server, "/rooms", &[("name", "Ann")]).await;
    assert_eq!(status, 303);
    let (_, status, body) = fresh_post(&server, "/rooms", &[("name", "Bob")]).await;
    assert_eq!(status, 503, "the pool is full, nothing Bob typed is wrong");
    assert!(
        body.contains("No more rooms can be made right now"),
        "{body}"
    );
    let cy = queue_for_stranger(&server, "Cy").await;
    let dee = queue_for_stranger(&server, "Dee").await;
    for http in [&cy, &dee] {
        let res = http.get(server.url("/pair")).send().await.expect("pair");
        assert_eq!(res.status(), 303, "matched");
        let to = res.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(to.starts_with("/r/"), "{to}");
        let res = http.get(server.url(&to)).send().await.expect("room");
        assert_eq!(res.status(), 200, "the pair room is open to both");
    }
}
