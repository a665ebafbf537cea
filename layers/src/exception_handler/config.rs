//! The three handlers of an [`ExceptionHandler`](super::ExceptionHandler): what turns an error, a
//! panic or an error-status response into the response sent.
//!
//! Each is a one-method trait implemented for closures and for a unit struct holding the default,
//! so the layer's type names exactly the handlers it runs and calls them without a vtable.

use std::any::Any;
use std::fmt::Display;

use http::{Response, StatusCode};

use crate::grpc::{self, GrpcFailure};

/// The handlers of an [`ExceptionHandler`](super::ExceptionHandler), as configured on its
/// [`ExceptionHandlerLayer`](super::ExceptionHandlerLayer).
///
/// Cloned into each request's future, as tower-http does with its callbacks: the defaults and
/// closures capturing nothing are zero-sized and clone for free; a closure that needs application
/// state should capture it behind an [`Arc`](std::sync::Arc), so a clone is a reference-count
/// increment, never an allocation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Handlers<
    OnErr = DefaultErrorHandler,
    OnPanic = DefaultPanicHandler,
    OnStatus = KeepResponse,
> {
    pub(super) on_error: OnErr,
    pub(super) on_panic: OnPanic,
    pub(super) on_status: OnStatus,
}

impl<OnErr, OnPanic, OnStatus> Handlers<OnErr, OnPanic, OnStatus> {
    /// The answer to `error`, the gRPC one for a gRPC call.
    pub(super) fn error_response<E, B>(&self, error: E, grpc: bool) -> Response<B>
    where
        OnErr: HandleError<E, B>,
    {
        if grpc {
            self.on_error.handle_grpc_error(error)
        } else {
            self.on_error.handle_error(error)
        }
    }

    /// The answer to a panic, the gRPC one for a gRPC call.
    pub(super) fn panic_response<B>(&self, payload: Box<dyn Any + Send>, grpc: bool) -> Response<B>
    where
        OnPanic: HandlePanic<B>,
    {
        if grpc {
            self.on_panic.handle_grpc_panic(payload)
        } else {
            self.on_panic.handle_panic(payload)
        }
    }
}

/// Turns an error of the inner service into a response.
///
/// Implemented for every `Fn(E) -> Response<B>` and for [`DefaultErrorHandler`].
pub trait HandleError<E, B> {
    /// The response sent in place of `error`.
    fn handle_error(&self, error: E) -> Response<B>;

    /// The response sent in place of `error` when the request was a gRPC call and the layer
    /// answers those the gRPC way ([`grpc`](super::ExceptionHandlerLayer::grpc), on by
    /// default). The same as [`handle_error`](Self::handle_error) unless overridden:
    /// a handler you write answers gRPC calls as you wrote it. [`DefaultErrorHandler`]
    /// overrides it.
    fn handle_grpc_error(&self, error: E) -> Response<B> {
        self.handle_error(error)
    }
}

impl<E, B, F> HandleError<E, B> for F
where
    F: Fn(E) -> Response<B>,
{
    fn handle_error(&self, error: E) -> Response<B> {
        self(error)
    }
}

/// Logs the error with `tracing::error!` (target `silent_tower::exception`, the error's
/// `Display` in the field `error`) and answers `500 Internal Server Error` with an empty body —
/// or, for a gRPC call, gRPC's `INTERNAL`: HTTP `200`, `content-type: application/grpc`,
/// `grpc-status: 13`, `grpc-message: internal error`, empty body.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultErrorHandler;

impl<E, B> HandleError<E, B> for DefaultErrorHandler
where
    E: Display,
    B: Default,
{
    fn handle_error(&self, error: E) -> Response<B> {
        tracing::error!(
            target: "silent_tower::exception",
            error = %error,
            "inner service failed; answering 500",
        );
        internal_server_error()
    }

    fn handle_grpc_error(&self, error: E) -> Response<B> {
        tracing::error!(
            target: "silent_tower::exception",
            error = %error,
            "inner service failed; answering gRPC INTERNAL",
        );
        grpc::answer(GrpcFailure::Error)
    }
}

/// Turns the payload of a panic caught in the inner service into a response.
///
/// Implemented for every `Fn(Box<dyn Any + Send>) -> Response<B>` and for
/// [`DefaultPanicHandler`]. [`panic_message`](super::panic_message) reads the message out of
/// the payload.
pub trait HandlePanic<B> {
    /// The response sent in place of the panicked request.
    fn handle_panic(&self, payload: Box<dyn Any + Send>) -> Response<B>;

    /// The response sent in place of a panicked gRPC call when the layer answers those the
    /// gRPC way ([`grpc`](super::ExceptionHandlerLayer::grpc), on by default). The same as
    /// [`handle_panic`](Self::handle_panic) unless overridden, as [`DefaultPanicHandler`] does.
    fn handle_grpc_panic(&self, payload: Box<dyn Any + Send>) -> Response<B> {
        self.handle_panic(payload)
    }
}

impl<B, F> HandlePanic<B> for F
where
    F: Fn(Box<dyn Any + Send>) -> Response<B>,
{
    fn handle_panic(&self, payload: Box<dyn Any + Send>) -> Response<B> {
        self(payload)
    }
}

/// Logs the panic message with `tracing::error!` (target `silent_tower::exception`, field
/// `panic`) and answers `500 Internal Server Error` with an empty body — or, for a gRPC call,
/// gRPC's `INTERNAL`: HTTP `200`, `content-type: application/grpc`, `grpc-status: 13`,
/// `grpc-message: internal error (panic)`, empty body. The panic message itself is logged,
/// never sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultPanicHandler;

impl<B: Default> HandlePanic<B> for DefaultPanicHandler {
    fn handle_panic(&self, payload: Box<dyn Any + Send>) -> Response<B> {
        log_panic(&*payload, "inner service panicked; answering 500");
        internal_server_error()
    }

    fn handle_grpc_panic(&self, payload: Box<dyn Any + Send>) -> Response<B> {
        log_panic(&*payload, "inner service panicked; answering gRPC INTERNAL");
        grpc::answer(GrpcFailure::Panic)
    }
}

fn log_panic(payload: &(dyn Any + Send), what: &'static str) {
    // What the standard panic hook prints for a payload that is not a string.
    let message = super::panic_message(payload).unwrap_or("Box<dyn Any>");
    tracing::error!(target: "silent_tower::exception", panic = message, "{what}");
}

/// Rewrites a response of the inner service whose status is an error (`4xx` or `5xx`), e.g.
/// into a JSON problem body. Never sees successful responses, nor those made by the error and
/// panic handlers.
///
/// Implemented for every `Fn(Response<B>) -> Response<B>` and for [`KeepResponse`].
pub trait RewriteResponse<B> {
    /// The response sent in place of `response`.
    fn rewrite_response(&self, response: Response<B>) -> Response<B>;
}

impl<B, F> RewriteResponse<B> for F
where
    F: Fn(Response<B>) -> Response<B>,
{
    fn rewrite_response(&self, response: Response<B>) -> Response<B> {
        self(response)
    }
}

/// Leaves error-status responses as they are; the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepResponse;

impl<B> RewriteResponse<B> for KeepResponse {
    fn rewrite_response(&self, response: Response<B>) -> Response<B> {
        response
    }
}

fn internal_server_error<B: Default>() -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
