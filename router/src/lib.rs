//! A radix-tree router for Tower with typed path parameters: one type however many routes, one
//! indirect call per request, no allocation on a static route.
//!
//! [`Router`] matches a request path against its routes — silent's `<id:i64>` syntax and
//! matchit/axum's `{id}` alike. Each path's [`MethodRouter`] keeps its concrete type, so method
//! dispatch is static; it is put behind a vtable once, when the route is added, so the router's
//! type never changes and the compiler builds each route's code once. A request costs the tree
//! walk and one indirect call, which writes the endpoint's future into a buffer from a per-thread
//! pool, behind a handle of four words ([`EndpointFuture`], a
//! [`PooledFuture`](silent_tower_pool::PooledFuture)): the router allocates nothing on a static
//! route, nor on a route whose handler reads its parameters with [`Path`](extract::Path) (or its
//! pattern with [`MatchedPath`](extract::MatchedPath)); a handler that takes the whole `Request`,
//! or a service, costs the one `Extensions::insert` of the route's [`PathParams`], and a layer of
//! the route's own ([`Router::layer`]) carries the route across in the request's extensions, its
//! future pooled as any route's (the allocation tests pin each figure).
//!
//! ```
//! use http::Request;
//! use silent_tower_router::{get, Router, RequestExt};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::<(), ()>::with_body()
//!     .route("/", get(|| async { "Hello, World!" }))
//!     .route(
//!         "/users/<id:i64>",
//!         get(|req: Request<()>| async move { format!("user {}", req.param::<i64>("id").unwrap()) }),
//!     );
//!
//! let response = app.oneshot(Request::get("/users/7").body(()).unwrap()).await.unwrap();
//! assert_eq!(response.status(), 200);
//! # }
//! ```
//!
//! # Reading order
//! Top down, as a request meets the code; each folder imports only from its own floor or below:
//! - `routing/` — [`Router`] (paths: `router`, then `combine` for `nest`/`merge` and `layers` for
//!   `layer`/`route_layer`/fallbacks), [`MethodRouter`] (methods), and what the router stores:
//!   endpoints erased once behind a vtable (`erased`), given their state by
//!   [`Router::with_state`];
//! - [`middleware`] — `from_fn`, `map_request`, `map_response`, [`middleware::Next`];
//! - `handler/` — [`Handler`]: `async fn`s with extractors as endpoints, and a handler under a
//!   path's own layers;
//! - [`extract`] and [`response`] — what handlers take and return; [`Body`]; `request_params` —
//!   [`RequestExt`], the route's parameters read wherever the router left them in a request;
//! - `endpoint/` — the bottom of the request path: [`CallContext`], the pooled future
//!   [`EndpointFuture`], a path's handlers at their concrete types ([`endpoints`]), [`Route`],
//!   and the thread's spare extension map a route's layer carries its `MatchedPath` in;
//! - `tree`, `pattern`, `params` — the radix tree, route syntax, and captured [`PathParams`].
//!
//! # Cargo features
//!
//! | feature | default | brings in | what |
//! |---|---|---|---|
//! | `json` | on | serde_json | [`Json<T>`](Json) (also `extract::Json`): a JSON request body (`content-type: application/json`, under the body limit) and an `application/json` response, as axum's `json` feature |
//! | `typed-header` | off | headers 0.4 (headers-core, mime, sha1, base64) | `extract::TypedHeader<T>`: a header parsed into its `headers` type; `headers` re-exported |
//! | `sessions` | off | tower-sessions-core 0.14 (time, rand, serde_json, async-trait) | tower-sessions' `Session` as an extractor (`Extension<Session>` reads it without the feature) |
//! | `multipart` | off | multer 3 (encoding_rs, mime, spin) | `extract::Multipart`: `multipart/form-data` read field by field, under the body limit |
//! | `cookie` | off | cookie 0.18 with `signed`, `private`, `percent-encode` (hmac, sha2, aes-gcm, time, rand) | `extract::cookie`: `CookieJar`, `SignedCookieJar`, `PrivateCookieJar` as extractors and response parts |
//!
//! Without `json` (`default-features = false`), `Json` does not exist: a `use` of it fails with
//! "no `Json` in the root", and a glob import (`use silent_tower_router::*`) with "cannot find
//! type `Json`" — turn the feature back on.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod debug_handler;
mod endpoint;
mod error;
pub mod extract;
pub mod handler;
#[cfg(feature = "json")]
mod json;
pub mod middleware;
mod params;
mod pattern;
mod request_params;
pub mod response;
pub mod routing;
mod tree;

