//! Composition (issue 16): one small app — a static route and a `Path<u32>` route — written for
//! ours and for axum 0.8, bare and composed four ways, so the allocation counter can say what
//! each way of composing adds per request.
//!
//! The variants, named as in [`cases::COMPOSITION_NAMES`](crate::cases::COMPOSITION_NAMES):
//! - `plain`: the two routes, nothing else — what every other variant is compared with;
//! - `from_fn`: a pass-through `from_fn` middleware around the whole router (ours:
//!   `middleware::from_fn(f).layer(router)`, the form our docs give for a free layer; axum:
//!   `Router::layer(from_fn(f))`, the form axum's docs give);
//! - `layer(from_fn)`: the same middleware through `Router::layer`, which wraps each route (ours
//!   and axum);
//! - `State`: handlers that take `State<Sub>`, a part of the app's state made by `FromRef`, the
//!   state given by `with_state`;
//! - `from_fn+State`: the last two together, the middleware as in `from_fn` (axum's users write
//!   `Router::layer`, ours the whole-router form).
//!
//! The middleware reads a header and passes the request on, so that what is counted is the cost
//! of the middleware machinery, not of anything the function itself does.

use std::sync::Arc;

use http::header::HeaderName;
use http::StatusCode;

/// The header the middleware looks at: a request carrying it is refused (none here does).
pub static DENY: HeaderName = HeaderName::from_static("x-deny");

/// The static route.
pub const STATIC_PATH: &str = "/";
/// The request of the parameter route.
pub const PARAM_PATH: &str = "/users/42";
/// The parameter route, in the `{name}` syntax both routers accept.
pub const PARAM_ROUTE: &str = "/users/{id}";

/// The part of the app's state the handlers take: cloning it is an atomic increment.
#[derive(Clone)]
pub struct Sub(pub Arc<u32>);

/// The app's state, given by `with_state`; the handlers take only its [`Sub`].
#[derive(Clone)]
pub struct AppState {
    /// What the handlers read.
    pub sub: Sub,
    /// Another part, that the handlers do not read.
    pub name: Arc<str>,
}

impl AppState {
    /// The state every `State` variant is given.
    pub fn new() -> Self {
        AppState {
            sub: Sub(Arc::new(7)),
            name: Arc::from("app"),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl silent_tower_router::extract::FromRef<AppState> for Sub {
    fn from_ref(state: &AppState) -> Self {
        state.sub.clone()
    }
}

impl axum::extract::FromRef<AppState> for Sub {
    fn from_ref(state: &AppState) -> Self {
        state.sub.clone()
    }
}

/// The app on our router.
pub mod ours {
    use http::Request;
    use silent_tower_router::extract::{Path, State};
    use silent_tower_router::middleware::{self, Next};
    use silent_tower_router::response::{IntoResponse, Response};
    use silent_tower_router::{get, Router};
    use tower::Layer;

    use super::{AppState, Sub, DENY, PARAM_ROUTE, STATIC_PATH};
    use crate::ours::App;
    use crate::ReqBody;

    async fn hello() -> &'static str {
        crate::data::HELLO
    }

    async fn user(Path(id): Path<u32>) -> String {
        id.to_string()
    }

    async fn hello_state(State(Sub(sub)): State<Sub>) -> &'static str {
        std::hint::black_box(sub);
        crate::data::HELLO
    }

    async fn user_state(State(Sub(sub)): State<Sub>, Path(id): Path<u32>) -> String {
        std::hint::black_box(sub);
        id.to_string()
    }

    /// The pass-through middleware: refuses a request with `x-deny`, passes the others on.
    async fn pass(req: Request<ReqBody>, next: Next<ReqBody>) -> Response {
        if req.headers().contains_key(&DENY) {
            return super::StatusCode::FORBIDDEN.into_response();
        }
        next.run(req).await
    }

    fn routes() -> Router<(), ReqBody> {
        Router::<(), ReqBody>::with_body()
            .route(STATIC_PATH, get(hello))
            .route(PARAM_ROUTE, get(user))
    }

    fn routes_with_state() -> Router<(), ReqBody> {
        Router::<AppState, ReqBody>::with_body()
            .route(STATIC_PATH, get(hello_state))
            .route(PARAM_ROUTE, get(user_state))
            .with_state(AppState::new())
    }

    /// `plain`.
    pub fn plain() -> impl App<ReqBody, Future: Send> {
        routes()
    }

    /// `from_fn`: the middleware around the whole router.
    pub fn from_fn() -> impl App<ReqBody, Future: Send> {
        middleware::from_fn(pass).layer(routes())
    }

    /// `layer(from_fn)`: the middleware on each route, through `Router::layer`.
    pub fn layer_from_fn() -> impl App<ReqBody, Future: Send> {
        routes().layer(middleware::from_fn(pass))
    }

    /// `State`: the handlers take `State<Sub>` out of the app's state.
    pub fn state() -> impl App<ReqBody, Future: Send> {
        routes_with_state()
    }

    /// `from_fn+State`: both.
    pub fn from_fn_state() -> impl App<ReqBody, Future: Send> {
        middleware::from_fn(pass).layer(routes_with_state())
    }
}

/// The app on axum 0.8, written as axum's docs write it.
pub mod axum_peer {
    use axum::extract::{Path, Request, State};
    use axum::middleware::{self, Next};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;

