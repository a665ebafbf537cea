//! A future that is not `Send`: the error points at the function and says why.

use std::rc::Rc;

use silent_tower_router::debug_handler;

#[debug_handler]
async fn holds_an_rc() -> String {
    let shared = Rc::new("not Send");
    std::future::ready(()).await;
    shared.to_string()
}

fn main() {}
