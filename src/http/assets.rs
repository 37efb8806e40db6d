//! Serves the static files (named in `crate::assets`) to be cached for
//! ever, the generated avatars and each member's own stylesheet.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::chat::Seed;
use crate::error::AppError;
use crate::views::avatar;

const FOREVER: &str = "public, max-age=31536000, immutable";

/// `GET /assets/{file}`
pub async fn get_asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let asset = crate::assets::named(&file).ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.mime),
            (header::CACHE_CONTROL, FOREVER),
        ],
        asset.body,
    )
        .into_response())
}

/// `GET /avatars/{seed}.svg`
pub async fn get_avatar(Path(file): Path<String>) -> Result<Response, AppError> {
    let seed = file
        .strip_suffix(".svg")
        .and_then(Seed::parse)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, FOREVER),
        ],
        avatar::svg(&seed),
    )
        .into_response())
}

/// `GET /me/{seed}.css`: marks the messages of the member with that seed as
/// their own, in look and in words ("You"), and the mentions of them
/// ("mentions you"), while every message is rendered once for everybody.
pub async fn get_own_css(Path(file): Path<String>) -> Result<Response, AppError> {
    let seed = file
        .strip_suffix(".css")
        .and_then(Seed::parse)
        .ok_or(AppError::NotFound)?;
    let s = seed.as_str();
    let css = format!(
        "[data-author=\"{s}\"].msg{{--msg-bg:var(--mine-bg);--msg-border:var(--mine-border)}}\
         [data-author=\"{s}\"].msg{{flex-direction:row-reverse}}\
         [data-author=\"{s}\"].msg .author{{display:none}}\
         [data-author=\"{s}\"] .you::before{{content:\"You\"}}\
         .mention[data-seed=\"{s}\"]{{font-weight:700;background:var(--mine-bg);\
         outline:2px solid var(--mine-border);border-radius:0.25rem}}\
         .mention[data-seed=\"{s}\"] .mentions-you::before{{content:\"mentions you\"}}\n"
    );
    let mut res = (StatusCode::OK, css).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(FOREVER));
    Ok(res)
}
