//! Serves the static files (named in `crate::assets`) to be cached for
//! ever, the generated avatars and each member's own stylesheet.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::chat::Seed;
use crate::error::AppError;
use crate::look::{self, Lang, Look};
use crate::t;
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
    let words = |lang| {
        let look = Look {
            lang,
            ..Look::default()
        };
        let (you, mentions) = look::render_with(&look, || (t!("own-you"), t!("own-mentions-you")));
        (css_string(&you), css_string(&mentions))
    };
    let (you, mentions) = words(Lang::En);
    let mut css = format!(
        "[data-author=\"{s}\"].msg{{--msg-bg:var(--mine-bg);--msg-border:var(--mine-border)}}\
         [data-author=\"{s}\"].msg{{flex-direction:row-reverse}}\
         [data-author=\"{s}\"].msg .author{{display:none}}\
         [data-author=\"{s}\"] .you::before{{content:\"{you}\"}}\
         .mention[data-seed=\"{s}\"]{{font-weight:700;background:var(--mine-bg);\
         outline:2px solid var(--mine-border);border-radius:0.25rem}}\
         .mention[data-seed=\"{s}\"] .mentions-you::before{{content:\"{mentions}\"}}\n"
    );
    // The same words in each other language, chosen by the page's `lang`.
    for lang in Lang::ALL.into_iter().filter(|lang| *lang != Lang::En) {
        let ((you, mentions), tag) = (words(lang), lang.tag());
        css.push_str(&format!(
            ":lang({tag}) [data-author=\"{s}\"] .you::before{{content:\"{you}\"}}\
             :lang({tag}) .mention[data-seed=\"{s}\"] .mentions-you::before{{content:\"{mentions}\"}}\n"
        ));
    }
    let mut res = (StatusCode::OK, css).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(FOREVER));
    Ok(res)
}

/// `text` inside a CSS string: quotes, backslashes and line ends escaped.
fn css_string(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' => format!("\\{:x} ", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}
