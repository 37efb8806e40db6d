//! `Shape`: whether a request came from htmx (answer with a fragment) or from
//! a plain browser form (answer with a page or a redirect).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use time::OffsetDateTime;

use crate::error::Refused;
use crate::views::errors::until;

#[derive(Clone, Copy, Debug)]
pub struct Shape {
    htmx: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Shape {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let htmx = parts.headers.get("hx-request").is_some_and(|v| v == "true");
        Ok(Self { htmx })
    }
}

impl Shape {
    pub fn is_htmx(self) -> bool {
        self.htmx
    }

    /// Go to `to`: a `303` for a browser form, `HX-Redirect` for htmx (whose
    /// fetch would otherwise follow the redirect and swap a whole page in).
    pub fn redirect(self, to: &str) -> Response {
        if !self.htmx {
            return Redirect::to(to).into_response();
        }
        match HeaderValue::from_str(to) {
            Ok(location) => (StatusCode::OK, [("hx-redirect", location)]).into_response(),
            Err(_) => Redirect::to("/").into_response(),
        }
    }

    /// `refused` as this shape says it. A page without JavaScript never
    /// changes by itself: a wait on it says until when ("try again at
    /// 07:48:30 UTC"), where a live page says how long. Every answer that
    /// can carry a wait (forms, pages, the error layer) passes through here.
    pub fn still(self, refused: Refused) -> Refused {
        match refused.waiting {
            Some(waiting) if !self.htmx => Refused {
                words: until(waiting, OffsetDateTime::now_utc()),
                ..refused
            },
            _ => refused,
        }
    }

    /// A form's answer: the fragment for htmx, the whole page otherwise.
    pub fn form(
        self,
        status: StatusCode,
        fragment: impl FnOnce() -> Markup,
        page: impl FnOnce() -> Markup,
    ) -> Response {
        let body = if self.htmx { fragment() } else { page() };
        (status, body).into_response()
    }
}
