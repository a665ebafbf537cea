//! The scenarios' apps on silent-tower's router (and, for the layered ones, its layers).

use std::borrow::Cow;
use std::convert::Infallible;

use http::{Request, Response};
use serde::Serialize;
use silent_tower_router::{get, Body, IntoResponse, Json, RequestExt, Router};
use tower::Service;

use crate::data::HELLO;
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
    Router::<B>::with_body().route("/", get(hello))
}

/// B: `GET /users/<id:i64>?fields=…` → JSON.
pub fn user_json<B: Send + 'static>() -> impl App<B, Future: Send> {
    Router::<B>::with_body()
        .route("/", get(hello))
        .route("/users/<id:i64>", get(user::<B>))
}

/// C, static: `/l0/…/l9`, ten routers nested in each other.
pub fn deep_static<B: Send + 'static>() -> impl App<B, Future: Send> {
    let mut router = Router::<B>::with_body().route("/l9", get(empty));
    for level in (0..9).rev() {
        router = Router::with_body().nest(&format!("/l{level}"), router);
    }
    router
}

/// C, a parameter at each level: `/{p0}/…/{p9}`, ten routers nested in each other.
pub fn deep_param<B: Send + 'static>() -> impl App<B, Future: Send> {
    let mut router = Router::<B>::with_body().route("/{p9}", get(empty));
    for level in (0..9).rev() {
        router = Router::with_body().nest(&format!("/{{p{level}}}"), router);
    }
    router
}

/// E: the 130 GitHub API routes, each answering at once, added in a loop from the table.
pub fn github<B: Send + 'static>() -> impl App<B, Future: Send> {
    github_router::<B>()
}

fn github_router<B: Send + 'static>() -> Router<B> {
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
