//! Middleware that bounds how long the inner service may take to answer.
//!
//! [`TimeoutLayer`] races each response future against a [`tokio::time::Sleep`] stored inline in
//! its own [`ResponseFuture`]: no box, no allocation per request. When the deadline passes first,
//! the inner future is dropped on the spot (its work is cancelled) and the request ends in one of
//! two ways, chosen when the layer is built:
//!
//! - [`TimeoutLayer::new`] answers with a response: `408 Request Timeout` and an empty body by
//!   default (as silent did), or the status and body you configure with
//!   [`status`](TimeoutLayer::status) and [`body_fn`](TimeoutLayer::body_fn). A gRPC call
//!   (`content-type: application/grpc…`) gets gRPC's own answer instead, `200` with
//!   `grpc-status: 4` (`DEADLINE_EXCEEDED`), unless [`grpc(false)`](TimeoutLayer::grpc). The service keeps
//!   the inner service's error type, so a stack whose errors are [`Infallible`] stays so — what
//!   hyper and axum ask for.
//! - [`TimeoutLayer::erroring`] fails with tower's [`Elapsed`], boxed into a [`BoxError`] exactly
//!   as [`tower::timeout::Timeout`] does, for stacks that handle errors themselves
//!   (`error.is::<Elapsed>()`). `Elapsed` is zero-sized, so even that box does not allocate.
//!
//! ```
//! use std::convert::Infallible;
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::{BodyExt, Full};
//! use silent_tower_layers::timeout::TimeoutLayer;
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let slow = service_fn(|_: Request<()>| async {
//!     tokio::time::sleep(Duration::from_secs(60)).await;
//!     Ok::<_, Infallible>(Response::new(Full::<Bytes>::from("done")))
//! });
//!
//! let service = ServiceBuilder::new()
//!     .layer(
//!         TimeoutLayer::new(Duration::from_secs(10))
//!             .status(StatusCode::SERVICE_UNAVAILABLE)
//!             .body_fn(|| Full::from("request timed out")),
//!     )
//!     .service(slow);
//!
//! let response = service.oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
//! let body = response.into_body().collect().await.unwrap().to_bytes();
//! assert_eq!(body, "request timed out");
//! # }
//! ```
//!
//! The erroring flavour, in a stack that turns errors into responses itself:
//!
//! ```
//! use std::time::Duration;
//!
//! use http::{Request, Response};
//! use silent_tower_layers::timeout::{Elapsed, TimeoutLayer};
//! use tower::{service_fn, BoxError, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let service = ServiceBuilder::new()
//!     .layer(TimeoutLayer::erroring(Duration::from_millis(250)))
//!     .service(service_fn(|_: Request<()>| async {
//!         tokio::time::sleep(Duration::from_secs(1)).await;
//!         Ok::<_, BoxError>(Response::new(()))
//!     }));
//!
//! let error = service.oneshot(Request::new(())).await.unwrap_err();
//! assert!(error.is::<Elapsed>());
//! # }
//! ```
//!
//! The clock starts when [`Service::call`] is invoked, and counts only the response future:
//! waiting for `poll_ready` and streaming the response body are not bounded. Like tower's
//! timeout, `call` needs a Tokio runtime with the time driver enabled.
//!
//! [`Infallible`]: std::convert::Infallible
//! [`BoxError`]: tower::BoxError

mod config;
pub mod future;
#[cfg(test)]
mod tests;

use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

pub use self::config::{DefaultBody, Fail, MakeBody, OnElapsed, Respond};
use self::future::ResponseFuture;
use crate::grpc;
pub use tower::timeout::error::Elapsed;

/// Applies a [`Timeout`] to the services it wraps. See the [module docs](self).
///
/// `P` is what happens when the deadline passes: [`Respond`] (from [`TimeoutLayer::new`]) or
/// [`Fail`] (from [`TimeoutLayer::erroring`]).
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer<P = Respond> {
    timeout: Duration,
    on_elapsed: P,
}

impl TimeoutLayer {
    /// Answers requests that take longer than `timeout` with `408 Request Timeout` and an empty
    /// body (`ResBody::default()`). Change either with [`status`](Self::status) and
    /// [`body_fn`](Self::body_fn).
    pub const fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            on_elapsed: Respond {
                status: StatusCode::REQUEST_TIMEOUT,
                make_body: DefaultBody,
                grpc: true,
            },
        }
    }
}