/// What the macros' output names (feature `macros`); not an API.
#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod __private {
    pub use crate::debug_handler;
}

pub use body::{Body, BoxError};
pub use endpoint::tree as endpoints;
pub use endpoint::{CallContext, EndpointFuture, Route, RouteFuture, ENDPOINT_FUTURE_SIZE};
pub use error::RouteError;
pub use handler::{
    handler_fn, Handler, HandlerFuture, HandlerResponse, HandlerService, HandlerSignature,
    HandlerState, HandlerWithoutStateExt, LayeredHandler, LayeredHandlerService, StateFor,
};
/// The `headers` crate, whose types [`TypedHeader`](extract::TypedHeader) reads.
#[cfg(feature = "typed-header")]
pub use headers;
#[cfg(feature = "json")]
pub use json::Json;
pub use params::{FromParam, Param, ParamError, PathParams};
pub use pattern::MAX_PARAMS;
pub use request_params::RequestExt;
pub use response::{
    sse, AppendHeaders, Html, IntoHeaderName, IntoHeaderValue, IntoResponse, IntoResponseHeaders,
    InvalidHeader, Redirect, Sse,
};
pub use routing::{
    any, any_service, connect, connect_service, delete, delete_service, get, get_service, head,
    head_service, on, on_service, options, options_service, patch, patch_service, post,
    post_service, put, put_service, trace, trace_service, IntoMakeService, MethodFallback,
    MethodFilter, MethodRouter, NotFound, RouteService, Router, RouterFuture,
};
/// Checks a handler rule by rule (feature `macros`), as axum's `#[debug_handler]`: each mistake
/// is an error of its own, at the argument or function at fault, instead of the one "`…` is not
/// a handler" error where the handler is routed.
///
/// The rules, each with its own message: every argument is an extractor (it implements
/// `FromRequestParts` or `FromRequest`; the message names the argument's position and type); an
/// argument that reads the body (`FromRequest` only) is the last; the function's future is
/// `Send`; its return type implements `IntoResponse`. The function itself is unchanged, and the
/// checks cost nothing at run time: they are only type-checked, and only in debug builds
/// (`debug_assertions`), as axum's.
///
/// The checks need concrete types: the router's state is the `S` of the first `State<S>`
/// argument, or `()`; `#[debug_handler(state = AppState)]` names it (needed when the handler
/// reads only parts of the state through `FromRef`, or an extractor needs the state). The body
/// is hyper's `Incoming`, what `serve` gives; `#[debug_handler(body = B)]` names another. It
/// checks free `async fn`s that are not generic.
///
/// ```
/// use silent_tower_router::debug_handler;
/// use silent_tower_router::extract::{Path, State};
/// use silent_tower_router::{get, Router};
///
/// #[derive(Clone)]
/// struct AppState {
///     greeting: &'static str,
/// }
///
/// #[debug_handler]
/// async fn greet(State(state): State<AppState>, Path(name): Path<String>) -> String {
///     format!("{}, {name}", state.greeting)
/// }
///
/// let app: Router = Router::new()
///     .route("/hello/{name}", get(greet))
///     .with_state(AppState { greeting: "hello" });
/// ```
#[cfg(feature = "macros")]
pub use silent_tower_macros::router_debug_handler as debug_handler;
