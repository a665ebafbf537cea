//! A radix-tree router for Tower with typed path parameters: one type however many routes, one
//! indirect call per request, no allocation on a static route.
//!
//! [`Router`] matches a request path against its routes — silent's `<id:i64>` syntax and
//! matchit/axum's `{id}` alike. Each path's [`MethodRouter`] keeps its concrete type, so method
//! dispatch is static; it is put behind a vtable once, when the route is added, so the router's
//! type never changes and the compiler builds each route's code once. A request costs the tree
//! walk and one indirect call, which writes the endpoint's future inline into the router's named
//! future ([`EndpointFuture`]): nothing allocates on a static route, and a route with parameters
//! costs the one `Extensions::insert` of its [`PathParams`].
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
//! The pieces, top down as a request meets them: [`Router`] (paths), [`EndpointFuture`] (the
//! inline slot), [`MethodRouter`] (methods: [`get`], [`post`], …, [`any`]), [`Handler`]
//! (`async fn`s as services), [`Body`] and [`IntoResponse`] (responses: [`Html`], [`Redirect`],
//! [`Sse`], header tuples through [`IntoResponseHeaders`]), [`RequestExt`]
//! (parameters); [`middleware`] for layers written as functions.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod endpoint;
pub mod endpoints;
mod error;
pub mod extract;
mod handler;
#[cfg(feature = "json")]
mod json;
mod layered_handler;
mod method_filter;
mod method_router;
pub mod middleware;
mod params;
mod pattern;
pub mod response;
mod route;
mod router;
mod strip_prefix;
mod table;
mod tree;

pub use body::{Body, BoxError};
pub use endpoint::{CallContext, EndpointFuture, RouteService, ENDPOINT_FUTURE_SIZE};
pub use error::RouteError;
pub use handler::{
    handler_fn, Handler, HandlerFuture, HandlerResponse, HandlerService, HandlerSignature,
    HANDLER_FUTURE_SIZE,
};
/// The `headers` crate, whose types [`TypedHeader`](extract::TypedHeader) reads.
#[cfg(feature = "typed-header")]
pub use headers;
#[cfg(feature = "json")]
pub use json::Json;
pub use layered_handler::{HandlerState, LayeredHandler, LayeredHandlerService, StateFor};
pub use method_filter::MethodFilter;
pub use method_router::{
    any, any_service, connect, connect_service, delete, delete_service, get, get_service, head,
    head_service, on, on_service, options, options_service, patch, patch_service, post,
    post_service, put, put_service, trace, trace_service, MethodFallback, MethodRouter,
};
pub use params::{FromParam, Param, ParamError, PathParams, RequestExt};
pub use pattern::MAX_PARAMS;
pub use response::{
    sse, AppendHeaders, Html, IntoHeaderName, IntoHeaderValue, IntoResponse, IntoResponseHeaders,
    InvalidHeader, Redirect, Sse,
};
pub use route::{Route, RouteFuture};
pub use router::{NotFound, Router, RouterFuture};

/// Routing as axum spells it: `silent_tower::routing::{get, post, MethodRouter, Router}`.
pub mod routing {
    pub use crate::method_filter::MethodFilter;
    pub use crate::method_router::{
        any, any_service, connect, connect_service, delete, delete_service, get, get_service, head,
        head_service, on, on_service, options, options_service, patch, patch_service, post,
        post_service, put, put_service, trace, trace_service, MethodFallback, MethodRouter,
    };
    pub use crate::router::Router;
}
