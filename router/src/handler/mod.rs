//! Handlers, as axum's `handler` module: `async fn`s that answer requests, their arguments read
//! by extractors ([`Handler`]), made services ([`HandlerService`], by
//! [`Handler::with_state`] or [`HandlerWithoutStateExt::into_service`]) or put under a layer of
//! their own ([`Handler::layer`]).
//!
//! Reading order: `function` (the trait and its impls), `service` (the types a handler becomes),
//! `into_service` (what makes them services and handlers), `layered` (a handler under its
//! path's layer), `state`.

mod function;
mod into_service;
mod layered;
mod service;
mod state;

pub use function::{handler_fn, Handler, HandlerResponse, HandlerSignature};
pub use into_service::HandlerWithoutStateExt;
pub use layered::{LayeredHandler, LayeredHandlerService};
#[doc(hidden)]
pub use service::ViaLayer;
pub use service::{HandlerFuture, HandlerService, Layered};
pub use state::{HandlerState, StateFor};
