//! The bottom of the request path: what every endpoint is called with ([`CallContext`]), the
//! handle to the pooled buffer its future lives in ([`EndpointFuture`]), a path's handlers kept
//! at their concrete types ([`tree`]), and [`Route`], any service as one of them.
//!
//! A path's [`MethodRouter`](crate::MethodRouter) is a concrete type: method dispatch is a few
//! comparisons the compiler sees through. When the route is added, it is erased once behind a
//! vtable (`routing::erased`), and a request makes **one** indirect call, which writes the
//! endpoint's future into an [`EndpointFuture`].

mod context;
mod future;
mod route;
pub(crate) mod spare_map;
pub mod tree;

pub use context::CallContext;
pub(crate) use context::{forwarded_route, unit_state, ForwardedBodyLimit};
pub(crate) use future::without_body;
pub use future::{EndpointFuture, ENDPOINT_FUTURE_SIZE};
pub use route::{Route, RouteFuture};
pub use tree::Endpoints;
pub(crate) use tree::{MergedFallback, StateGiven};
