use silent_tower::prelude::*;
use tokio::net::TcpListener;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // silent logged where it listened; the listener is yours now, and so is the line.
    tracing::info!("listening on {}", listener.local_addr()?);
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    serve(listener, app).await
}
