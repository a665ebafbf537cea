//! Headless Chromium for the browser tests: find it, load a page in a fresh profile, and return
//! the DOM once the page's scripts are done.
//!
//! Chromium comes from Debian's `chromium` package (`bash .ci/test` installs it when missing),
//! at `/usr/bin/chromium` or wherever `$CHROMIUM` points. Without it a browser test fails, saying
//! so: a browser test that passes without a browser would prove nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// How long one page load may take, start to DOM dump, before the test gives up on it.
const PAGE_LOAD_LIMIT: Duration = Duration::from_secs(20);

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "silent-tower-browser-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Chromium binary: `$CHROMIUM`, else `/usr/bin/chromium`; panics naming the fix when absent.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "chromium not found at {}: run `bash .ci/test`, or `apt-get install chromium \
         chromium-driver`, or point $CHROMIUM at a Chromium binary",
        path.display()
    );
    path
}

/// Loads `url` in a fresh headless Chromium (its profile in a temporary directory named after
/// `profile`) and returns the DOM once the page's scripts are done.
pub async fn dump_dom(chromium: &Path, url: String, profile: &str) -> String {
    let profile = TempDir::new(profile);
    let mut command = tokio::process::Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            // Virtual time runs ahead while the page is idle but waits for its network requests,
            // so the dump comes right after the page's fetches settle and their results render.
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg(&url)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(PAGE_LOAD_LIMIT, command.output())
        .await
        .unwrap_or_else(|_| panic!("chromium did not dump {url} within {PAGE_LOAD_LIMIT:?}"))
        .unwrap_or_else(|error| panic!("could not run {}: {error}", chromium.display()));
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && dom.contains("</html>"),
        "chromium failed on {url} ({}); stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    dom
}
