//! The free functions that start a [`MethodRouter`]: [`get`], [`post`], [`on`], [`any`], … and
//! their `*_service` forms.

use super::method_filter::MethodFilter;
use super::method_router::MethodRouter;
use crate::endpoint::tree::{Nil, Push};
use crate::endpoint::Route;
use crate::handler::{handler_fn, HandlerService, HandlerSignature};

// The free functions are written out, not made by a macro: a wrong handler's error then quotes
// a one-line signature, not the macro's source.

/// A method router with one handler, what every free function below returns.
type OneHandler<X> = MethodRouter<<Nil as Push<X>>::Output>;

/// Routes `GET` (and `HEAD`, unless a `HEAD` handler is given) to `handler`.
#[track_caller]
pub fn get<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::GET, handler_fn(handler))
}

/// Routes `GET` (and `HEAD`, unless a `HEAD` handler is given) to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn get_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::GET, Route(service))
}

/// Routes `POST` to `handler`.
#[track_caller]
pub fn post<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::POST, handler_fn(handler))
}

/// Routes `POST` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn post_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::POST, Route(service))
}

/// Routes `PUT` to `handler`.
#[track_caller]
pub fn put<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::PUT, handler_fn(handler))
}

/// Routes `PUT` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn put_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::PUT, Route(service))
}

/// Routes `DELETE` to `handler`.
#[track_caller]
pub fn delete<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::DELETE, handler_fn(handler))
}

/// Routes `DELETE` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn delete_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::DELETE, Route(service))
}

/// Routes `PATCH` to `handler`.
#[track_caller]
pub fn patch<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::PATCH, handler_fn(handler))
}

/// Routes `PATCH` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn patch_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::PATCH, Route(service))
}

/// Routes `HEAD` to `handler`, instead of answering it with the `GET` handler.
#[track_caller]
pub fn head<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::HEAD, handler_fn(handler))
}

/// Routes `HEAD` to `handler`, instead of answering it with the `GET` handler.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn head_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::HEAD, Route(service))
}

/// Routes `OPTIONS` to `handler`, instead of the automatic `204` with `Allow`.
#[track_caller]
pub fn options<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::OPTIONS, handler_fn(handler))
}

/// Routes `OPTIONS` to `handler`, instead of the automatic `204` with `Allow`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn options_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::OPTIONS, Route(service))
}

/// Routes `TRACE` to `handler`.
#[track_caller]
pub fn trace<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::TRACE, handler_fn(handler))
}

/// Routes `TRACE` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn trace_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::TRACE, Route(service))
}

/// Routes `CONNECT` to `handler`.
#[track_caller]
pub fn connect<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(MethodFilter::CONNECT, handler_fn(handler))
}

/// Routes `CONNECT` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn connect_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(MethodFilter::CONNECT, Route(service))
}

/// Routes `method` to `handler`.
pub fn on<F: HandlerSignature<T>, T>(
    methods: impl Into<MethodFilter>,
    handler: F,
) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first(methods.into(), handler_fn(handler))
}

/// Routes `methods` — a [`Method`](http::Method) or a [`MethodFilter`] — to `service`.
pub fn on_service<S>(methods: impl Into<MethodFilter>, service: S) -> OneHandler<Route<S>> {
    MethodRouter::first(methods.into(), Route(service))
}

/// Routes every method to `handler`.
pub fn any<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::first_any(handler_fn(handler))
}

/// Routes every method to `service`.
pub fn any_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::first_any(Route(service))
}
