//! Handlers: `async fn`s that answer requests, their arguments read by extractors
//! ([`function`]), and a handler under a path's own layers ([`layered`]).

mod function;
mod layered;
mod state;

pub use function::{
    handler_fn, Handler, HandlerFuture, HandlerResponse, HandlerService, HandlerSignature,
    HANDLER_FUTURE_SIZE,
};
pub use layered::{LayeredHandler, LayeredHandlerService};
pub use state::{HandlerState, StateFor};
