//! A return type that is not `IntoResponse`: the error names it.

use std::time::Duration;

use silent_tower_router::debug_handler;

#[debug_handler]
async fn elapsed() -> Duration {
    Duration::from_secs(1)
}

fn main() {}
