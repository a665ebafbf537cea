//! A todo list as a JSON API under `/api/v1`: create, read, update, delete, and a paginated list.
//! Errors answer `{"error": "..."}`, bad JSON included; every answer carries an `x-request-id`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::json;
use silent_tower::extract::rejection::JsonRejection;
use silent_tower::http::header::LOCATION;
use silent_tower::prelude::*;

/// The todos, by id (so listed in the order they were created), and the last id given.
#[derive(Default)]
struct Todos {
    by_id: BTreeMap<u64, Todo>,
    last_id: u64,
}

/// The handlers' state.
type Db = Arc<RwLock<Todos>>;

/// A todo, as the API answers it.
#[derive(Clone, Serialize)]
struct Todo {
    id: u64,
    title: String,
    done: bool,
}

/// The body of `POST /todos`.
#[derive(Deserialize)]
struct NewTodo {
    title: String,
}

/// The body of `PATCH /todos/{id}`: the fields to change.
#[derive(Deserialize)]
struct TodoUpdate {
    title: Option<String>,
    done: Option<bool>,
}

/// `?page=2&per_page=10`: page 1 and 10 per page unless given.
#[derive(Deserialize)]
struct Pagination {
    page: Option<usize>,
    per_page: Option<usize>,
}

/// An error, answered as `{"error": "..."}` with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError(rejection.status(), rejection.to_string())
    }
}

fn not_found(id: u64) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no todo with id {id}"))
}

fn valid(title: String) -> Result<String, ApiError> {
    match title.trim() {
        "" => Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "title is empty".into(),
        )),
        _ => Ok(title),
    }
}

async fn list(State(db): State<Db>, Query(page): Query<Pagination>) -> Json<Vec<Todo>> {
    let per_page = page.per_page.unwrap_or(10);
    let skip = page.page.unwrap_or(1).saturating_sub(1) * per_page;
    let todos = db.read().unwrap();
    Json(
        todos
            .by_id
            .values()
            .skip(skip)
            .take(per_page)
            .cloned()
            .collect(),
    )
}

async fn create(
    State(db): State<Db>,
    body: Result<Json<NewTodo>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let title = valid(body?.0.title)?;
    let mut todos = db.write().unwrap();
    todos.last_id += 1;
    let todo = Todo {
        id: todos.last_id,
        title,
        done: false,
    };
    todos.by_id.insert(todo.id, todo.clone());
    let location = format!("/api/v1/todos/{}", todo.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(todo)))
}

async fn show(State(db): State<Db>, Path(id): Path<u64>) -> Result<Json<Todo>, ApiError> {
    let todos = db.read().unwrap();
    todos
        .by_id
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| not_found(id))
}

async fn update(
    State(db): State<Db>,
    Path(id): Path<u64>,
    body: Result<Json<TodoUpdate>, JsonRejection>,
) -> Result<Json<Todo>, ApiError> {
    let Json(update) = body?;
    let title = update.title.map(valid).transpose()?;
    let mut todos = db.write().unwrap();
    let todo = todos.by_id.get_mut(&id).ok_or_else(|| not_found(id))?;
    if let Some(title) = title {
        todo.title = title;
    }
    if let Some(done) = update.done {
        todo.done = done;
    }
    Ok(Json(todo.clone()))
}

async fn delete_todo(State(db): State<Db>, Path(id): Path<u64>) -> Result<StatusCode, ApiError> {
    let removed = db.write().unwrap().by_id.remove(&id);
    removed
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or_else(|| not_found(id))
}

/// The app: the API nested under `/api/v1`, behind its own request-id layer.
pub fn app() -> Router {
    let api = Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/{id}", get(show).patch(update).delete(delete_todo))
        .layer(RequestIdLayer::new())
        .with_state(Db::default());
    Router::new().nest("/api/v1", api)
}
