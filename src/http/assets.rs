//! Static files, built into the binary and served under names that carry a
//! version or a content hash, so they can be cached for ever. Also the
//! generated avatars and each member's own stylesheet.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::chat::Seed;
use crate::error::AppError;
use crate::views::avatar;

const FOREVER: &str = "public, max-age=31536000, immutable";

/// A file under `/assets/`.
pub struct Asset {
    stem: &'static str,
    ext: &'static str,
    mime: &'static str,
    body: &'static [u8],
    /// Whether the name already carries a version (vendored files).
    versioned: bool,
}

impl Asset {
    /// The file's name in URLs: `style.3f2a9c1b.css`, or the vendored name as is.
    pub fn name(&self) -> &'static str {
        NAMES
            .iter()
            .find(|(asset, _)| std::ptr::eq(*asset, self))
            .map_or("", |(_, name)| name.as_str())
    }

    pub fn path(&self) -> String {
        format!("/assets/{}", self.name())
    }

    fn hashed_name(&self) -> String {
        if self.versioned {
            return format!("{}.{}", self.stem, self.ext);
        }
        // SHA-256, not `DefaultHasher`, whose output may change between Rust
        // releases: servers built apart behind one balancer must agree.
        let digest = Sha256::digest(self.body);
        let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}.{short}.{}", self.stem, self.ext)
    }
}

pub static STYLE: Asset = Asset {
    stem: "style",
    ext: "css",
    mime: "text/css; charset=utf-8",
    body: include_bytes!("../../assets/style.css"),
    versioned: false,
};
pub static NO_JS: Asset = Asset {
    stem: "nojs",
    ext: "css",
    mime: "text/css; charset=utf-8",
    body: include_bytes!("../../assets/nojs.css"),
    versioned: false,
};
pub static HTMX: Asset = Asset {
    stem: "htmx-4.0.1.min",
    ext: "js",
    mime: "text/javascript; charset=utf-8",
    body: include_bytes!("../../assets/htmx-4.0.1.min.js"),
    versioned: true,
};
pub static HTMX_SSE: Asset = Asset {
    stem: "hx-sse-4.0.1.min",
    ext: "js",
    mime: "text/javascript; charset=utf-8",
    body: include_bytes!("../../assets/hx-sse-4.0.1.min.js"),
    versioned: true,
};

static ALL: [&Asset; 4] = [&STYLE, &NO_JS, &HTMX, &HTMX_SSE];
static NAMES: LazyLock<Vec<(&'static Asset, String)>> = LazyLock::new(|| {
    ALL.iter()
        .map(|asset| (*asset, asset.hashed_name()))
        .collect()
});

/// `GET /assets/{file}`
pub async fn get_asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (asset, _) = NAMES
        .iter()
        .find(|(_, name)| *name == file)
        .ok_or(AppError::NotFound)?;
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
/// their own, in look and in words ("You"), while every message is rendered
/// once for everybody.
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
         [data-author=\"{s}\"] .you::before{{content:\"You\"}}\n"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_cacheable_name() {
        let names: Vec<&str> = ALL.iter().map(|a| a.name()).collect();
        assert!(names.iter().all(|n| !n.is_empty()));
        assert!(STYLE.name().starts_with("style.") && STYLE.name().ends_with(".css"));
        assert_eq!(HTMX.name(), "htmx-4.0.1.min.js");
        let mut sorted = names.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }

    /// Two servers built apart name an asset alike: the name comes from a
    /// fixed hash of the content (SHA-256 of "abc" starts ba7816bf).
    #[test]
    fn hashed_names_are_the_same_on_every_build() {
        let asset = Asset {
            stem: "style",
            ext: "css",
            mime: "text/css",
            body: b"abc",
            versioned: false,
        };
        assert_eq!(asset.hashed_name(), "style.ba7816bf.css");
    }
}