    use super::{AppState, Sub, DENY, PARAM_ROUTE, STATIC_PATH};

    async fn hello() -> &'static str {
        crate::data::HELLO
    }

    async fn user(Path(id): Path<u32>) -> String {
        id.to_string()
    }

    async fn hello_state(State(Sub(sub)): State<Sub>) -> &'static str {
        std::hint::black_box(sub);
        crate::data::HELLO
    }

    async fn user_state(State(Sub(sub)): State<Sub>, Path(id): Path<u32>) -> String {
        std::hint::black_box(sub);
        id.to_string()
    }

    /// The pass-through middleware: refuses a request with `x-deny`, passes the others on.
    async fn pass(req: Request, next: Next) -> Response {
        if req.headers().contains_key(&DENY) {
            return super::StatusCode::FORBIDDEN.into_response();
        }
        next.run(req).await
    }

    fn routes() -> Router {
        Router::new()
            .route(STATIC_PATH, get(hello))
            .route(PARAM_ROUTE, get(user))
    }

    fn routes_with_state() -> Router {
        Router::new()
            .route(STATIC_PATH, get(hello_state))
            .route(PARAM_ROUTE, get(user_state))
            .with_state(AppState::new())
    }

    /// `plain`.
    pub fn plain() -> Router {
        routes()
    }

    /// `from_fn` (and `layer(from_fn)`: in axum both are `Router::layer`).
    pub fn from_fn() -> Router {
        routes().layer(middleware::from_fn(pass))
    }

    /// `from_fn` as ours is written, around the whole router: `from_fn(f).layer(router)`.
    /// axum's `FromFn` takes only axum's own request body, so the request is mapped to it first,
    /// as axum's `Router` does itself (`Body::new` of an empty body boxes a zero-sized value:
    /// no allocation).
    pub fn from_fn_outside() -> impl tower::Service<
        http::Request<crate::ReqBody>,
        Response = Response,
        Error = std::convert::Infallible,
        Future: Send,
    > + Clone
           + Send
           + 'static {
        tower::ServiceBuilder::new()
            .map_request(|req: http::Request<crate::ReqBody>| req.map(axum::body::Body::new))
            .layer(middleware::from_fn(pass))
            .service(routes())
    }

    /// `State`.
    pub fn state() -> Router {
        routes_with_state()
    }

    /// `from_fn+State`.
    pub fn from_fn_state() -> Router {
        routes_with_state().layer(middleware::from_fn(pass))
    }
}
