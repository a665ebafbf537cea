//! The scenarios' apps on axum 0.8, written the way axum's docs write them.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::data::HELLO;
use crate::extractors::{self, AppState, NewUser, Page, Reply};
use crate::ours::User;

/// Scenario B's query string.
#[derive(Deserialize)]
pub struct Fields {
    /// `fields=…`.
    #[serde(default)]
    pub fields: String,
}

async fn hello() -> &'static str {
    HELLO
}

async fn empty() {}

async fn user(Path(id): Path<i64>, Query(query): Query<Fields>) -> axum::response::Response {
    use axum::response::IntoResponse;
    Json(User {
        id,
        fields: &query.fields,
    })
    .into_response()
}

/// A: `GET /` → `Hello, World!`.
pub fn plaintext() -> Router {
    Router::new().route("/", get(hello))
}

/// B: `GET /users/{id}?fields=…` → JSON.
pub fn user_json() -> Router {
    Router::new()
        .route("/", get(hello))
        .route("/users/{id}", get(user))
}

/// C, static: `/l0/…/l9`, ten routers nested in each other.
pub fn deep_static() -> Router {
    let mut router = Router::new().route("/l9", get(empty));
    for level in (0..9).rev() {
        router = Router::new().nest(&format!("/l{level}"), router);
    }
    router
}

/// C, a parameter at each level: `/{p0}/…/{p9}`, ten routers nested in each other.
pub fn deep_param() -> Router {
    let mut router = Router::new().route("/{p9}", get(empty));
    for level in (0..9).rev() {
        router = Router::new().nest(&format!("/{{p{level}}}"), router);
    }
    router
}

/// E: the 130 GitHub API routes, each answering at once.
pub fn github(routes: &[String]) -> Router {
    routes.iter().fold(Router::new(), |router, route| {
        router.route(route, get(empty))
    })
}

async fn create_user(
    Path(id): Path<i64>,
    Query(page): Query<Page>,
    State(state): State<Arc<AppState>>,
    Json(user): Json<NewUser>,
) -> Json<Reply> {
    Json(extractors::reply(id, page, &state, user))
}

/// B-extractors: `POST /users/{id}?page=…&sort=…` with a JSON body → JSON, through `Path`,
/// `Query`, `State` and `Json`.
pub fn user_extractors() -> Router {
    Router::new()
        .route(extractors::ROUTE, post(create_user))
        .with_state(Arc::new(extractors::STATE))
}
