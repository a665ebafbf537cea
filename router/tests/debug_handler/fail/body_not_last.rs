//! A body extractor before the last argument: the error names it.

use http::Method;
use silent_tower_router::debug_handler;

#[debug_handler]
async fn body_first(body: String, method: Method) -> String {
    format!("{method} {body}")
}

fn main() {}
