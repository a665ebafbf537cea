use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn hello() -> &'static str {
    "Hello, World!"
}

async fn user(req: Request) -> Result<String, ParamError> {
    let id: i64 = req.param("id")?;
    Ok(format!("user #{id}"))
}

async fn search(req: Request) -> String {
    let q = req.query_param("q").unwrap_or_default();
    format!("searching for {q}")
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let api = Router::new()
        .route("/users/<id:i64>", get(user))
        .route("/search", get(search));
    let app = Router::new().route("/", get(hello)).nest("/api", api);
    serve(listener, app).await
}
