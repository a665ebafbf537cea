use serde::{Deserialize, Serialize};
use silent_tower::prelude::*;
use tokio::net::TcpListener;

#[derive(Deserialize)]
pub struct Ids {
    user: u64,
    post: String,
}

#[derive(Deserialize)]
pub struct Page {
    page: u32,
    per_page: Option<u32>,
}

#[derive(Deserialize, Serialize)]
pub struct Todo {
    title: String,
    done: bool,
}

#[derive(Deserialize)]
pub struct Login {
    name: String,
}

async fn user(Path(id): Path<u64>) -> String {
    format!("user #{id}")
}

async fn user_post(Path(ids): Path<Ids>) -> String {
    format!("post {} of user #{}", ids.post, ids.user)
}

async fn list(Query(page): Query<Page>) -> String {
    format!("page {} of {}", page.page, page.per_page.unwrap_or(20))
}

async fn create(Json(todo): Json<Todo>) -> (StatusCode, Json<Todo>) {
    (StatusCode::CREATED, Json(todo))
}

async fn login(Form(login): Form<Login>) -> String {
    format!("welcome, {}", login.name)
}

/// silent's tuple of extractors is a list of arguments; the one that reads the body goes last.
async fn rename(Path(id): Path<u64>, Query(page): Query<Page>, Json(todo): Json<Todo>) -> String {
    format!("todo #{id} on page {} is now {:?}", page.page, todo.title)
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/users/<id:u64>", get(user))
        .route("/users/<user:u64>/posts/<post>", get(user_post))
        .route("/todos", get(list).post(create))
        .route("/todos/<id:u64>", put(rename))
        .route("/login", post(login));
    serve(listener, app).await
}
