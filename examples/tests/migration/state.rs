use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower::util::MapRequestLayer;

/// The router's state: one type, so several values are fields of one struct.
#[derive(Clone, Default)]
pub struct AppState {
    hits: Arc<AtomicU64>,
}

/// What a middleware puts in the request for the handlers.
#[derive(Clone)]
pub struct User(String);

async fn hit(State(state): State<AppState>) -> String {
    let hits = state.hits.fetch_add(1, Ordering::Relaxed) + 1;
    format!("hit #{hits}")
}

async fn whoami(Extension(User(name)): Extension<User>) -> String {
    format!("you are {name}")
}

fn identify(mut req: Request) -> Request {
    let name = req.headers().get("x-user").and_then(|v| v.to_str().ok());
    let user = User(name.unwrap_or("guest").to_owned());
    req.extensions_mut().insert(user);
    req
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::<AppState, Incoming>::with_body()
        .route("/hits", get(hit))
        .route("/whoami", get(whoami))
        .with_state(AppState::default())
        .layer(MapRequestLayer::new(identify));
    serve(listener, app).await
}
