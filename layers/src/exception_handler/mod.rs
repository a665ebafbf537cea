//! Middleware that turns every failure of the inner service into a response: its errors, its
//! panics, and — if you ask — its error-status responses.
//!
//! [`ExceptionHandler`] is the outermost layer of a stack whose server wants
//! [`Infallible`] errors (hyper, axum): its `Error` is `Infallible`, whatever the inner service's
//! error is. It runs three handlers, chosen on the [`ExceptionHandlerLayer`]:
//!
//! - [`handler`](ExceptionHandlerLayer::handler) turns `Err(error)` into a response. The default,
//!   [`DefaultErrorHandler`], logs the error (`Display`) with `tracing::error!` under the target
//!   `silent_tower::exception` and answers `500 Internal Server Error` with an empty body.
//! - [`on_panic`](ExceptionHandlerLayer::on_panic) turns a panic — in the inner service's `call`,
//!   in its future's `poll`, or in its `poll_ready` — into a response. It receives the payload the
//!   panic machinery already allocated; [`panic_message`] reads its message. The default,
//!   [`DefaultPanicHandler`], logs the message and answers `500` with an empty body.
//! - [`on_error_status`](ExceptionHandlerLayer::on_error_status) rewrites responses of the inner
//!   service whose status is `4xx` or `5xx`, e.g. into a JSON problem body. By default,
//!   [`KeepResponse`] leaves them alone.
//!
//! A gRPC call (`content-type: application/grpc…`) that fails or panics is answered through
//! [`HandleError::handle_grpc_error`] and [`HandlePanic::handle_grpc_panic`]; the defaults answer
//! the way gRPC servers do, `200` with `grpc-status: 13` (`INTERNAL`), which gRPC clients report
//! as `INTERNAL` rather than `UNKNOWN`. [`grpc(false)`](ExceptionHandlerLayer::grpc) turns that
//! off.
//!
//! ```
//! use std::fmt;
//!
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//! use http_body_util::{BodyExt, Full};
//! use silent_tower_layers::exception_handler::ExceptionHandlerLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! #[derive(Debug)]
//! struct NoSuchUser(u64);
//!
//! impl fmt::Display for NoSuchUser {
//!     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//!         write!(f, "no user {}", self.0)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let service = ServiceBuilder::new()
//!     .layer(ExceptionHandlerLayer::new().handler(|error: NoSuchUser| {
//!         let mut response = Response::new(Full::from(error.to_string()));
//!         *response.status_mut() = StatusCode::NOT_FOUND;
//!         response
//!     }))
//!     .service_fn(|request: Request<()>| async move {
//!         match request.uri().path() {
//!             "/users/1" => Ok(Response::new(Full::<Bytes>::from("alice"))),
//!             _ => Err(NoSuchUser(2)),
//!         }
//!     });
//!
//! let request = Request::get("/users/2").body(()).unwrap();
//! // `Error = Infallible`: this `unwrap` cannot fail.
//! let response = service.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::NOT_FOUND);
//! let body = response.into_body().collect().await.unwrap().to_bytes();
//! assert_eq!(body, "no user 2");
//! # }
//! ```
//!
//! A panic becomes a response too, and the service keeps serving:
//!
//! ```
//! use std::any::Any;
//!
//! use http::{Request, Response, StatusCode};
//! use silent_tower_layers::exception_handler::{panic_message, ExceptionHandlerLayer};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mut service = ServiceBuilder::new()
//!     .layer(ExceptionHandlerLayer::new().on_panic(|payload: Box<dyn Any + Send>| {
//!         let message = panic_message(&*payload).unwrap_or("unknown");
//!         let mut response = Response::new(format!("panicked: {message}"));
//!         *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
//!         response
//!     }))
//!     .service_fn(|request: Request<()>| async move {
//!         if request.uri().path() == "/boom" {
//!             panic!("boom");
//!         }
//!         Ok::<_, std::convert::Infallible>(Response::new(String::from("fine")))
//!     });
//!
//! let boom = Request::get("/boom").body(()).unwrap();
//! let response = service.ready().await.unwrap().call(boom).await.unwrap();
//! assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
//! assert_eq!(response.body(), "panicked: boom");
//!
//! let response = service.ready().await.unwrap().call(Request::new(())).await.unwrap();
//! assert_eq!(response.body(), "fine");
//! # }
//! ```
//!
//! # What it costs
//!
//! Nothing is allocated, boxed or dispatched through a vtable on the way through: the request is
//! passed on untouched, [`catch_unwind`] costs nothing until something
//! panics, and the handlers are called statically. They are cloned into each request's future
//! (see [`Handlers`]); the defaults are zero-sized.
//!
//! # When the inner service is not ready
//!
//! `Infallible` leaves `poll_ready` no way to report a failure. When the inner service's
//! `poll_ready` fails or panics, [`ExceptionHandler`] keeps what went wrong, reports itself
//! ready, and answers the next `call` through the error or panic handler without calling the
//! inner service; the call after that polls the inner service again. Keeping the error boxes it,
//! the one allocation this layer may make, and only on that path.
//!
//! The handlers themselves run outside `catch_unwind`: a handler that panics is a bug this layer
//! does not hide.
//!
//! [`Infallible`]: std::convert::Infallible

