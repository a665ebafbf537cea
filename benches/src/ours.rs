//! The scenarios' apps on silent-tower's router (and, for the layered ones, its layers).

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use serde::Serialize;
use silent_tower_router::extract::{Path, Query, State};
use silent_tower_router::{get, post, Body, BoxError, IntoResponse, Json, RequestExt, Router};
use tower::Service;

use crate::data::HELLO;
use crate::extractors::{self, AppState, NewUser, Page, Reply};
use crate::github_routes::ROUTES;

/// What every peer's scenario B answers: the id from the path, the `fields` query parameter.
#[derive(Serialize)]
pub struct User<'a> {
    /// The `id` path parameter.
    pub id: i64,
    /// The `fields` query parameter, as sent.
    pub fields: &'a str,
}

/// Scenario A's handler.
pub async fn hello() -> &'static str {
    HELLO
}

/// The handler of the dispatch benches: answers at once with no body.
pub async fn empty() {}

/// Scenario B's handler: the body is serialised while the request (which the strings borrow) lives.
pub async fn user<B>(req: Request<B>) -> Response<Body> {
    let id = req.param::<i64>("id").unwrap_or_default();
    let fields = req.query_param("fields").unwrap_or(Cow::Borrowed(""));
    Json(User {
        id,
        fields: &fields,
    })
    .into_response()
}

/// The bound every app here satisfies.
pub trait App<B>:
    Service<Request<B>, Response = Response<Body>, Error = Infallible> + Clone + Send + Sync + 'static
{
}

impl<S, B> App<B> for S where
    S: Service<Request<B>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// A: `GET /` → `Hello, World!`.
pub fn plaintext<B: Send + 'static>() -> impl App<B, Future: Send> {
    Router::<(), B>::with_body().route("/", get(hello))
}

/// B: `GET /users/<id:i64>?fields=…` → JSON.
pub fn user_json<B: Send + 'static>() -> impl App<B, Future: Send> {
    Router::<(), B>::with_body()
        .route("/", get(hello))
        .route("/users/<id:i64>", get(user::<B>))
}

/// C, static: `/l0/…/l9`, ten routers nested in each other.
pub fn deep_static<B: Send + 'static>() -> impl App<B, Future: Send> {
    let mut router = Router::<(), B>::with_body().route("/l9", get(empty));
    for level in (0..9).rev() {
        router = Router::with_body().nest(&format!("/l{level}"), router);
    }
    router
}

/// C, a parameter at each level: `/{p0}/…/{p9}`, ten routers nested in each other.
pub fn deep_param<B: Send + 'static>() -> impl App<B, Future: Send> {
    let mut router = Router::<(), B>::with_body().route("/{p9}", get(empty));
    for level in (0..9).rev() {
        router = Router::with_body().nest(&format!("/{{p{level}}}"), router);
    }
    router
}

/// E: the 130 GitHub API routes, each answering at once, added in a loop from the table.
pub fn github<B: Send + 'static>() -> impl App<B, Future: Send> {
    github_router::<B>()
}

fn github_router<B: Send + 'static>() -> Router<(), B> {
    ROUTES.iter().fold(Router::with_body(), |router, route| {
        router.route(route, get(empty))
    })
}

/// E's router as a lookup alone (`Router::__lookup`): the radix-tree walk with its captures,
/// what `call` does before it dispatches. Answers whether `path` matched.
pub fn github_lookup() -> impl FnMut(&str) -> bool + 'static {
    let router = github_router::<()>();
    move |path| std::hint::black_box(router.__lookup(path)).is_some()
}

/// The bound on the request body of the apps that read it.
pub trait ReadableBody:
    http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

impl<B> ReadableBody for B where
    B: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

/// B-extractors' handler: the four extractors, a JSON answer.
pub async fn create_user(
    Path(id): Path<i64>,
    Query(page): Query<Page>,
    State(state): State<Arc<AppState>>,
    Json(user): Json<NewUser>,
) -> Json<Reply> {
    Json(extractors::reply(id, page, &state, user))
}

/// B-extractors: `POST /users/{id}?page=…&sort=…` with a JSON body → JSON, through `Path`,
/// `Query`, `State` and `Json`.
pub fn user_extractors<B: ReadableBody>() -> impl App<B, Future: Send> {
    Router::<Arc<AppState>, B>::with_body()
        .route(extractors::ROUTE, post(create_user))
        .with_state(Arc::new(extractors::STATE))
}

/// B-extractors' request served by a handler that takes one extractor alone (or all four) and
/// answers an empty `200`: what each extractor allocates, on the same route and request.
pub mod one_extractor {
    use super::*;

    async fn path(Path(id): Path<i64>) {
        std::hint::black_box(id);
    }

    async fn query(Query(page): Query<Page>) {
        std::hint::black_box(page);
    }

    async fn state(State(state): State<Arc<AppState>>) {
        std::hint::black_box(state);
    }

    async fn json(Json(user): Json<NewUser>) {
        std::hint::black_box(user);
    }

    async fn all_four(
        Path(id): Path<i64>,
        Query(page): Query<Page>,
        State(state): State<Arc<AppState>>,
        Json(user): Json<NewUser>,
    ) {
        std::hint::black_box((id, page, state, user));
    }

    /// The B-extractors router with `$handler` on its one route (`B` is the caller's body type).
    macro_rules! app {
        ($handler:expr) => {
            Router::<Arc<AppState>, B>::with_body()
                .route(extractors::ROUTE, post($handler))
                .with_state(Arc::new(extractors::STATE))
        };
    }

    /// A handler taking `Path<i64>` alone.
    pub fn path_only<B: ReadableBody>() -> impl App<B, Future: Send> {
        app!(path)
    }

    /// A handler taking `Query<Page>` alone.
    pub fn query_only<B: ReadableBody>() -> impl App<B, Future: Send> {
        app!(query)
    }

    /// A handler taking `State<Arc<AppState>>` alone.
    pub fn state_only<B: ReadableBody>() -> impl App<B, Future: Send> {
        app!(state)
    }

    /// A handler taking `Json<NewUser>` alone.
    pub fn json_only<B: ReadableBody>() -> impl App<B, Future: Send> {
        app!(json)
    }

    /// A handler taking all four and answering an empty `200` (B-extractors without its reply).
    pub fn all<B: ReadableBody>() -> impl App<B, Future: Send> {
        app!(all_four)
    }
}
