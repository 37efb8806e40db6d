//! The code door over a real loopback socket, tried as a guesser would: every
//! route that names a room code, from one address, from one IPv6 /64 behind
//! a proxy, with fresh sessions, and as one member from many addresses.

mod common;

use common::people::{Site, enter, post};
use common::{client, spawn_app};
use livechat::chat::RoomCode;

/// Every route that names a room code.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Route {
    Page,
    Events,
    Log,
    /// The Online document framed by a page without JavaScript.
    Online,
    Title,
    Post,
    Leave,
    Join,
    /// **Find a new stranger**: queue again, leaving the room it names.
    PairLeave,
    /// A message's page.
    Message,
    /// **Delete** on a message's page.
    Delete,
}

const ROUTES: [Route; 11] = [
    Route::Page,
    Route::Events,
    Route::Log,
    Route::Online,
    Route::Title,
    Route::Post,
    Route::Leave,
    Route::Join,
    Route::PairLeave,
    Route::Message,
    Route::Delete,
];

/// A code that leads nowhere (a random one: no private room is open).
fn guess() -> String {
    RoomCode::random(4).to_string()
}

/// What `route` answers `http` for `code`, with `headers` added.
async fn try_code(
    http: &reqwest::Client,
    site: &impl Site,
    route: Route,
    code: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut req = match route {
        Route::Page => http.get(site.url(&format!("/r/{code}"))),
        Route::Events => http.get(site.url(&format!("/r/{code}/events"))),
        Route::Log => http.get(site.url(&format!("/r/{code}/log"))),
        Route::Online => http.get(site.url(&format!("/r/{code}/online"))),
        Route::Title => http.get(site.url(&format!("/r/{code}/title"))),
        Route::Post => {
            post(http, site, &format!("/r/{code}/messages")).form(&[("text", "anyone here?")])
        }
        Route::Leave => post(http, site, &format!("/r/{code}/leave")),
        Route::Join => post(http, site, "/join").form(&[("name", "Eve"), ("code", code)]),
        Route::PairLeave => post(http, site, "/pair").form(&[("leave", code)]),
        Route::Message => http.get(site.url(&format!("/r/{code}/m/1-1"))),
        Route::Delete => post(http, site, &format!("/r/{code}/m/1-1/delete")),
    };
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.expect("an answer");
    let status = res.status().as_u16();
    (status, res.text().await.expect("a body that ends"))
}

/// Whether the answer is `route`'s answer for a code that leads nowhere.
fn missed(route: Route, status: u16, body: &str) -> bool {
    match route {
        Route::Events => {
            status == 200 && body.contains("You are not in this room, or it has closed.")
        }
        Route::Post => status == 404 && body.contains(r#"value="anyone here?""#),
        Route::Leave | Route::PairLeave => status == 303,
        Route::Join => status == 422 && body.contains("No room with code"),
        Route::Page
        | Route::Log
        | Route::Online
        | Route::Title
        | Route::Message
        | Route::Delete => status == 404,
    }
}

/// Whether the answer refuses every code for a while and says how long: a
/// stream or an htmx fragment in seconds, a page without htmx (which never
/// changes by itself) until when.
fn refused(route: Route, status: u16, body: &str) -> bool {
    let expected = if route == Route::Events { 200 } else { 429 };
    let words = "Too many wrong room codes from your address or session: ";
    let says_wait = body
        .split(&format!("{words}wait "))
        .nth(1)
        .and_then(|rest| rest.split(" s and try again").next())
        .is_some_and(|secs| secs.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s)));
    let says_until = body
        .split(&format!("{words}try again at "))
        .nth(1)
        .and_then(|rest| rest.split(" UTC").next())
        .is_some_and(|clock| {
            clock.len() == 8
                && clock
                    .split(':')
                    .all(|n| n.parse::<u8>().is_ok_and(|n| n < 60))
        });
    let still = route != Route::Events;
    status == expected && if still { says_until } else { says_wait }
}

