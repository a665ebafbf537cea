//! One [`tracing`] event per request: method, path, version, status, latency, peer address and
//! request id.
//!
//! [`RequestTimeLoggerLayer`] wraps a service so that every request it handles produces exactly
//! one event with target `silent_tower::request` — when the response is ready, when the inner
//! service fails, or when the response future is dropped before either (the client went away,
//! a timeout above this layer fired, the inner service panicked).
//!
//! # Fields
//!
//! | field        | value                                          | present                      |
//! |--------------|------------------------------------------------|------------------------------|
//! | `method`     | `GET`, `POST`, …, an extension method verbatim | always                       |
//! | `path`       | the path: `/users/42` (see [Query strings])    | unless authority-form target |
//! | `version`    | `HTTP/1.1`, `HTTP/2.0`, …                      | always                       |
//! | `latency_us` | microseconds from `call` to the outcome, `u64` | always                       |
//! | `peer`       | the client's socket address: `10.0.0.7:51234`  | when the request carries one |
//! | `request_id` | the request's [`RequestId`]: `4f1c…`           | when the request carries one |
//! | `status`     | the response status code: `200`                | `outcome = completed`        |
//! | `error`      | the inner service's error, by `Display`        | `outcome = failed`           |
//! | `outcome`    | `completed`, `failed`, `cancelled`, `panicked` | always                       |
//!
//! An authority-form target is `CONNECT`'s `host:port`, which has no path.
//!
//! # Query strings
//!
//! By default `path` is the path alone, without the query string: queries carry tokens, API
//! keys, password-reset codes and e-mail addresses (`/reset?token=…`), and a log line is read,
//! shipped and kept by more people and systems than the request was ever meant for.
//! [`log_query(true)`](RequestTimeLoggerLayer::log_query) logs the path with its query string
//! (`/users/42?fields=name`) for an application whose queries hold nothing secret.
//!
//! [Query strings]: #query-strings
//!
//! `method`, `path`, `version`, `peer`, `request_id`, `error` and `outcome` are recorded as `Display` values
//! and `status` and `latency_us` as integers, so a JSON or OpenTelemetry subscriber keeps their
//! types; the layer itself never builds a `String`.
//!
//! The peer address comes from the request's extensions: a [`PeerAddr`] (which
//! `silent_tower::serve` inserts when asked to), or else a bare [`std::net::SocketAddr`]. A request
//! with neither is logged without `peer` — never a panic.
//!
//! The request id is the [`RequestId`] extension that
//! [`RequestIdLayer`](crate::request_id::RequestIdLayer) inserts; put that layer outside this one
//! so the id is there when this layer's `call` runs. A request without one is logged without
//! `request_id`, at the cost of one failed extension lookup.
//!
//! [`RequestId`]: crate::request_id::RequestId
//!
//! # Levels
//!
//! | outcome                               | level   |
//! |---------------------------------------|---------|
//! | `completed`, status 500 and above     | `ERROR` |
//! | `completed`, status 400 – 499         | `WARN`  |
//! | `completed`, any other status         | `INFO`  |
//! | `failed`: the inner service's `Err`   | `ERROR` |
//! | `cancelled`: future dropped unfinished| `WARN`  |
//! | `panicked`: the inner future panicked | `ERROR` |
//!
//! So `silent_tower::request=warn` logs only failures, and `=info` logs every request.
//!
//! # Cost
//!
//! When not even `ERROR` is enabled for the target, `call` captures nothing and does not read
//! the clock: the layer adds one cached callsite check per request. Otherwise `call` keeps the
//! method, path, version, peer, request id and start time beside the inner future, and the event's fields
//! are only evaluated if the outcome's level turns out to be enabled. None of this allocates for
//! requests parsed by hyper's HTTP/1 server; the exceptions are documented on
//! [`RequestTimeLogger`].
//!
//! # Turning it on
//!
//! With `tracing-subscriber`'s `fmt` and `env-filter` features, the usual setup is
//! `tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).init()` and
//! `RUST_LOG=silent_tower::request=info`. Spelled out so that it runs as a test:
//!
//! ```
//! use std::convert::Infallible;
//!
//! use http::{Request, Response, StatusCode};
//! use silent_tower_layers::request_time_logger::{PeerAddr, RequestTimeLoggerLayer};
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//! use tracing_subscriber::EnvFilter;
//!
//! let subscriber = tracing_subscriber::fmt()
//!     .with_env_filter(EnvFilter::new("silent_tower::request=info"))
//!     .finish();
//!
//! tracing::subscriber::with_default(subscriber, || {
//!     let service = ServiceBuilder::new()
//!         .layer(RequestTimeLoggerLayer::new())
//!         .service(service_fn(|_request: Request<()>| async {
//!             Ok::<_, Infallible>(Response::new(()))
//!         }));
//!
//!     let mut request = Request::get("/users/42?fields=name").body(()).unwrap();
//!     request.extensions_mut().insert(PeerAddr(([127, 0, 0, 1], 50000).into()));
//!
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     let response = runtime.block_on(service.oneshot(request)).unwrap();
//!     assert_eq!(response.status(), StatusCode::OK);
//!     // Printed: INFO silent_tower::request: method=GET path=/users/42
//!     //          version=HTTP/1.1 latency_us=3 peer=127.0.0.1:50000 status=200 outcome=completed
//! });
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub mod future;