impl TimeoutLayer<Fail> {
    /// Fails requests that take longer than `timeout` with [`Elapsed`], boxed into a
    /// [`BoxError`](tower::BoxError) as tower's own timeout does. The inner service's errors must
    /// convert `Into<BoxError>`.
    pub const fn erroring(timeout: Duration) -> Self {
        Self {
            timeout,
            on_elapsed: Fail,
        }
    }
}

impl<M> TimeoutLayer<Respond<M>> {
    /// Sets the status of the response sent when the deadline passes; `408 Request Timeout` by
    /// default. `503 Service Unavailable` and `504 Gateway Timeout` are common choices.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.on_elapsed.status = status;
        self
    }

    /// Sets how the body of that response is made: `make_body` is cloned into each request's
    /// future and called only when the deadline passes. Any `FnOnce() -> ResBody + Clone` works,
    /// e.g. `|| Full::from("request timed out")`, which costs nothing until it runs.
    ///
    /// The body type must also be [`Default`]: a gRPC call gets gRPC's answer, whose body is
    /// empty (see [`grpc`](Self::grpc)).
    pub fn body_fn<N>(self, make_body: N) -> TimeoutLayer<Respond<N>> {
        TimeoutLayer {
            timeout: self.timeout,
            on_elapsed: Respond {
                status: self.on_elapsed.status,
                make_body,
                grpc: self.on_elapsed.grpc,
            },
        }
    }

    /// Whether a gRPC call (a request whose `content-type` is `application/grpc`, alone or
    /// followed by `+…` or `;…`) that runs out of time is answered the way gRPC servers do:
    /// HTTP `200`, `content-type: application/grpc`, `grpc-status: 4` (`DEADLINE_EXCEEDED`),
    /// `grpc-message: request timed out` and an empty body, whatever
    /// [`status`](Self::status) and [`body_fn`](Self::body_fn) say. On by default; `false`
    /// answers gRPC calls like any other request, which gRPC clients then report as `UNKNOWN`
    /// (`408`) or `UNAVAILABLE` (`504`) with "grpc-status header missing".
    ///
    /// The check is a prefix comparison of one header in `call`; the answer's values are static,
    /// and its header map is its only allocation.
    pub fn grpc(mut self, grpc: bool) -> Self {
        self.on_elapsed.grpc = grpc;
        self
    }
}

impl<S, P: Clone> Layer<S> for TimeoutLayer<P> {
    type Service = Timeout<S, P>;

    fn layer(&self, inner: S) -> Self::Service {
        Timeout {
            inner,
            timeout: self.timeout,
            on_elapsed: self.on_elapsed.clone(),
        }
    }
}

/// Bounds how long the inner service may take to produce a response. Built by [`TimeoutLayer`];
/// see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct Timeout<S, P = Respond> {
    inner: S,
    timeout: Duration,
    on_elapsed: P,
}

impl<S> Timeout<S> {
    /// Wraps `inner`, answering with `408 Request Timeout` and an empty body after `timeout`;
    /// [`TimeoutLayer`] configures the rest.
    pub fn new(inner: S, timeout: Duration) -> Self {
        TimeoutLayer::new(timeout).layer(inner)
    }
}

impl<S, P> Timeout<S, P> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// The responding flavour serves HTTP requests, whose `content-type` tells a gRPC call.
impl<S, ReqBody, ResBody, M> Service<Request<ReqBody>> for Timeout<S, Respond<M>>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    Respond<M>: OnElapsed<Response<ResBody>, S::Error, Error = S::Error> + Clone,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, Respond<M>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    /// # Panics
    ///
    /// Outside a Tokio runtime with the time driver enabled, like `tokio::time::sleep`.
    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let grpc = self.on_elapsed.grpc && grpc::is_grpc(&request);
        let response = self.inner.call(request);
        let sleep = tokio::time::sleep(self.timeout);
        ResponseFuture::new(response, sleep, self.on_elapsed.clone(), grpc)
    }
}

/// The erroring flavour serves any request type: it answers nothing itself.
impl<S, R> Service<R> for Timeout<S, Fail>
where
    S: Service<R>,
    Fail: OnElapsed<S::Response, S::Error>,
{
    type Response = S::Response;
    type Error = <Fail as OnElapsed<S::Response, S::Error>>::Error;
    type Future = ResponseFuture<S::Future, Fail>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Fail::map_error)
    }

    /// # Panics
    ///
    /// Outside a Tokio runtime with the time driver enabled, like `tokio::time::sleep`.
    fn call(&mut self, request: R) -> Self::Future {
        let response = self.inner.call(request);
        let sleep = tokio::time::sleep(self.timeout);
        ResponseFuture::new(response, sleep, Fail, false)
    }
}
