use std::rc::Rc;

use silent_tower_router::{get, Router};

async fn holds_an_rc() -> String {
    let shared = Rc::new("not Send");
    std::future::ready(()).await;
    shared.to_string()
}

fn main() {
    let _ = Router::new().route("/", get(holds_an_rc));
}
