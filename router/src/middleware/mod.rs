//! Middleware written as functions, as axum's `middleware` module: [`from_fn`],
//! [`map_request`], [`map_response`] (and their `_with_state` forms), with extractors before
//! the request as in axum, and [`Next`]; [`from_extractor`], an extractor as a gate;
//! [`HandleErrorLayer`] for a fallible service; [`MapRejectionLayer`], one place that answers
//! every rejection in the app's own format.
//!
//! Each is a `tower::Layer` with a named future ([`MiddlewareFuture`]) that holds the function's
//! future in a pooled buffer, as a route's is held: put it around the whole router and a request
//! costs no allocation; put it on routes with [`Router::layer`](crate::Router::layer) or
//! [`Router::route_layer`](crate::Router::route_layer) and neither future is boxed, but the
//! route's [`MatchedPath`](crate::extract::MatchedPath), the route's parameters inside it,
//! crosses the layer in the request's extensions: one allocation per request, with or without
//! parameters (more on a thread's first such request: see [`Router::layer`](crate::Router::layer)).

mod from_extractor;
mod from_fn;
mod handle_error;
mod map_rejection;
mod next;
mod phases;

pub use from_extractor::{
    from_extractor, from_extractor_with_state, FromExtractor, FromExtractorFuture,
    FromExtractorLayer,
};
pub use from_fn::{
    from_fn, from_fn_with_state, map_request, map_request_with_state, map_response,
    map_response_with_state, FromFn, FromFnKind, FromFnLayer, IntoMapRequestResult, MapRequest,
    MapRequestKind, MapRequestLayer, MapResponse, MapResponseKind, MapResponseLayer, Middleware,
    MiddlewareFn, MiddlewareFuture, MiddlewareLayer,
};
pub use handle_error::{HandleError, HandleErrorFuture, HandleErrorLayer};
pub use map_rejection::{MapRejection, MapRejectionFuture, MapRejectionLayer};
pub use next::{Next, NextFuture};
