//! People driving a site over HTTP as their browsers would: joining a room,
//! opening its stream, posting, queuing for a stranger.

use super::sse::Sse;
use super::{after_id, client, get_text};

/// A place browsers reach: one server, or any of several behind one address.
pub trait Site {
    fn url(&self, path: &str) -> String;

    /// The `Origin` a browser on this site sends.
    fn origin(&self) -> String {
        self.url("")
    }
}

impl Site for super::TestServer {
    fn url(&self, path: &str) -> String {
        super::TestServer::url(self, path)
    }
}

/// A form post from a page of `site`, with the headers a browser sends.
pub fn post(http: &reqwest::Client, site: &impl Site, path: &str) -> reqwest::RequestBuilder {
    http.post(site.url(path))
        .header("origin", site.origin())
        .header("sec-fetch-site", "same-origin")
}

/// Posts `form` from a page of `site`; the answer as it came.
pub async fn post_form(
    http: &reqwest::Client,
    site: &impl Site,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    post(http, site, path).form(form).send().await.expect(path)
}

/// Posts a form from a page of `site` that must answer `303`; where to.
pub async fn post_see_other(
    http: &reqwest::Client,
    site: &impl Site,
    path: &str,
    form: &[(&str, &str)],
) -> String {
    let res = post(http, site, path).form(form).send().await.expect(path);
    assert_eq!(res.status(), 303, "{path} {form:?}");
    res.headers()["location"]
        .to_str()
        .expect("ascii location")
        .to_owned()
}

/// Where `GET /pair` sends htmx (`HX-Redirect`) once a stranger is found.
pub async fn sent_to(http: &reqwest::Client, site: &impl Site) -> String {
    let res = http
        .get(site.url("/pair"))
        .header("hx-request", "true")
        .send()
        .await
        .expect("pair");
    assert_eq!(res.status(), 200);
    res.headers()["hx-redirect"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// A person in a room: their client, and the page's `?after=` id.
pub struct Person {
    pub http: reqwest::Client,
    pub after: String,
}

/// A new person who joins `room` as `name` and loads its page.
pub async fn enter(site: &impl Site, name: &str, room: &str) -> Person {
    enter_with(client(), site, name, room).await
}

/// `enter`, for a person already holding `http` (and its cookie).
pub async fn enter_with(http: reqwest::Client, site: &impl Site, name: &str, room: &str) -> Person {
    post_see_other(&http, site, "/join", &[("name", name), ("code", room)]).await;
    let page = get_text(&http, &site.url(&format!("/r/{room}"))).await;
    let after = after_id(&page);
    Person { http, after }
}

/// Someone who enters `room` and opens its stream, on the same site.
pub async fn member(site: &impl Site, name: &str, room: &str) -> (Person, Sse) {
    let person = enter(site, name, room).await;
    let stream = person.stream(site, room).await;
    (person, stream)
}

impl Person {
    /// The room's stream URL as the page has it.
    pub fn stream_url(&self, site: &impl Site, room: &str) -> String {
        site.url(&format!("/r/{room}/events?after={}", self.after))
    }

    pub async fn stream(&self, site: &impl Site, room: &str) -> Sse {
        let (headers, sse) = Sse::open(&self.http, &self.stream_url(site, room), None).await;
        assert_eq!(headers["content-type"], "text/event-stream");
        sse
    }

    /// Sends a message with htmx; the answer as it came.
    pub async fn send(&self, site: &impl Site, room: &str, text: &str) -> reqwest::Response {
        post(&self.http, site, &format!("/r/{room}/messages"))
            .header("hx-request", "true")
            .form(&[("text", text)])
            .send()
            .await
            .expect("post")
    }

    /// Sends a message that must be taken.
    pub async fn say(&self, site: &impl Site, room: &str, text: &str) {
        let res = self.send(site, room, text).await;
        assert_eq!(res.status(), 200, "{text}");
    }
}

/// Someone who pressed **Chat with a random stranger**, and their client.
pub async fn queue_for_stranger(site: &impl Site, name: &str) -> reqwest::Client {
    let http = client();
    let to = post_see_other(&http, site, "/pair", &[("name", name)]).await;
    assert_eq!(to, "/pair", "the waiting page at once");
    http
}

/// The room a match event leads to.
pub fn room_in(data: &str) -> String {
    data.split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to the room")
        .to_owned()
}
