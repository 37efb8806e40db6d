//! In-process HTTP tests: every route of the contract, through the very same
//! `Router` the binary serves, without a socket. This file holds the visitor
//! that drives it; the tests live in `tests/http/`, a module a topic.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use livechat::shutdown::Trigger;
use livechat::{AppState, app};
use tower::ServiceExt;

const ORIGIN: &str = "http://chat.test";

/// One person's browser: the app, and the session cookie it was given.
struct Visitor {
    app: Router,
    cookie: Option<String>,
    /// The address the serve loop would have recorded, if any.
    from: Option<std::net::SocketAddr>,
    _trigger: std::sync::Arc<Trigger>,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    /// Fails, showing the whole body, unless the body holds `needle`.
    #[track_caller]
    fn assert_has(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "{needle:?} is not in:\n{}",
            self.body
        );
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn site(flags: &[&str]) -> Visitor {
    let (state, trigger) = AppState::new(common::config(flags)).expect("config");
    Visitor {
        app: app(state),
        cookie: None,
        from: None,
        _trigger: std::sync::Arc::new(trigger),
    }
}

impl Visitor {
    /// This visitor, as Ann, and a new visitor, Bob, both asking for a
    /// stranger: Bob, and the room they were both sent to.
    async fn paired_with_bob(&mut self) -> (Visitor, String) {
        let mut bob = self.stranger();
        self.post("/pair", &[("name", "Ann")]).await;
        bob.post("/pair", &[("name", "Bob")]).await;
        let room = bob.get("/pair").await.location().to_owned();
        (bob, room)
    }

    /// Another person on the same site, with no cookie yet.
    fn stranger(&self) -> Visitor {
        Visitor {
            app: self.app.clone(),
            cookie: None,
            from: None,
            _trigger: self._trigger.clone(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE) {
            let pair = set
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .expect("pair");
            self.cookie = Some(pair.to_owned());
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "chat.test");
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie);
        }
        if let Some(from) = self.from {
            req = req.extension(axum::extract::ConnectInfo(from));
        }
        req
    }

    async fn get(&mut self, path: &str) -> Answer {
        let req = self
            .request("GET", path)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.request("GET", path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_with(path, form, &[("origin", ORIGIN)]).await
    }

    async fn htmx_post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_with(path, form, &[("origin", ORIGIN), ("hx-request", "true")])
            .await
    }

    async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let body = serde_urlencoded(form);
        let mut req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    /// Picks a name, joins `room` (a code or a public slug) and opens its page.
    async fn join(&mut self, name: &str, room: &str) -> Answer {
        let answer = self.post("/join", &[("name", name), ("code", room)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(self.get(answer.location()).await.status, StatusCode::OK);
        answer
    }
}

fn serde_urlencoded(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[path = "http/blocking.rs"]
mod blocking;
#[path = "http/console.rs"]
mod console;
#[path = "http/ignoring.rs"]
mod ignoring;
#[path = "http/joining.rs"]
mod joining;
#[path = "http/languages.rs"]
mod languages;
#[path = "http/messages.rs"]
mod messages;
#[path = "http/moderated.rs"]
mod moderated;
#[path = "http/moderation.rs"]
mod moderation;
#[path = "http/names.rs"]
mod names;
#[path = "http/networks.rs"]
mod networks;
#[path = "http/nojs.rs"]
mod nojs;
#[path = "http/owners.rs"]
mod owners;
#[path = "http/pages.rs"]
mod pages;
#[path = "http/refusals.rs"]
mod refusals;
#[path = "http/reports.rs"]
mod reports;
#[path = "http/room.rs"]
mod room;
#[path = "http/settings.rs"]
mod settings;
#[path = "http/strangers.rs"]
mod strangers;
#[path = "http/typing.rs"]
mod typing;
#[path = "http/unread.rs"]
mod unread;
