use serde::Serialize;
use silent_tower::prelude::*;
use tokio::net::TcpListener;
use utoipa::{OpenApi, ToSchema};

#[derive(Serialize, ToSchema)]
struct User {
    id: u64,
    name: String,
}

/// Reads a user.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    params(("id" = u64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No such user"),
    )
)]
async fn get_user(Path(id): Path<u64>) -> Json<User> {
    let name = format!("user #{id}");
    Json(User { id, name })
}

#[derive(OpenApi)]
#[openapi(info(title = "Users", version = "1.0.0"), paths(get_user))]
struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/users/{id}", get(get_user))
        .route("/api-docs/openapi.json", get(openapi_json));
    serve(listener, app).await
}