mod config;
pub mod future;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::convert::Infallible;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use self::config::{
    DefaultErrorHandler, DefaultPanicHandler, HandleError, HandlePanic, Handlers, KeepResponse,
    RewriteResponse,
};
use self::future::ResponseFuture;
use crate::grpc;

/// The message of a panic payload, when the panic carried one (`panic!("literal")` carries a
/// `&'static str`, `panic!("{formatted}")` a `String`).
///
/// Pass the payload itself, `panic_message(&*payload)`: `&payload` would coerce the `Box` itself
/// to `&dyn Any`, which never holds a string.
///
/// ```
/// use silent_tower_layers::exception_handler::panic_message;
///
/// let payload = std::panic::catch_unwind(|| panic!("disk {} is full", 3)).unwrap_err();
/// assert_eq!(panic_message(&*payload), Some("disk 3 is full"));
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Applies an [`ExceptionHandler`] to the services it wraps. See the [module docs](self).
///
/// Its type names the three handlers; each builder method replaces one of them:
/// [`handler`](Self::handler) sets `OnErr`, [`on_panic`](Self::on_panic) sets `OnPanic`,
/// [`on_error_status`](Self::on_error_status) sets `OnStatus`.
#[derive(Debug, Clone, Copy)]
pub struct ExceptionHandlerLayer<
    OnErr = DefaultErrorHandler,
    OnPanic = DefaultPanicHandler,
    OnStatus = KeepResponse,
> {
    handlers: Handlers<OnErr, OnPanic, OnStatus>,
    grpc: bool,
}

impl<OnErr: Default, OnPanic: Default, OnStatus: Default> Default
    for ExceptionHandlerLayer<OnErr, OnPanic, OnStatus>
{
    fn default() -> Self {
        Self {
            handlers: Handlers::default(),
            grpc: true,
        }
    }
}

impl ExceptionHandlerLayer {
    /// The default handlers: errors and panics are logged and answered with `500 Internal
    /// Server Error` and an empty body; error-status responses pass unchanged.
    pub const fn new() -> Self {
        Self {
            handlers: Handlers {
                on_error: DefaultErrorHandler,
                on_panic: DefaultPanicHandler,
                on_status: KeepResponse,
            },
            grpc: true,
        }
    }
}

impl<OnErr, OnPanic, OnStatus> ExceptionHandlerLayer<OnErr, OnPanic, OnStatus> {
    /// Turns the inner service's errors into responses with `handler`, any
    /// `Fn(S::Error) -> Response<ResBody> + Clone` (or a [`HandleError`]). Application state is
    /// whatever the closure captures.
    pub fn handler<F>(self, handler: F) -> ExceptionHandlerLayer<F, OnPanic, OnStatus> {
        let Handlers {
            on_panic,
            on_status,
            ..
        } = self.handlers;
        ExceptionHandlerLayer {
            handlers: Handlers {
                on_error: handler,
                on_panic,
                on_status,
            },
            grpc: self.grpc,
        }
    }

    /// Turns panics of the inner service into responses with `on_panic`, any
    /// `Fn(Box<dyn Any + Send>) -> Response<ResBody> + Clone` (or a [`HandlePanic`]).
    pub fn on_panic<F>(self, on_panic: F) -> ExceptionHandlerLayer<OnErr, F, OnStatus> {
        let Handlers {
            on_error,
            on_status,
            ..
        } = self.handlers;
        ExceptionHandlerLayer {
            handlers: Handlers {
                on_error,
                on_panic,
                on_status,
            },
            grpc: self.grpc,
        }
    }

    /// Rewrites the inner service's responses whose status is `4xx` or `5xx` with `rewrite`, any
    /// `Fn(Response<ResBody>) -> Response<ResBody> + Clone` (or a [`RewriteResponse`]).
    /// Responses made by the error and panic handlers are not rewritten.
    pub fn on_error_status<F>(self, rewrite: F) -> ExceptionHandlerLayer<OnErr, OnPanic, F> {
        let Handlers {
            on_error, on_panic, ..
        } = self.handlers;
        ExceptionHandlerLayer {
            handlers: Handlers {
                on_error,
                on_panic,
                on_status: rewrite,
            },
            grpc: self.grpc,
        }
    }

