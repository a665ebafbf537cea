use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::compression::CompressionLayer;

async fn report() -> String {
    "All quiet on every front. ".repeat(40)
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new().route("/report", get(report));
    // Around the whole app: compression changes the body type the routes answer with.
    let app = CompressionLayer::new().layer(app);
    serve(listener, app).await
}
