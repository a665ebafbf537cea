use std::time::Duration;

use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "done"
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/slow", get(slow))
        .layer(TimeoutLayer::new(Duration::from_millis(100)));
    serve(listener, app).await
}
