//! Extractors: what a handler takes as arguments, each read from the request.
//!
//! A handler is an `async fn` whose arguments are extractors, in any number up to 16:
//! `async fn create(State(db): State<Db>, Path(id): Path<u64>, Json(todo): Json<Todo>)`. Every
//! argument but the last implements [`FromRequestParts`]: it reads the request's head — method,
//! URI, headers, extensions — the route's path parameters and the router's state. The last may
//! implement [`FromRequest`] instead and consume the whole request, body included (`Json`,
//! `Form`, `Bytes`, `String`, the `Request` itself). An extractor that cannot read what it wants
//! answers for the handler: its `Rejection` is a response naming the parameter, field or header
//! at fault — a `4xx`, or a `500` where the handler does not fit its route or app (a `Path` that
//! reads parameters the route does not have, a `State` never given) — and the handler is not
//! called. Every rejection is also data — a
//! [`Rejection`](rejection::Rejection) with its status, a stable kind and its message — and
//! [`MapRejectionLayer`](crate::middleware::MapRejectionLayer) around the router answers all of them in an
//! app's own format, in one place.
//!
//! Nothing here allocates unless the value asked for must own memory: [`Path`] reads the
//! captures the router hands the route directly (the [`PathParams`] of a route go into the
//! request's extensions only for handlers that take the whole `Request`, and for services),
//! and [`State`] is a clone of what [`Router::with_state`](crate::Router::with_state) was given.
//!
//! ```
//! use http::Request;
//! use silent_tower_router::extract::{Path, Query, State};
//! use silent_tower_router::{get, Router};
//! use tower::ServiceExt;
//!
//! #[derive(serde::Deserialize)]
//! struct Page {
//!     page: u32,
//! }
//!
//! async fn list(State(name): State<&'static str>, Path(user): Path<u64>, Query(p): Query<Page>) -> String {
//!     format!("{name}: posts of user {user}, page {}", p.page)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::<&'static str, ()>::with_body()
//!     .route("/users/{id}/posts", get(list))
//!     .with_state("blog");
//! let response = app.oneshot(Request::get("/users/7/posts?page=2").body(()).unwrap()).await.unwrap();
//! assert_eq!(response.status(), 200);
//! # }
//! ```

pub(crate) mod body;
pub mod connect_info;
#[cfg(feature = "cookie")]
pub mod cookie;
#[cfg(feature = "multipart")]
pub mod multipart;
mod parts;
mod path;
mod query;
pub mod rejection;
mod request_ext;
mod route;
#[cfg(feature = "sessions")]
mod session;
#[cfg(feature = "typed-header")]
mod typed_header;
mod urlencoded;
mod value_de;

use std::future::Future;

use http::request::Parts;

use crate::params::PathParams;
use crate::response::IntoResponse;

pub use body::{Form, DEFAULT_BODY_LIMIT};
pub use connect_info::{
    AddConnectInfo, ConnectInfo, ConnectInfoLayer, Connected, IntoMakeServiceWithConnectInfo,
};

/// A request with hyper's body (what `serve` feeds a router), as axum's `extract::Request`: the
/// last argument of a handler that reads it whole, or of a middleware function.
pub type Request<B = hyper::body::Incoming> = http::Request<B>;
/// The JSON body extractor and response, also at the crate's root (as axum's `extract::Json`).
#[cfg(feature = "json")]
pub use crate::Json;
#[cfg(feature = "multipart")]
pub use multipart::Multipart;
pub use parts::{Extension, FromRef, State};
pub use path::Path;
pub use query::Query;
pub use request_ext::SilentRequestExt;
pub(crate) use route::{joined, NestedPrefix};
pub use route::{MatchedPath, OriginalUri, RawPathParams};
/// `#[derive(FromRef)]` (feature `macros`), as axum's: `impl FromRef<Struct> for Field` for the
/// type of each field of a state struct (`#[from_ref(skip)]` to leave a field out), so that a
/// handler takes `State<Field>` from a router whose state is the struct.
///
/// ```
/// use silent_tower_router::extract::{FromRef, State};
/// use silent_tower_router::{get, Router};
///
/// #[derive(Clone)]
/// struct Db(&'static str);
///
/// #[derive(Clone, FromRef)]
/// struct AppState {
///     db: Db,
///     #[from_ref(skip)]
///     name: String,
/// }
///
/// async fn users(State(Db(db)): State<Db>) -> String {
///     format!("users from {db}")
/// }
///
/// let app: Router = Router::new()
///     .route("/users", get(users))
///     .with_state(AppState { db: Db("postgres"), name: "app".into() });
/// ```
#[cfg(feature = "macros")]
pub use silent_tower_macros::RouterFromRef as FromRef;
#[cfg(feature = "typed-header")]
pub use typed_header::TypedHeader;

