//! A todo list as a JSON API described by OpenAPI: the handlers carry `#[utoipa::path]`, the bodies
//! derive `ToSchema`, and the app serves the OpenAPI 3 document at [`OPENAPI_PATH`] and Swagger UI
//! at [`SWAGGER_UI_PATH`].
//!
//! Each operation is written twice: once in its `#[utoipa::path]` (method and path, for the
//! document) and once in [`api`] (`.route(path, get(handler))`, for the router). The test in
//! `examples/tests/openapi.rs` holds the two together: it compares the document's paths with
//! [`Router::routes`] and each path's methods with the `Allow` the router answers, so a route
//! added without its docs, or a method the docs miss, fails it.
//!
//! Swagger UI's files come from `utoipa-swagger-ui` built with its `vendored` feature: its build
//! script unpacks the copy of Swagger UI that the `utoipa-swagger-ui-vendored` crate ships and
//! embeds the files, so nothing is downloaded at build time. Its `serve` function looks a file up
//! by name; the routes here and their responses are our router's, no web framework comes along.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use silent_tower::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use silent_tower::http::header::{CONTENT_ENCODING, CONTENT_TYPE, LOCATION};
use silent_tower::prelude::*;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::Config;

/// Where the OpenAPI document is served, as JSON.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";

/// Where Swagger UI is served: this path redirects to the same with a `/`, whose page loads its
/// script and styles relatively, from below it.
pub const SWAGGER_UI_PATH: &str = "/swagger-ui";

/// The OpenAPI document: the operations listed in `paths(..)`, with the schemas they name.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Todos",
        description = "A todo list: list, read, create and delete todos."
    ),
    paths(list_todos, create_todo, get_todo, delete_todo),
    tags((name = "todos", description = "The todo list"))
)]
pub struct ApiDoc;

/// The todos, by id (so listed in the order they were created), and the last id given.
#[derive(Default)]
struct Todos {
    by_id: BTreeMap<u64, Todo>,
    last_id: u64,
}

/// The handlers' state.
type Db = Arc<RwLock<Todos>>;

/// A todo, as the API answers it.
#[derive(Clone, Serialize, ToSchema)]
pub struct Todo {
    /// Given by the server, from 1 up.
    #[schema(example = 1)]
    pub id: u64,
    /// What is to be done.
    #[schema(example = "write the docs")]
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}

/// The body of `POST /api/todos`.
#[derive(Deserialize, ToSchema)]
pub struct NewTodo {
    /// What is to be done: not empty, nor only spaces.
    #[schema(example = "write the docs")]
    pub title: String,
    /// Whether it is already done (`false` unless given).
    #[serde(default)]
    pub done: bool,
}

/// The query of `GET /api/todos`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the todos in this state; all of them unless given.
    pub done: Option<bool>,
    /// At most this many todos; all of them unless given.
    pub limit: Option<usize>,
}

/// An error: its status, and this body naming what went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    #[schema(example = "no todo with id 7")]
    pub error: String,
}

/// An error, answered as [`ErrorBody`] with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { error: self.1 })).into_response()
    }
}

// The extractors' rejections answer in plain text; the API answers every error in the JSON its
// document promises, so each is turned into an `ApiError` with the rejection's status and message.
macro_rules! from_rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for ApiError {
            fn from(rejection: $rejection) -> Self {
                ApiError(rejection.status(), rejection.to_string())
            }
        }
    )*};
}
from_rejection!(JsonRejection, PathRejection, QueryRejection);

fn not_found(id: u64) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no todo with id {id}"))
}

/// Lists the todos, oldest first.
#[utoipa::path(
    get,
    path = "/api/todos",
    tag = "todos",
    params(ListQuery),
    responses(
        (status = 200, description = "The todos, oldest first", body = [Todo]),
        (status = 400, description = "The query does not fit: `done` not a boolean, `limit` not a number", body = ErrorBody),
    )
)]
async fn list_todos(
    State(db): State<Db>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Todo>>, ApiError> {
    let Query(query) = query?;
    let todos = db.read().unwrap();
    let matching = todos
        .by_id
        .values()
        .filter(|todo| query.done.is_none_or(|done| todo.done == done))
        .take(query.limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    Ok(Json(matching))
}

/// Creates a todo.
#[utoipa::path(
    post,
    path = "/api/todos",
    tag = "todos",
    request_body = NewTodo,
    responses(
        (status = 201, description = "Created; `Location` names the new todo", body = Todo,
            headers(("location" = String, description = "The new todo's path"))),
        (status = 400, description = "The body is not JSON, or not a `NewTodo`", body = ErrorBody),
        (status = 415, description = "The body is not labelled `application/json`", body = ErrorBody),
        (status = 422, description = "The title is empty, or a field has the wrong type", body = ErrorBody),
    )
)]
async fn create_todo(
    State(db): State<Db>,
    body: Result<Json<NewTodo>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(new) = body?;
    if new.title.trim().is_empty() {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "title is empty".into(),
        ));
    }
    let mut todos = db.write().unwrap();
    todos.last_id += 1;
    let todo = Todo {
        id: todos.last_id,
        title: new.title,
        done: new.done,
    };
    todos.by_id.insert(todo.id, todo.clone());
    let location = format!("/api/todos/{}", todo.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(todo)))
}

