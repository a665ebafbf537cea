//! silent's four layers in one, stacked in the one order in which every answer comes out
//! complete: [`SilentLayer`].
//!
//! Outermost first:
//!
//! 1. [`RequestTimeLoggerLayer`] logs the final status of every request, the answers of the
//!    layers below included;
//! 2. [`CorsLayer`] adds its headers to every answer below it — a panic's `500` and a timeout's
//!    `408` too. Put it inside the exception handler instead and a panicking handler's `500`
//!    leaves without `Access-Control-Allow-Origin`: the browser then reports a CORS error and
//!    hides the real one;
//! 3. [`ExceptionHandlerLayer`] turns the errors and panics of everything below into responses,
//!    so the stack's error is `Infallible`;
//! 4. [`TimeoutLayer`], closest to the handler.
//!
//! ```
//! use std::time::Duration;
//!
//! use http::{header, Request, Response, StatusCode};
//! use silent_tower_layers::cors::CorsLayer;
//! use silent_tower_layers::silent::SilentLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let silent = SilentLayer::new(
//!     CorsLayer::new().origin("https://app.example"),
//!     Duration::from_secs(10),
//! );
//! let app = ServiceBuilder::new()
//!     .layer(silent)
//!     .service_fn(|_: Request<()>| async {
//!         panic!("bug");
//!         #[allow(unreachable_code)]
//!         Ok::<_, std::convert::Infallible>(Response::new(String::new()))
//!     });
//!
//! let request = Request::get("/")
//!     .header(header::ORIGIN, "https://app.example")
//!     .body(())
//!     .unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
//! // The browser lets the page read the 500.
//! assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example");
//! # }
//! ```
//!
//! # Why a layer, not a `ServiceBuilder` extension
//!
//! A `ServiceBuilder` extension method would stack the same four, but its result is a
//! `ServiceBuilder<Stack<…>>` that must be finished with `.service(..)` on the spot. A
//! [`SilentLayer`] is an ordinary [`Layer`] value: it goes straight into axum's
//! `Router::layer`, tonic's `Server::layer` or a `ServiceBuilder`, it can be stored in a
//! struct, and the service it makes has a name, [`Silent`], to write in signatures. Its
//! `layer` is the four layers' `layer` calls in order; [`Silent`] is their services nested, so
//! a request costs exactly what the four cost stacked by hand.

#[cfg(test)]
mod tests;

use std::time::Duration;

use tower_layer::Layer;

use crate::cors::{Cors, CorsLayer};
use crate::exception_handler::{
    DefaultErrorHandler, DefaultPanicHandler, ExceptionHandler, ExceptionHandlerLayer, Handlers,
    KeepResponse,
};
use crate::request_time_logger::{RequestTimeLogger, RequestTimeLoggerLayer};
use crate::timeout::{Respond, Timeout, TimeoutLayer};

/// The service a [`SilentLayer`] makes: the four services nested, logger outermost.
///
/// Its future is the logger's named future around the CORS future around the exception
/// handler's around the timeout's: no box anywhere.
pub type Silent<
    S,
    OnErr = DefaultErrorHandler,
    OnPanic = DefaultPanicHandler,
    OnStatus = KeepResponse,
    P = Respond,
> = RequestTimeLogger<Cors<ExceptionHandler<Timeout<S, P>, Handlers<OnErr, OnPanic, OnStatus>>>>;

/// silent's logger, CORS, exception handler and timeout as one [`Layer`], in the order that
/// gives every answer its CORS headers and its log line; see the [module docs](self).
///
/// Its type parameters are those of the [`ExceptionHandlerLayer`] and the [`TimeoutLayer`] it
/// holds.
#[derive(Clone, Debug)]
pub struct SilentLayer<
    OnErr = DefaultErrorHandler,
    OnPanic = DefaultPanicHandler,
    OnStatus = KeepResponse,
    P = Respond,
> {
    logger: RequestTimeLoggerLayer,
    cors: CorsLayer,
    exception_handler: ExceptionHandlerLayer<OnErr, OnPanic, OnStatus>,
    timeout: TimeoutLayer<P>,
}

impl SilentLayer {
    /// The four layers with `cors` and a [`TimeoutLayer::new(timeout)`](TimeoutLayer::new);
    /// the logger and the exception handler with their defaults. Replace any of them with
    /// [`exception_handler`](Self::exception_handler), [`timeout`](Self::timeout),
    /// [`cors`](Self::cors) and [`logger`](Self::logger).
    pub fn new(cors: CorsLayer, timeout: Duration) -> Self {
        Self::from_layers(
            RequestTimeLoggerLayer::new(),
            cors,
            ExceptionHandlerLayer::new(),
            TimeoutLayer::new(timeout),
        )
    }
}

impl<OnErr, OnPanic, OnStatus, P> SilentLayer<OnErr, OnPanic, OnStatus, P> {
    /// The four layers as configured, in the order of the arguments, outermost first.
    pub fn from_layers(
        logger: RequestTimeLoggerLayer,
        cors: CorsLayer,
        exception_handler: ExceptionHandlerLayer<OnErr, OnPanic, OnStatus>,
        timeout: TimeoutLayer<P>,
    ) -> Self {
        Self {
            logger,
            cors,
            exception_handler,
            timeout,
        }
    }

    /// Replaces the request-time logger.
    pub fn logger(self, logger: RequestTimeLoggerLayer) -> Self {
        Self { logger, ..self }
    }

    /// Replaces the CORS layer.
    pub fn cors(self, cors: CorsLayer) -> Self {
        Self { cors, ..self }
    }

    /// Replaces the exception handler, e.g. with one that has its own handlers.
    pub fn exception_handler<E, Pn, St>(
        self,
        exception_handler: ExceptionHandlerLayer<E, Pn, St>,
    ) -> SilentLayer<E, Pn, St, P> {
        SilentLayer {
            logger: self.logger,
            cors: self.cors,
            exception_handler,
            timeout: self.timeout,
        }
    }

    /// Replaces the timeout, e.g. with one that answers another status.
    pub fn timeout<Q>(self, timeout: TimeoutLayer<Q>) -> SilentLayer<OnErr, OnPanic, OnStatus, Q> {
        SilentLayer {
            logger: self.logger,
            cors: self.cors,
            exception_handler: self.exception_handler,
            timeout,
        }
    }
}

impl<S, OnErr, OnPanic, OnStatus, P> Layer<S> for SilentLayer<OnErr, OnPanic, OnStatus, P>
where
    Handlers<OnErr, OnPanic, OnStatus>: Clone,
    P: Clone,
{
    type Service = Silent<S, OnErr, OnPanic, OnStatus, P>;

    fn layer(&self, inner: S) -> Self::Service {
        let timeout = self.timeout.layer(inner);
        let exception_handler = self.exception_handler.layer(timeout);
        let cors = self.cors.layer(exception_handler);
        self.logger.layer(cors)
    }
}
