use serde::Serialize;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

#[derive(Serialize)]
struct User {
    id: u64,
    name: String,
}

async fn create_user() -> (StatusCode, Json<User>) {
    let user = User {
        id: 1,
        name: "Ferris".to_owned(),
    };
    (StatusCode::CREATED, Json(user))
}

async fn page() -> Html<&'static str> {
    Html("<h1>Hello</h1>")
}

async fn old_page() -> Redirect {
    Redirect::permanent("/page")
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/users", post(create_user))
        .route("/page", get(page))
        .route("/old-page", get(old_page));
    serve(listener, app).await
}
