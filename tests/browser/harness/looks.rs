//! How pages look and read: viewport, sideways scrolling, touch targets,
//! screenshots, what a screen reader says of an item, and axe-core.

use super::*;

impl Person {
    /// Sizes the window so that the page itself gets `width` x `height`.
    /// The browser's own chrome takes some of the window, and a resize
    /// reaches the page a moment later, so this measures, corrects and
    /// measures again until the page has the size asked for.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let mut outer = (width, height);
        let mut inner = (0, 0);
        for _ in 0..20 {
            self.c
                .set_window_size(outer.0, outer.1)
                .await
                .must("resize the window");
            tokio::time::sleep(Duration::from_millis(50)).await;
            let got = self
                .script("return [window.innerWidth, window.innerHeight]")
                .await;
            inner = (
                got[0].as_u64().unwrap_or(0) as u32,
                got[1].as_u64().unwrap_or(0) as u32,
            );
            if inner == (width, height) {
                return;
            }
            outer = (
                (outer.0 + width).saturating_sub(inner.0).max(width),
                (outer.1 + height).saturating_sub(inner.1).max(height),
            );
        }
        panic!("the page never got {width} x {height}: it has {inner:?}");
    }

    pub async fn assert_no_sideways_scrolling(&self, state: &str) {
        let widths = self
            .script("return [document.documentElement.scrollWidth, Math.min(document.documentElement.clientWidth, window.innerWidth)]")
            .await;
        let (scroll, client) = (
            widths[0].as_u64().unwrap_or(0),
            widths[1].as_u64().unwrap_or(0),
        );
        assert!(
            scroll <= client,
            "{state}: the page scrolls sideways ({scroll} px of content in {client} px)"
        );
    }

    /// Every control that shows is at least 44 x 44 CSS pixels (WCAG 2.5.5's
    /// size, above 2.5.8's 24 px minimum), except links inside a sentence,
    /// which 2.5.8 exempts as inline.
    pub async fn assert_large_touch_targets(&self, state: &str) {
        let small = self
            .script(
                "const small = [];
                 for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex=\"-1\"])')) {
                   const r = e.getBoundingClientRect();
                   if (r.width <= 1 || r.height <= 1 || getComputedStyle(e).visibility === 'hidden') continue;
                   if (e.tagName === 'A' && e.closest('p')) continue;
                   if (r.width < 44 || r.height < 44)
                     small.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} '${(e.textContent || e.value || '').trim().slice(0, 30)}' ${Math.round(r.width)}x${Math.round(r.height)}`);
                 }
                 return small;",
            )
            .await;
        assert_eq!(
            small,
            json!([]),
            "{state}: controls smaller than 44 x 44 px"
        );
    }

    /// Takes a screenshot of what the browser shows. It is saved as
    /// `tests/screenshots/{file}` (the README's pictures) when
    /// `LIVECHAT_SCREENSHOTS=1`, and under `target/screenshots/` otherwise, so
    /// that an ordinary test run leaves the tree alone.
    pub async fn screenshot(&self, file: &str, size: (u32, u32)) {
        let png = self.c.screenshot().await.must("screenshot");
        assert_eq!(png_size(&png), Some(size), "{file}: the screenshot's size");
        let keep = std::env::var("LIVECHAT_SCREENSHOTS").is_ok_and(|v| v == "1");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(if keep {
            "tests/screenshots"
        } else {
            "target/screenshots"
        });
        std::fs::create_dir_all(&dir).must("create the screenshot folder");
        std::fs::write(dir.join(file), png).must(&format!("write {}", dir.join(file).display()));
    }

    /// What a screen reader reads, in order, for the log item that holds
    /// `needle` in the current document: text, image alternatives and
    /// generated content (the "You" mark) of what is not hidden, joined by
    /// " | ". `None` when no item holds it.
    pub async fn spoken_item(&self, needle: &str) -> Option<String> {
        let found = self
            .c
            .execute(SPOKEN_ITEM, vec![json!(needle)])
            .await
            .must("read a log item as spoken");
        found.as_str().map(str::to_owned)
    }
}

/// Width and height from a PNG's header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    Some((word(16), word(20)))
}

// ---------------------------------------------------------------------------
// Accessibility

/// Walks a log item as the accessibility tree does (see `spoken_item`).
pub const SPOKEN_ITEM: &str = r#"
const needle = arguments[0];
const li = [...document.querySelectorAll('[role=log] li')].find(l => l.textContent.includes(needle));
if (!li) return null;
const parts = [];
const pseudo = (e, which) => {
  const c = getComputedStyle(e, which).content;
  const m = c && c.match(/^"([^"]*)"(?:\s*\/\s*"([^"]*)")?$/);
  if (!m) return;
  const t = (m[2] !== undefined ? m[2] : m[1]).trim();
  if (t) parts.push(t);
};
const walk = n => {
  if (n.nodeType === 3) { const t = n.textContent.trim(); if (t) parts.push(t); return; }
  if (n.nodeType !== 1) return;
  const st = getComputedStyle(n);
  if (st.display === 'none' || st.visibility === 'hidden' || n.getAttribute('aria-hidden') === 'true') return;
  if (n.tagName === 'IMG') { const a = n.getAttribute('alt'); if (a) parts.push(a); return; }
  pseudo(n, '::before');
  n.childNodes.forEach(walk);
  pseudo(n, '::after');
};
walk(li);
return parts.join(' | ');
"#;

pub const AXE_RUN: &str = r#"
const tags = arguments[0];
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: tags }, iframes: false, resultTypes: ['violations'] })
  .then(r => done({ violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })),
  })) }))
  .catch(e => done({ error: String((e && e.stack) || e) }));
"#;

/// Ends the fade-ins and other time-based animations under way, so axe-core
/// judges what a person sees once they are over, not a frame half-way
/// through (a new item fading in is briefly of low contrast). Animations
/// that follow scrolling, or that never end, are left alone.
pub const SETTLE_ANIMATIONS: &str = r#"
for (const a of document.getAnimations()) {
  if (a.timeline !== document.timeline) continue;
  try { a.finish(); } catch (e) { /* one that never ends */ }
}
"#;

/// Whether scripting is off in this document: then `<noscript>` content is
/// parsed as markup, in fragments too. If so, replaces the timers as told in
/// `assert_no_axe_violations` and answers `true`.
pub const SHIM_TIMERS_IF_NO_SCRIPTING: &str = r#"
const probe = document.createElement('div');
probe.innerHTML = '<noscript><i></i></noscript>';
if (!probe.querySelector('noscript i')) return false;
window.__realTimers = [window.setTimeout, window.clearTimeout];
window.setTimeout = (fn, ms, ...args) => {
  if (!(ms > 0)) Promise.resolve().then(() => fn(...args));
  return 0;
};
window.clearTimeout = () => {};
return true;
"#;

pub const UNSHIM_TIMERS: &str = "[window.setTimeout, window.clearTimeout] = window.__realTimers;";

/// Runs axe-core (WCAG 2.2 AA rules) on the current document (the page, or
/// the frame WebDriver is in) and fails with a readable list of violations.
pub async fn assert_no_axe_violations(c: &Client, state: &str) {
    let violations = axe_violations(c, state).await;
    if !violations.is_empty() {
        panic!("{}", axe_report(&violations, state));
    }
}

/// What axe-core finds on the current document: the violations as it reports
/// them (`id`, `impact`, `help`, `helpUrl`, `nodes` with `target`, `summary`).
pub async fn axe_violations(c: &Client, state: &str) -> Vec<Value> {
    let loaded = "return typeof window.axe === 'object' && typeof window.axe.run === 'function'";
    if c.execute(loaded, vec![]).await.must("look for axe-core") != json!(true) {
        c.execute(AXE_SOURCE, vec![]).await.unwrap_or_else(|e| {
            panic!("{state}: injecting axe-core failed (blocked by the page's CSP?): {e}")
        });
        let version = c
            .execute("return window.axe && window.axe.version", vec![])
            .await
            .must("axe version");
        assert!(
            version.is_string(),
            "{state}: axe-core did not load after injection (got {version})"
        );
    }
    c.execute(SETTLE_ANIMATIONS, vec![])
        .await
        .must("settle animations");
    // With JavaScript turned off, scripts run over WebDriver and promises
    // settle, but timers never fire, and axe-core waits on `setTimeout(.., 0)`
    // between rules. For the run, such timers become microtasks (and longer
    // ones, only guards against hangs, never fire); no script of the page
    // runs then anyway.
    let shimmed = c
        .execute(SHIM_TIMERS_IF_NO_SCRIPTING, vec![])
        .await
        .must("check for scripting");
    let result = c.execute_async(AXE_RUN, vec![json!(AXE_TAGS)]).await;
    if shimmed == json!(true) {
        c.execute(UNSHIM_TIMERS, vec![])
            .await
            .must("restore timers");
    }
    let result = result.unwrap_or_else(|e| panic!("{state}: running axe-core failed: {e}"));
    if let Some(error) = result.get("error") {
        panic!(
            "{state}: axe-core failed: {}",
            error.as_str().unwrap_or_default()
        );
    }
    result["violations"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{state}: axe-core answered {result}"))
}

/// The violations as a readable list.
pub fn axe_report(violations: &[Value], state: &str) -> String {
    let mut report = format!(
        "axe-core found {} WCAG violation(s) on {state}:\n",
        violations.len()
    );
    for v in violations {
        let text = |key: &str| v[key].as_str().unwrap_or("?").to_owned();
        report.push_str(&format!(
            "- {} [{}]: {} ({})\n",
            text("id"),
            text("impact"),
            text("help"),
            text("helpUrl")
        ));
        for node in v["nodes"].as_array().into_iter().flatten() {
            let target: Vec<String> = node["target"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
                .collect();
            report.push_str(&format!("    at {}\n", target.join(" >>> ")));
            if let Some(summary) = node["summary"].as_str() {
                for line in summary.lines() {
                    report.push_str(&format!("       {line}\n"));
                }
            }
        }
    }
    report
}
