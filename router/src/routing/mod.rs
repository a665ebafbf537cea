//! Routing: the [`Router`] (paths), [`MethodRouter`] (methods), the erased endpoints the router
//! holds, and how routers combine (`nest`, `merge`) and take layers and fallbacks.
//!
//! Reading order: `router` (the type, `route`, the request path), `combine` (`nest`, `merge`),
//! `layers` (`layer`, `route_layer`, fallbacks), `method_router` (its free functions in
//! `method_fns`; `merge`, `fallback`, `with_state` in `method_compose`) with `method_table` and
//! `method_filter`, then what the router stores: `table`, `erased` (endpoints behind a vtable, and
//! the state they are given), `service`, `nested_service`, `merged`, `route_service`, `future`.

mod combine;
mod erased;
mod future;
mod into_make_service;
mod layers;
mod merged;
mod method_compose;
mod method_filter;
mod method_fns;
mod method_router;
mod method_table;
mod nested_service;
mod route_service;
mod router;
mod service;
mod table;

pub(crate) use erased::Endpoint;
pub use future::RouterFuture;
pub use into_make_service::IntoMakeService;
pub use method_filter::MethodFilter;
pub use method_fns::{
    any, any_service, connect, connect_service, delete, delete_service, get, get_service, head,
    head_service, on, on_service, options, options_service, patch, patch_service, post,
    post_service, put, put_service, trace, trace_service,
};
pub use method_router::MethodRouter;
pub use method_table::MethodFallback;
pub(crate) use route_service::call_forwarded;
pub use route_service::RouteService;
pub use router::Router;
pub use service::NotFound;
pub(crate) use service::ServiceEndpoint;
