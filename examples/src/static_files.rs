//! Static files: a directory served under `/static` by tower-http's `ServeDir`, nested in the
//! router with [`Router::nest_service`].
//!
//! `ServeDir` is the well-kept answer to everything a file server must get right, so the router
//! does not have one of its own: it refuses paths that leave the directory (`..`, `%2e%2e`,
//! encoded slashes, absolute paths) with `404`, answers `Range` requests with `206` and
//! `Content-Range`, sends `ETag` and `Last-Modified` and answers `If-None-Match` /
//! `If-Modified-Since` with `304`, and with `precompressed_gzip()` sends `style.css.gz` to a
//! client that accepts gzip. `nest_service` hands it the path below the prefix, percent-encoding
//! untouched, so it decodes and checks the path itself.

use std::path::Path;

use silent_tower::prelude::*;
use tower_http::services::ServeDir;

/// The directory the example serves: `examples/static-files/assets`.
pub fn assets_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/static-files/assets"))
}

/// The app: `dir` under `/static` (`/static/` is its `index.html`), and `/` redirects there.
pub fn app(dir: impl AsRef<Path>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/static/") }))
        .nest_service("/static", ServeDir::new(dir).precompressed_gzip())
}
