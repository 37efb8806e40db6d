//! The one layer that dresses every error response, ours (`AppError`) or a
//! bare one from a layer or an extractor, as a real page, or as a fragment
//! for htmx, that says what happened and leads home.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::shape::Shape;
use crate::error::AppError;
use crate::t;
use crate::views::errors::{error_fragment, error_page};
use crate::views::layout::ALERTS;

/// Title and explanation people see for an error status.
fn words(status: StatusCode) -> (String, String) {
    match status.as_u16() {
        400 | 415 | 422 => (t!("refused-title-invalid"), t!("error-400")),
        403 => (t!("refused-title-forbidden"), t!("error-403")),
        404 => (t!("refused-title-missed"), t!("error-404")),
        405 => (t!("error-405-title"), t!("error-405")),
        413 => (t!("error-413-title"), t!("error-413")),
        429 => (t!("refused-title-slow-down"), t!("error-429")),
        _ => (t!("error-500-title"), t!("error-500")),
    }
}

/// The page or fragment for an error: a refusal in its own words, any
/// other error in those of its status.
fn dressed(shape: Shape, status: StatusCode, ours: Option<&AppError>) -> Markup {
    let refused = match ours {
        Some(AppError::Refused(refused)) => {
            let refused = shape.still(refused.clone());
            let sentence = refused.sentence();
            Some((refused.title, sentence))
        }
        _ => None,
    };
    let (title, detail) = refused.unwrap_or_else(|| words(status));
    if shape.is_htmx() {
        error_fragment(&title, &detail)
    } else {
        error_page(&title, &detail)
    }
}

/// Dresses every error response as a page (or an htmx fragment) that leads
/// home; a refusal says its own words, other errors those of their status.
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
    let mut out = (status, dressed(shape, status, ours.as_deref())).into_response();
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
