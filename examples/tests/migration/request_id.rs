use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn whoami(req: Request) -> String {
    // The layer puts the id in the request's extensions (and in its `x-request-id` header).
    let id = req.extensions().get::<RequestId>().map(RequestId::as_str);
    format!("request {}", id.unwrap_or("without an id"))
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/", get(whoami))
        .layer(RequestIdLayer::new());
    serve(listener, app).await
}
