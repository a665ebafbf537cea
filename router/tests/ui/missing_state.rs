//! A router whose handlers need a state it was never given is not a service: the error names
//! the state still needed.

use http::Request;
use silent_tower_router::extract::State;
use silent_tower_router::{get, Router};
use tower::ServiceExt;

#[derive(Clone)]
struct AppState;

async fn handler(State(_): State<AppState>) -> &'static str {
    "hi"
}

fn main() {
    let app = Router::<AppState, ()>::with_body().route("/", get(handler));
    let _ = app.oneshot(Request::get("/").body(()).unwrap());
}
