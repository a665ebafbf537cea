use silent_tower::layers::rate_limit::peer_ip;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // Per client address: 2 requests at once, then one a minute.
    let limit = RateLimitLayer::new(1.0 / 60.0, 2).keyed_by(peer_ip);
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .layer(limit);
    // `peer_ip` reads the address that `with_peer_addr` puts in each request.
    serve(listener, app).with_peer_addr().await
}
