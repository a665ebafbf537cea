use silent_tower::prelude::*;
use tokio::net::TcpListener;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .layer(RequestTimeLoggerLayer::new())
        // Added last, so outermost: the id is in the request when the logger reads it.
        .layer(RequestIdLayer::new());
    serve(listener, app).with_peer_addr().await
}
