//! silent's middleware as Tower layers: [`cors`], [`timeout`], [`exception_handler`],
//! [`request_time_logger`], [`request_id`] and [`rate_limit`], and four of them stacked in order,
//! [`silent`].
//!
//! Every layer here is a plain [`tower_layer::Layer`] whose service's future is a named,
//! pin-projected type: no layer boxes a future or goes through a vtable on the request path.
//! CORS, the timeout, the exception handler, the logger and an admitted request's rate limit
//! allocate nothing either; what does allocate is counted by each layer's allocation tests
//! (`layers/tests/*_allocations.rs`): a request id (one to make it, unless the client sent a
//! valid one, and the insert that puts it in the request's extensions), a key the rate limiter's
//! table has not seen yet, the header map of an answer a layer makes itself (a `429`, a CORS
//! preflight's headers), and a panic's own machinery. They are generic over request and response
//! bodies, so they fit in any Tower stack — `tower::ServiceBuilder`, axum's `Router::layer`,
//! tonic's `Server::layer`.
//!
//! # In which order
//!
//! Outermost first, the order in which every answer comes out complete:
//!
//! 1. [`RequestIdLayer`](request_id::RequestIdLayer): the id is then in the request before the
//!    logger reads it, and on every response, the other layers' own answers included.
//! 2. [`RequestTimeLoggerLayer`](request_time_logger::RequestTimeLoggerLayer): it then logs the
//!    final status of every request, including the answers the layers below make themselves.
//! 3. [`CorsLayer`](cors::CorsLayer): outside the layers below, so that their `429`, `500` and
//!    `408` carry the CORS headers too — otherwise a browser reports a CORS failure instead of
//!    the real error.
//! 4. [`RateLimitLayer`](rate_limit::RateLimitLayer): refuses excess requests before any work is
//!    done for them (CORS preflights, answered above, do not count).
//! 5. [`ExceptionHandlerLayer`](exception_handler::ExceptionHandlerLayer): turns the errors and
//!    panics of everything below into responses; from here out the stack's error is
//!    `Infallible`, as hyper and axum want.
//! 6. [`TimeoutLayer`](timeout::TimeoutLayer), closest to the handler.
//!
//! [`SilentLayer`](silent::SilentLayer) is silent's four — logger, CORS, exception handler,
//! timeout — in this order, as one layer.
//!
//! # gRPC
//!
//! The timeout and the exception handler know a gRPC call by its `content-type`
//! (`application/grpc`, `application/grpc+proto`, …) and fail it the way gRPC servers do: HTTP
//! `200`, `content-type: application/grpc`, `grpc-status: 4` (`DEADLINE_EXCEEDED`) for a timeout
//! and `13` (`INTERNAL`) for an error or a panic, a short `grpc-message` and an empty body. A
//! tonic client then reports `Code::DeadlineExceeded` and `Code::Internal`, instead of the
//! `UNKNOWN` or `UNAVAILABLE` ("grpc-status header missing") a bare `408`, `504` or `500` becomes.
//! Other requests get the usual answers. `.grpc(false)` on either layer turns this off.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cors;
pub mod exception_handler;
mod grpc;
pub mod rate_limit;
pub mod request_id;
pub mod request_time_logger;
pub mod silent;
pub mod timeout;
