//! Guards every request and response: refuses cross-site state changes, and
//! puts the security and caching headers on every answer.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The policy for every page: scripts and styles from this site only, no
/// inline code, and no framing by anyone.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The policy of the no-JavaScript log document, which the room page frames.
pub const CSP_FRAMED: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; \
frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// Refuses a state-changing request that another site made a browser send,
/// and any other request another site made a browser send but following a
/// link (see `is_foreign_subresource`).
pub async fn same_origin(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe && !is_foreign_subresource(req.headers()) || is_same_origin(req.headers()) {
        return next.run(req).await;
    }
    tracing::info!(method = %req.method(), route = crate::logs::route(&req), "cross-site request refused");
    AppError::Forbidden.into_response()
}

/// A request that another site's page made the browser send for itself (an
/// image, a script, a frame, a fetch), rather than a person following a link
/// here: browsers say so in Fetch Metadata. Nothing here is meant to be
/// loaded by other sites, and such requests must not count against the
/// visitor: ten `<img src="/r/ZZZZ">` on another site would otherwise use up
/// the wrong codes of everyone behind the visitor's address. Clients that
/// send no Fetch Metadata (older browsers, tools) are not affected; a tool
/// that claims to be cross-site only gets refused.
fn is_foreign_subresource(headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let foreign = matches!(get("sec-fetch-site"), Some("cross-site" | "same-site"));
    let follows_a_link = get("sec-fetch-mode") == Some("navigate")
        && get("sec-fetch-dest").is_none_or(|d| d == "document");
    foreign && !follows_a_link
}

/// `Sec-Fetch-Site` when the browser sends it (it does even under
/// `Referrer-Policy: no-referrer`, which makes `Origin` read `null`), else
/// `Origin`, else `Referer`, compared with `Host`. Nothing to compare: refused.
fn is_same_origin(headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(host) = get("host") else {
        return false;
    };
    let source = get("origin")
        .filter(|o| *o != "null")
        .or_else(|| get("referer"));
    source
        .and_then(|url| url.split_once("://"))
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// Security headers on every response; private caching unless a handler chose.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CACHE_CONTROL, "private, no-cache");
    // Files kept for ever (scripts, stylesheets, avatars) are the same for
    // every reader: a shared cache keeps one copy of each.
    let same_for_everyone = headers
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("immutable"));
    // Pages are in the language `Accept-Language` (or the settings cookie)
    // asks for; beside what compression said it varies by, if it did.
    if !same_for_everyone {
        headers.append(
            header::VARY,
            HeaderValue::from_static("HX-Request, Cookie, Accept-Language"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn fetch_metadata_decides_first() {
        assert!(is_same_origin(&with(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_same_origin(&with(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://a"),
            ("host", "a")
        ])));
        assert!(!is_same_origin(&with(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn only_links_from_other_sites_are_followed() {
        assert!(is_foreign_subresource(&with(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "no-cors"),
            ("sec-fetch-dest", "image")
        ])));
        assert!(is_foreign_subresource(&with(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "iframe")
        ])));
        assert!(is_foreign_subresource(&with(&[
            ("sec-fetch-site", "same-site"),
            ("sec-fetch-mode", "cors")
        ])));
        assert!(!is_foreign_subresource(&with(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "document")
        ])));
        assert!(!is_foreign_subresource(&with(&[
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "cors")
        ])));
        assert!(!is_foreign_subresource(&with(&[(
            "sec-fetch-site",
            "none"
        )])));
        assert!(!is_foreign_subresource(&HeaderMap::new()));
    }

    #[test]
    fn origin_then_referer_must_match_the_host() {
        assert!(is_same_origin(&with(&[
            ("host", "chat.example:3000"),
            ("origin", "https://chat.example:3000")
        ])));
        assert!(!is_same_origin(&with(&[
            ("host", "chat.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(is_same_origin(&with(&[
            ("host", "chat.example"),
            ("origin", "null"),
            ("referer", "https://chat.example/r/K7QX")
        ])));
        assert!(!is_same_origin(&with(&[
            ("host", "chat.example"),
            ("origin", "null")
        ])));
        assert!(!is_same_origin(&with(&[("host", "chat.example")])));
    }
}