#[tokio::test]
async fn every_code_route_guessed_from_one_address_is_refused_with_the_wait() {
    for route in ROUTES {
        let server = spawn_app(&["--join-failures", "5"]).await;
        let eve = enter(&server, "Eve", "general").await;
        for n in 0..5 {
            let (status, body) = try_code(&eve.http, &server, route, &guess(), &[]).await;
            assert!(
                missed(route, status, &body),
                "{route:?} #{n}: {status} {body}"
            );
        }
        let (status, body) = try_code(&eve.http, &server, route, &guess(), &[]).await;
        assert!(refused(route, status, &body), "{route:?}: {status} {body}");
        if route == Route::Post {
            assert!(body.contains(r#"value="anyone here?""#), "the text is kept");
        }
        let (status, body) = try_code(&eve.http, &server, route, "general", &[]).await;
        assert!(
            refused(route, status, &body),
            "{route:?}: a right code is refused too while over the limit: {status} {body}"
        );
    }
}

#[tokio::test]
async fn behind_a_proxy_one_ipv6_64_is_one_guesser_and_other_networks_are_not() {
    let server = spawn_app(&["--join-failures", "3", "--trusted-proxy", "127.0.0.1"]).await;
    let http = client();
    for n in 1..=3 {
        let ip = format!("2001:db8:1:2::{n:x}");
        let headers = [("x-forwarded-for", ip.as_str())];
        let (status, _) = try_code(&http, &server, Route::Page, &guess(), &headers).await;
        assert_eq!(status, 404, "{ip}");
    }
    let same_64 = [("x-forwarded-for", "2001:db8:1:2:ffff:ffff:ffff:ffff")];
    let (status, body) = try_code(&http, &server, Route::Page, "general", &same_64).await;
    assert!(
        refused(Route::Page, status, &body),
        "another address of the same /64: {status} {body}"
    );
    for elsewhere in ["2001:db8:1:3::1", "203.0.113.5"] {
        let headers = [("x-forwarded-for", elsewhere)];
        let (status, _) = try_code(&http, &server, Route::Page, &guess(), &headers).await;
        assert_eq!(status, 404, "{elsewhere} is not slowed");
    }
}

/// One site or tunnel is commonly handed a whole /48: 65,536 /64s, each
/// with its own budget, would make guessing 65,536 times faster. The /48 is
/// counted too, with 16 times an address's wrong codes; other /48s are not
/// slowed.
#[tokio::test]
async fn behind_a_proxy_one_ipv6_48_cannot_make_a_budget_of_each_of_its_64s() {
    let server = spawn_app(&["--join-failures", "2", "--trusted-proxy", "127.0.0.1"]).await;
    let http = client();
    let mut refusals = 0;
    let mut misses = 0;
    for net in 0..40 {
        let ip = format!("2001:db8:7:{net:x}::1");
        let headers = [("x-forwarded-for", ip.as_str())];
        let (status, body) = try_code(&http, &server, Route::Page, &guess(), &headers).await;
        if refused(Route::Page, status, &body) {
            refusals += 1;
        } else {
            misses += 1;
        }
    }
    assert_eq!(misses, 32, "16 addresses' worth of wrong codes for the /48");
    assert_eq!(refusals, 8);
    let headers = [("x-forwarded-for", "2001:db8:8::1")];
    let (status, _) = try_code(&http, &server, Route::Page, &guess(), &headers).await;
    assert_eq!(status, 404, "another /48 is not slowed");
}

#[tokio::test]
async fn fresh_sessions_from_one_address_share_its_budget() {
    let server = spawn_app(&["--join-failures", "4"]).await;
    let mut people = Vec::new();
    for n in 0..5 {
        people.push(enter(&server, &format!("P{n}"), "general").await);
    }
    for person in &people[..4] {
        let (status, body) = try_code(&person.http, &server, Route::Post, &guess(), &[]).await;
        assert!(missed(Route::Post, status, &body), "{status} {body}");
    }
    let (status, body) = try_code(&people[4].http, &server, Route::Post, &guess(), &[]).await;
    assert!(refused(Route::Post, status, &body), "{status} {body}");
    let (status, body) = try_code(&client(), &server, Route::Join, "general", &[]).await;
    assert!(
        refused(Route::Join, status, &body),
        "and a new session's join: {status} {body}"
    );
}

#[tokio::test]
async fn a_members_guesses_from_many_addresses_share_the_members_budget() {
    let server = spawn_app(&["--join-failures", "3", "--trusted-proxy", "127.0.0.1"]).await;
    let eve = enter(&server, "Eve", "general").await;
    for n in 1..=3 {
        let ip = format!("198.51.100.{n}");
        let headers = [("x-forwarded-for", ip.as_str())];
        let (status, body) = try_code(&eve.http, &server, Route::Events, &guess(), &headers).await;
        assert!(missed(Route::Events, status, &body), "{ip}: {body}");
    }
    let headers = [("x-forwarded-for", "198.51.100.9")];
    let (status, body) = try_code(&eve.http, &server, Route::Events, "general", &headers).await;
    assert!(
        refused(Route::Events, status, &body),
        "the member's own stream, from a fresh address: {body}"
    );
    assert!(body.ends_with("event: close\ndata: close\n\n"), "{body}");
    let (status, _) = try_code(&client(), &server, Route::Page, "general", &headers).await;
    assert_eq!(status, 303, "someone else at that address is not slowed");
}

#[tokio::test]
async fn many_members_behind_one_address_opening_streams_at_once_are_not_refused() {
    let server = spawn_app(&["--join-failures", "2", "--address-sessions", "100"]).await;
    let mut people = Vec::new();
    for n in 0..40 {
        people.push(enter(&server, &format!("P{n}"), "general").await);
    }
    let opens = people.iter().map(|person| {
        let url = person.stream_url(&server, "general");
        async move {
            let (_, mut sse) = common::sse::Sse::open(&person.http, &url, None).await;
            sse.next().await.map(|e| e.data).unwrap_or_default()
        }
    });
    let first = futures_util::future::join_all(opens).await;
    let refused = first
        .iter()
        .filter(|data| data.contains("Too many"))
        .count();
    assert_eq!(refused, 0, "{first:?}");
}

#[tokio::test]
async fn pages_of_a_public_room_reconnecting_after_their_members_were_forgotten_lock_nobody_out() {
    let server = spawn_app(&["--join-failures", "3"]).await;
    // Signed in, but not (any more) in the room: as after a restart.
    let mut people = Vec::new();
    for n in 0..6 {
        people.push(common::joined(&server, &format!("P{n}"), "hobby").await);
    }
    for http in &people {
        let (status, body) = try_code(http, &server, Route::Events, "general", &[]).await;
        assert!(missed(Route::Events, status, &body), "{body}");
    }
    for http in &people {
        let (status, body) = try_code(http, &server, Route::Page, "general", &[]).await;
        assert_eq!(status, 200, "joining again is not refused: {body}");
    }
}

/// Any other site can make its visitors' browsers ask for addresses here:
/// `<img src="https://chat.example/r/ZZZZ">` ten times is ten requests from
/// the visitor's address, cross-site and without the session cookie
/// (`SameSite=Lax`). They must not lock the visitor, and everyone behind
/// their address, out of the rooms they are in.
#[tokio::test]
async fn a_cross_site_page_cannot_lock_its_visitors_out_of_their_rooms() {
    let server = spawn_app(&[]).await;
    let ann = client();
    let to = common::people::post_see_other(&ann, &server, "/rooms", &[("name", "Ann")]).await;
    let res = ann.get(server.url(&to)).send().await.expect("room");
    assert_eq!(res.status(), 200, "Ann is in her room");
    let images = client();
    for _ in 0..30 {
        images
            .get(server.url(&format!("/r/{}", guess())))
            .header("sec-fetch-site", "cross-site")
            .header("sec-fetch-mode", "no-cors")
            .header("sec-fetch-dest", "image")
            .send()
            .await
            .expect("image");
    }
    let res = ann.get(server.url(&to)).send().await.expect("room again");
    assert_eq!(res.status(), 200, "Ann reloads her own room");
    let res = post(&ann, &server, &format!("{to}/messages"))
        .header("hx-request", "true")
        .form(&[("text", "still here")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200, "and can still talk in it");
}
