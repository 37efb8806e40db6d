//! The static files built into the binary, and the names they are served
//! under: a version or a content hash in each name, so that a page can ask
//! for them by name and caches may keep them for ever. Views link to them by
//! `Asset::path`; `http::assets` serves them.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// A file under `/assets/`.
pub struct Asset {
    stem: &'static str,
    ext: &'static str,
    /// Its `Content-Type`.
    pub mime: &'static str,
    /// The bytes served.
    pub body: &'static [u8],
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
    body: include_bytes!("../assets/style.css"),
    versioned: false,
};
pub static NO_JS: Asset = Asset {
    stem: "nojs",
    ext: "css",
    mime: "text/css; charset=utf-8",
    body: include_bytes!("../assets/nojs.css"),
    versioned: false,
};
pub static HTMX: Asset = Asset {
    stem: "htmx-4.0.1.min",
    ext: "js",
    mime: "text/javascript; charset=utf-8",
    body: include_bytes!("../assets/htmx-4.0.1.min.js"),
    versioned: true,
};
pub static HTMX_SSE: Asset = Asset {
    stem: "hx-sse-4.0.1.min",
    ext: "js",
    mime: "text/javascript; charset=utf-8",
    body: include_bytes!("../assets/hx-sse-4.0.1.min.js"),
    versioned: true,
};

static ALL: [&Asset; 4] = [&STYLE, &NO_JS, &HTMX, &HTMX_SSE];
static NAMES: LazyLock<Vec<(&'static Asset, String)>> = LazyLock::new(|| {
    ALL.iter()
        .map(|asset| (*asset, asset.hashed_name()))
        .collect()
});

/// The asset served as `name` (see `Asset::name`), if any.
pub fn named(name: &str) -> Option<&'static Asset> {
    NAMES
        .iter()
        .find(|(_, hashed)| hashed == name)
        .map(|(asset, _)| *asset)
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
