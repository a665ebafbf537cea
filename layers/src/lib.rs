//! silent's middleware as Tower layers: [`cors`], [`timeout`], [`exception_handler`] and
//! [`request_time_logger`].
//!
//! Every layer here is a plain [`tower_layer::Layer`] whose service's future is a named,
//! pin-projected type: nothing on the request path allocates, boxes a future or goes through a
//! vtable. They are generic over request and response bodies, so they fit in any Tower stack —
//! `tower::ServiceBuilder`, axum's `Router::layer`, tonic's `Server::layer`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cors;
pub mod exception_handler;
pub mod request_time_logger;
pub mod timeout;