/// Reads one todo.
#[utoipa::path(
    get,
    path = "/api/todos/{id}",
    tag = "todos",
    params(("id" = u64, Path, description = "The todo's id")),
    responses(
        (status = 200, description = "The todo", body = Todo),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 404, description = "No todo has this id", body = ErrorBody),
    )
)]
async fn get_todo(
    State(db): State<Db>,
    id: Result<Path<u64>, PathRejection>,
) -> Result<Json<Todo>, ApiError> {
    let Path(id) = id?;
    let todos = db.read().unwrap();
    todos
        .by_id
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| not_found(id))
}

/// Deletes one todo.
#[utoipa::path(
    delete,
    path = "/api/todos/{id}",
    tag = "todos",
    params(("id" = u64, Path, description = "The todo's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 404, description = "No todo has this id", body = ErrorBody),
    )
)]
async fn delete_todo(
    State(db): State<Db>,
    id: Result<Path<u64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id?;
    let removed = db.write().unwrap().by_id.remove(&id);
    removed
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or_else(|| not_found(id))
}

/// The API alone: every route here has its operations in [`ApiDoc`].
pub fn api() -> Router {
    Router::new()
        .route("/api/todos", get(list_todos).post(create_todo))
        .route("/api/todos/{id}", get(get_todo).delete(delete_todo))
        .with_state(Db::default())
}

/// The document at [`OPENAPI_PATH`], and Swagger UI at [`SWAGGER_UI_PATH`] showing it.
pub fn docs() -> Router {
    // The document never changes: written once, served as shared bytes (a reference count each).
    let document = Bytes::from(
        ApiDoc::openapi()
            .to_json()
            .expect("the OpenAPI document serializes"),
    );
    let config = Arc::new(Config::from(OPENAPI_PATH));
    let slash = format!("{SWAGGER_UI_PATH}/");
    Router::new()
        .route(
            OPENAPI_PATH,
            get(move || {
                let document = document.clone();
                async move { ([(CONTENT_TYPE, "application/json")], document) }
            }),
        )
        .route(
            SWAGGER_UI_PATH,
            get(move || {
                let slash = slash.clone();
                async move { Redirect::to(&slash) }
            }),
        )
        .route(&format!("{SWAGGER_UI_PATH}/"), get(swagger_ui_index))
        .route(
            &format!("{SWAGGER_UI_PATH}/{{*file}}"),
            get(swagger_ui_file),
        )
        .with_state(config)
}

/// The app: the API and its docs.
pub fn app() -> Router {
    api().merge(docs())
}

/// The operations [`ApiDoc`] lists, as `(method, path)`, sorted: what Swagger UI shows.
pub fn operations() -> Vec<(Method, String)> {
    let mut operations = Vec::new();
    for (path, item) in ApiDoc::openapi().paths.paths {
        let methods = [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::OPTIONS, &item.options),
            (Method::HEAD, &item.head),
            (Method::PATCH, &item.patch),
            (Method::TRACE, &item.trace),
        ];
        for (method, operation) in methods {
            if operation.is_some() {
                operations.push((method, path.clone()));
            }
        }
    }
    operations.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
    operations
}

/// The Swagger UI's page.
async fn swagger_ui_index(State(config): State<Arc<Config<'static>>>) -> Response {
    swagger_ui_response("index.html", config)
}

/// A file of Swagger UI's: its script, styles, icons, and the initializer that points it at
/// [`OPENAPI_PATH`].
async fn swagger_ui_file(
    State(config): State<Arc<Config<'static>>>,
    Path(file): Path<String>,
) -> Response {
    swagger_ui_response(&file, config)
}

fn swagger_ui_response(file: &str, config: Arc<Config<'static>>) -> Response {
    match utoipa_swagger_ui::serve(file, config) {
        Ok(Some(found)) => {
            // The files are embedded in the binary: served from there, without a copy (only the
            // initializer, which carries the config, is written per request).
            let body = match found.bytes {
                std::borrow::Cow::Borrowed(bytes) => Body::from(bytes),
                std::borrow::Cow::Owned(bytes) => Body::from(bytes),
            };
            let mut response = ([(CONTENT_TYPE, found.content_type)], body).into_response();
            if found.gzpipped {
                response.headers_mut().insert(
                    CONTENT_ENCODING,
                    silent_tower::http::HeaderValue::from_static("gzip"),
                );
            }
            response
        }
        Ok(None) => (
            StatusCode::NOT_FOUND,
            format!("Swagger UI has no file {file:?}"),
        )
            .into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Swagger UI's {file:?} could not be written: {error}"),
        )
            .into_response(),
    }
}
