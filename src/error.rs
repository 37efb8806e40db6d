//! `AppError`: why a request cannot be served as asked (bad form input is not
//! an error, it is an answer). `render_errors` is the one layer that turns any
//! error response into a real page, or a fragment for htmx.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::shape::Shape;
use crate::views::errors::{error_fragment, error_page};
use crate::views::layout::ALERTS;

#[derive(Debug)]
pub enum AppError {
    NotFound,
    Forbidden,
    /// A cap was reached: the words say which, and what to do.
    Full(String),
    /// A part the site needs (the shared store) cannot be reached for now.
    Unavailable(String),
    /// Too many room codes that led nowhere (see `http::door`): wait this long.
    Guessing(std::time::Duration),
    Internal(String),
}

impl From<crate::chat::ChatError> for AppError {
    /// A room that cannot be entered or read: gone, not yours, or full.
    fn from(why: crate::chat::ChatError) -> Self {
        use crate::chat::ChatError;
        match why {
            ChatError::RoomFull
            | ChatError::TooManyStreams
            | ChatError::Full
            | ChatError::QueueFull => Self::Full(why.to_string()),
            ChatError::Unavailable => Self::Unavailable(why.to_string()),
            ChatError::NotMember => Self::Forbidden,
            _ => Self::NotFound,
        }
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Full(_) | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Guessing(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = self.status().into_response(); // the body is added by `render_errors`
        if let Self::Guessing(wait) = &self {
            let seconds = crate::chat::whole_seconds(*wait);
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res.extensions_mut().insert(Arc::new(self));
        res
    }
}

/// What a handler that panicked answers: logged, then a 500 like any other
/// internal error (its page comes from `render_errors`); the server goes on.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    AppError::Internal(format!("handler panicked: {cause}")).into_response()
}

/// Title and explanation people see for an error status.
fn words(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 | 415 | 422 => (
            "That request was not understood",
            "The form was sent incomplete or in a shape this site does not read. Go back and try again.",
        ),
        403 => (
            "Not allowed",
            "That request came from another site or is not yours to make, so it was refused.",
        ),
        404 => (
            "Nothing here",
            "There is no page at this address. If it was a room, it may have closed when everyone left.",
        ),
        405 => (
            "Not like that",
            "This address does not take that kind of request.",
        ),
        413 => (
            "Too much at once",
            "What you sent was larger than this site accepts.",
        ),
        429 => (
            "Slow down",
            "Too many requests in a short time. Wait a moment and try again.",
        ),
        _ => (
            "Something went wrong",
            "The server could not do that just now. Please try again.",
        ),
    }
}

/// Dresses every error response, ours or a bare one from a layer or an
/// extractor, as a page (or an htmx fragment) that leads home.
pub async fn render_errors(shape: Shape, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ours = res.extensions().get::<Arc<AppError>>().cloned();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html && ours.is_none() {
        return res; // already a page or a fragment (a refused form)
    }
    if let Some(AppError::Internal(cause)) = ours.as_deref() {
        tracing::error!(%cause, "request failed");
    }
    let waiting = match ours.as_deref() {
        Some(AppError::Guessing(wait)) => {
            Some(format!("{}.", crate::http::door::wait_words(*wait)))
        }
        _ => None,
    };
    let (title, detail) = match (ours.as_deref(), &waiting) {
        (Some(AppError::Full(why)), _) => ("Full right now", why.as_str()),
        (Some(AppError::Unavailable(why)), _) => ("Unavailable for a moment", why.as_str()),
        (_, Some(words)) => ("Slow down", words.as_str()),
        _ => words(status),
    };
    let body = if shape.is_htmx() {
        error_fragment(title, detail)
    } else {
        error_page(title, detail)
    };
    let mut out = (status, body).into_response();
    let headers = out.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(retry) = res.headers().get(header::RETRY_AFTER) {
        headers.insert(header::RETRY_AFTER, retry.clone());
    }
    if shape.is_htmx() {
        // Into the page's alert region, not over the form that was sent.
        headers.insert("hx-retarget", HeaderValue::from_static(ALERTS));
        headers.insert("hx-reswap", HeaderValue::from_static("innerHTML"));
    }
    out
}
