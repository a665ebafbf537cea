//! A function that is not `async`: the macro says a handler must be.

use silent_tower_router::debug_handler;

#[debug_handler]
fn hello() -> &'static str {
    "hello"
}

fn main() {}
