//! Outside tools the heavier tests start (chromium, redis-server, nginx):
//! finding them, skipping loudly when they are missing, ports and folders.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Straight to the process's stderr, past the test harness's capture, so
/// that a plain `cargo test` shows it too.
pub fn loud(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Says loudly that tests are skipped because `need` is not met; under
/// `CI=true` a missing tool is a failure instead.
pub fn missing(need: &str) {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{need}\nCI=true: a missing tool is a failure here, not a skip.");
    }
    let bar = "!".repeat(100);
    loud(&format!("\n{bar}\nSKIPPED: {need}\n{bar}\n"));
}

/// `$env` if set, else `default` if it exists, else the first of `names` on `PATH`.
pub fn find_tool(env: &str, default: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    if Path::new(default).is_file() {
        return Some(PathBuf::from(default));
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|path| path.is_file())
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// A new empty directory under the system's temporary directory.
pub fn fresh_dir(what: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "livechat-test-{what}-{}-{n}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}
