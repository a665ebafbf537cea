use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // The files of `static-files/assets` (relative to the working directory) under `/static`.
    let app = Router::new().nest_service("/static", ServeDir::new("static-files/assets"));
    serve(listener, app).await
}
