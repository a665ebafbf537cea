use silent_tower::prelude::*;
use tokio::net::TcpListener;

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let cors = CorsLayer::new()
        .origin("https://app.example")
        .methods("GET,POST,PUT")
        .headers("authorization,content-type")
        .credentials(true)
        .max_age(600);
    let app = Router::new()
        .route("/items", get(|| async { "[]" }))
        .layer(cors);
    serve(listener, app).await
}
