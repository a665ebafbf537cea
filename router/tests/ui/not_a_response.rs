use silent_tower_router::{get, Router};

async fn elapsed() -> std::time::Duration {
    std::time::Duration::from_secs(1)
}

fn main() {
    let _ = Router::new().route("/", get(elapsed));
}
