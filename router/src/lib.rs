//! A radix-tree router for Tower with typed path parameters, zero allocations and static dispatch.
//!
//! [`Router`] matches a request path against its routes — silent's `<id:i64>` syntax and
//! matchit/axum's `{id}` alike — and calls the matched endpoint **at its concrete type**: adding a
//! route changes the router's type, the response future is a named, pin-projected enum over the
//! endpoints' own futures, and nothing on the way allocates, boxes or goes through a vtable. A
//! static route costs no allocation at all; a route with parameters costs the one
//! `Extensions::insert` of its [`PathParams`].
//!
//! ```
//! use http::Request;
//! use silent_tower_router::{get, Router, RequestExt};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::<()>::with_body()
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
//! The pieces: [`Router`] (paths), [`MethodRouter`] (methods: [`get`], [`post`], …, [`any`]),
//! [`Handler`] (`async fn`s as services), [`Body`] and [`IntoResponse`] (responses),
//! [`RequestExt`] (parameters).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod endpoint;
pub mod endpoints;
mod error;
mod handler;
#[cfg(feature = "json")]
mod json;
mod layered;
mod method_router;
mod params;
mod pattern;
mod response;
mod route;
mod router;
mod table;
mod tree;

pub use body::{Body, BoxError};
pub use endpoint::{
    EndpointFuture, ErasedEndpoint, IntoEndpoint, RouteService, ENDPOINT_FUTURE_SIZE,
};
pub use error::RouteError;
pub use handler::{handler_fn, Handler, HandlerFuture, HandlerService, HandlerSignature};
#[cfg(feature = "json")]
pub use json::Json;
pub use method_router::{
    any, any_service, connect, connect_service, delete, delete_service, get, get_service, head,
    head_service, on, on_service, options, options_service, patch, patch_service, post,
    post_service, put, put_service, trace, trace_service, InfallibleFuture, MethodFallback,
    MethodFuture, MethodRouter,
};
pub use layered::Layered;
pub use params::{FromParam, Param, ParamError, PathParams, RequestExt};
pub use pattern::MAX_PARAMS;
pub use response::IntoResponse;
pub use route::{Route, RouteFuture};
pub use router::{NotFound, Router, RouterFuture};