/// What a request carries besides itself when it reaches a handler: the router's state, the
/// matched route's path parameters, the body limit in force.
#[derive(Debug)]
pub struct RequestContext<S> {
    pub(crate) state: S,
    pub(crate) params: Option<PathParams>,
    pub(crate) body_limit: usize,
}

impl<S> RequestContext<S> {
    /// The router's state: what [`Router::with_state`](crate::Router::with_state) was given.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The matched route's path parameters, if it has any.
    pub fn path_params(&self) -> Option<&PathParams> {
        // A route without parameters is handed over too, for its `MatchedPath`.
        self.params.as_ref().filter(|params| !params.is_empty())
    }

    /// The most bytes a body-reading extractor reads before it answers `413`.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }
}

/// An extractor that reads the request's head: any argument of a handler but the last.
///
/// ```
/// use http::request::Parts;
/// use http::StatusCode;
/// use silent_tower_router::extract::{FromRequestParts, RequestContext};
///
/// /// The caller's API key, from the `x-api-key` header.
/// struct ApiKey(String);
///
/// impl<S: Sync> FromRequestParts<S> for ApiKey {
///     type Rejection = (StatusCode, &'static str);
///
///     async fn from_request_parts(parts: &mut Parts, _: &RequestContext<S>) -> Result<Self, Self::Rejection> {
///         match parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
///             Some(key) => Ok(ApiKey(key.to_owned())),
///             None => Err((StatusCode::UNAUTHORIZED, "missing header `x-api-key`")),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an extractor that reads the request's head",
    label = "not an extractor",
    note = "a handler's arguments are extractors — `Path<T>`, `Query<T>`, `State<S>`, `HeaderMap`, \
            `Method`, `Uri`, `Extension<T>` — and only the last may read the body (`Json<T>`, \
            `Form<T>`, `Bytes`, `String`, `Request<B>`)"
)]
pub trait FromRequestParts<S>: Sized {
    /// The answer when the value cannot be read.
    type Rejection: IntoResponse;

    /// Reads the value from the request's head.
    fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

/// Marks the [`FromRequest`] impl every [`FromRequestParts`] extractor has.
#[derive(Debug)]
pub enum ViaParts {}

/// Marks a [`FromRequest`] impl of its own: one that reads the body.
#[derive(Debug)]
pub enum ViaRequest {}

/// An extractor that consumes the whole request, body included: the last argument of a handler.
///
/// `M` tells apart the impl every head extractor gets ([`ViaParts`]) from body readers'
/// ([`ViaRequest`]); it is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an extractor",
    label = "not an extractor",
    note = "a handler's arguments are extractors — `Path<T>`, `Query<T>`, `State<S>`, `HeaderMap`, \
            `Method`, `Uri`, `Extension<T>` — and only the last may read the body (`Json<T>`, \
            `Form<T>`, `Bytes`, `String`, `Request<B>`)"
)]
pub trait FromRequest<S, B, M = ViaRequest>: Sized {
    /// The answer when the value cannot be read.
    type Rejection: IntoResponse;

    /// Reads the value, consuming the request.
    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

impl<S, B, T> FromRequest<S, B, ViaParts> for T
where
    T: FromRequestParts<S>,
    B: Send,
    S: Sync,
{
    type Rejection = T::Rejection;

    async fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, _) = req.into_parts();
        T::from_request_parts(&mut parts, cx).await
    }
}

/// The whole request, for handlers that read it themselves. The route's [`PathParams`] are put
/// in its extensions, so `req.param("id")` works as it does for services, and so is the router's
/// state, for [`SilentRequestExt::get_state`].
impl<S: Clone + Send + Sync + 'static, B: Send> FromRequest<S, B> for Request<B> {
    type Rejection = std::convert::Infallible;

    fn from_request(
        mut req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        if let Some(params) = cx.path_params() {
            req.extensions_mut().insert(params.clone());
        }
        // For silent's `req.get_state::<S>()`; a state of no size (`()`) is not worth an insert.
        if std::mem::size_of::<S>() > 0 {
            req.extensions_mut().insert(cx.state.clone());
        }
        std::future::ready(Ok(req))
    }
}

/// A body extractor that may fail: `None` instead of its rejection.
impl<S, B, T> FromRequest<S, B> for Option<T>
where
    T: FromRequest<S, B>,
    B: Send,
    S: Sync,
{
    type Rejection = std::convert::Infallible;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        let read = T::from_request(req, cx);
        async move { Ok(read.await.ok()) }
    }
}

/// A body extractor's result as it is, for a handler that answers its rejection itself — in a
/// JSON error format of its own, say.
impl<S, B, T> FromRequest<S, B> for Result<T, T::Rejection>
where
    T: FromRequest<S, B>,
    T::Rejection: Send,
    B: Send,
    S: Sync,
{
    type Rejection = std::convert::Infallible;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        let read = T::from_request(req, cx);
        async move { Ok(read.await) }
    }
}