    /// Whether errors and panics of a gRPC call (a request whose `content-type` is
    /// `application/grpc`, alone or followed by `+…` or `;…`) are answered the way gRPC servers
    /// do, through [`HandleError::handle_grpc_error`] and [`HandlePanic::handle_grpc_panic`].
    /// The default handlers then answer HTTP `200`, `content-type: application/grpc`,
    /// `grpc-status: 13` (`INTERNAL`), a short fixed `grpc-message` and an empty body, which
    /// gRPC clients report as `INTERNAL`; a `500` would reach them as `UNKNOWN` with
    /// "grpc-status header missing". Handlers you set answer as you wrote them.
    ///
    /// On by default; `false` answers gRPC calls like any other request. The check is a prefix
    /// comparison of one header in `call`; the answer's values are static, and its header map
    /// is its only allocation.
    pub fn grpc(mut self, grpc: bool) -> Self {
        self.grpc = grpc;
        self
    }
}

impl<S, OnErr, OnPanic, OnStatus> Layer<S> for ExceptionHandlerLayer<OnErr, OnPanic, OnStatus>
where
    Handlers<OnErr, OnPanic, OnStatus>: Clone,
{
    type Service = ExceptionHandler<S, Handlers<OnErr, OnPanic, OnStatus>>;

    fn layer(&self, inner: S) -> Self::Service {
        ExceptionHandler {
            inner,
            handlers: self.handlers.clone(),
            grpc: self.grpc,
            unready: Mutex::new(None),
        }
    }
}

/// Turns the errors and panics of the inner service into responses; its `Error` is
/// [`Infallible`]. Built by [`ExceptionHandlerLayer`]; see the [module docs](self).
///
/// `F` is the [`Handlers`] it runs.
#[derive(Debug)]
pub struct ExceptionHandler<S, F = Handlers> {
    inner: S,
    handlers: F,
    /// Whether gRPC calls get the gRPC answers of the handlers.
    grpc: bool,
    /// Why the inner service failed its last `poll_ready`, kept for the next `call` to answer.
    /// A `Mutex` only so the service stays `Sync` (axum asks for it) without `unsafe`: it is
    /// reached through `&mut self` with `get_mut`, never locked.
    unready: Mutex<Option<Unready>>,
}

#[derive(Debug)]
enum Unready {
    /// The inner service's `S::Error`, boxed: the struct cannot name a type that depends on the
    /// request type.
    Error(Box<dyn Any + Send>),
    Panic(Box<dyn Any + Send>),
}

impl<S> ExceptionHandler<S> {
    /// Wraps `inner` with the default handlers; [`ExceptionHandlerLayer`] configures others.
    pub fn new(inner: S) -> Self {
        ExceptionHandlerLayer::new().layer(inner)
    }
}

impl<S, F> ExceptionHandler<S, F> {
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

impl<S: Clone, F: Clone> Clone for ExceptionHandler<S, F> {
    /// A clone starts afresh: a readiness failure belongs to the instance that saw it.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            handlers: self.handlers.clone(),
            grpc: self.grpc,
            unready: Mutex::new(None),
        }
    }
}

impl<S, ReqBody, B, OnErr, OnPanic, OnStatus> Service<Request<ReqBody>>
    for ExceptionHandler<S, Handlers<OnErr, OnPanic, OnStatus>>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    S::Error: Send + 'static,
    Handlers<OnErr, OnPanic, OnStatus>: Clone,
    OnErr: HandleError<S::Error, B>,
    OnPanic: HandlePanic<B>,
    OnStatus: RewriteResponse<B>,
{
    type Response = Response<B>;
    type Error = Infallible;
    type Future = ResponseFuture<S::Future, Handlers<OnErr, OnPanic, OnStatus>, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        let unready = self
            .unready
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if unready.is_none() {
            match catch_unwind(AssertUnwindSafe(|| self.inner.poll_ready(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(Ok(()))) => {}
                Ok(Poll::Ready(Err(error))) => *unready = Some(Unready::Error(Box::new(error))),
                Err(payload) => *unready = Some(Unready::Panic(payload)),
            }
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let grpc = self.grpc && grpc::is_grpc(&request);
        let handlers = &self.handlers;
        let unready = self
            .unready
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        match unready.take() {
            Some(Unready::Panic(payload)) => {
                return ResponseFuture::answered(handlers.panic_response(payload, grpc));
            }
            Some(Unready::Error(error)) => {
                // Fails only if this service also serves another request type, whose
                // `poll_ready` stored a different error type; that one is dropped.
                if let Ok(error) = error.downcast::<S::Error>() {
                    return ResponseFuture::answered(handlers.error_response(*error, grpc));
                }
            }
            None => {}
        }
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => ResponseFuture::running(future, self.handlers.clone(), grpc),
            Err(payload) => ResponseFuture::answered(self.handlers.panic_response(payload, grpc)),
        }
    }
}
