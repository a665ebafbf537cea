use silent_tower::prelude::*;
use tokio::net::TcpListener;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .layer(RequestTimeLoggerLayer::new());
    // The logger's `peer` field comes from here; without it, the line just has no `peer`.
    serve(listener, app).with_peer_addr().await
}