#[cfg(test)]
mod tests;

use self::future::{RequestLine, ResponseFuture};

/// The target of every event this layer emits; filter on it (`silent_tower::request=info`).
pub const TARGET: &str = "silent_tower::request";

/// The client's socket address, as a request extension.
///
/// `silent_tower::serve` inserts it when the peer address is opted in; any server can insert it
/// (or a bare [`SocketAddr`]) for [`RequestTimeLogger`] to log as `peer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// Wraps a service in [`RequestTimeLogger`]; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestTimeLoggerLayer {
    log_query: bool,
}

impl RequestTimeLoggerLayer {
    /// A layer that logs every request at target [`TARGET`], its path without the query string.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `path` includes the query string: `false` by default, since queries often carry
    /// secrets; see [Query strings](self#query-strings).
    ///
    /// ```
    /// use silent_tower_layers::request_time_logger::RequestTimeLoggerLayer;
    ///
    /// // Logs `path=/search?q=shoes`: this application's queries hold nothing secret.
    /// let logger = RequestTimeLoggerLayer::new().log_query(true);
    /// ```
    pub fn log_query(mut self, log_query: bool) -> Self {
        self.log_query = log_query;
        self
    }
}

impl<S> Layer<S> for RequestTimeLoggerLayer {
    type Service = RequestTimeLogger<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeLogger {
            inner,
            log_query: self.log_query,
        }
    }
}

/// Logs one event per request handled by the inner service; see the [module docs](self).
///
/// The inner service's error must be [`Display`](fmt::Display): it is logged as `error = %e`,
/// the form `tower::BoxError`, `hyper::Error`, `std::io::Error` and `Infallible` all have. (Most
/// error types' `Debug` is meant for developers and spans lines; `Display` is what belongs in a
/// log line.)
///
/// # Allocations
///
/// None for requests parsed by hyper's HTTP/1 server, none for URIs built with
/// `Uri::from_static`. Capturing the request line clones two things that can allocate:
/// - the method, when it is an extension method longer than 15 bytes (`http` stores shorter ones
///   inline; the standard methods are plain enum variants);
/// - the path, whose bytes are a `Bytes` shared with the request's `Uri`: cloning it is an atomic
///   increment, except for a `Uri` parsed from a `&str`, `String` or `Vec<u8>`, whose first
///   clone moves the bytes' ownership into a shared header — one allocation.
///
/// Neither happens when the target is disabled.
#[derive(Clone, Copy, Debug)]
pub struct RequestTimeLogger<S> {
    inner: S,
    log_query: bool,
}

impl<S> RequestTimeLogger<S> {
    /// Wraps `inner`, logging paths without their query strings (see
    /// [`RequestTimeLoggerLayer::log_query`]).
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            log_query: false,
        }
    }

    /// A [`RequestTimeLoggerLayer`], for `ServiceBuilder::layer`.
    pub fn layer() -> RequestTimeLoggerLayer {
        RequestTimeLoggerLayer::new()
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestTimeLogger<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Error: fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // Before the inner call: the request moves into it, and its time counts.
        let request_line = RequestLine::capture(&request, self.log_query);
        ResponseFuture::new(self.inner.call(request), request_line)
    }
}
