//! The free functions that start a [`MethodRouter`]: [`get`], [`post`], [`on`], [`any`], … and
//! their `*_service` forms.

use http::Method;

use super::method_filter::MethodFilter;
use super::method_router::MethodRouter;
use crate::endpoint::tree::{Nil, Push};
use crate::endpoint::Route;
use crate::handler::{HandlerService, HandlerSignature};

// The free functions are written out, not made by a macro: a wrong handler's error then quotes
// a one-line signature, not the macro's source.

/// A method router with one handler, what every free function below returns.
type OneHandler<X> = MethodRouter<<Nil as Push<X>>::Output>;

/// Routes `GET` (and `HEAD`, unless a `HEAD` handler is given) to `handler`.
#[track_caller]
pub fn get<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::GET, handler)
}

/// Routes `GET` (and `HEAD`, unless a `HEAD` handler is given) to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn get_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::GET, service)
}

/// Routes `POST` to `handler`.
#[track_caller]
pub fn post<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::POST, handler)
}

/// Routes `POST` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn post_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::POST, service)
}

/// Routes `PUT` to `handler`.
#[track_caller]
pub fn put<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::PUT, handler)
}

/// Routes `PUT` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn put_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::PUT, service)
}

/// Routes `DELETE` to `handler`.
#[track_caller]
pub fn delete<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::DELETE, handler)
}

/// Routes `DELETE` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn delete_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::DELETE, service)
}

/// Routes `PATCH` to `handler`.
#[track_caller]
pub fn patch<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::PATCH, handler)
}

/// Routes `PATCH` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn patch_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::PATCH, service)
}

/// Routes `HEAD` to `handler`, instead of answering it with the `GET` handler.
#[track_caller]
pub fn head<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::HEAD, handler)
}

/// Routes `HEAD` to `handler`, instead of answering it with the `GET` handler.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn head_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::HEAD, service)
}

/// Routes `OPTIONS` to `handler`, instead of the automatic `204` with `Allow`.
#[track_caller]
pub fn options<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::OPTIONS, handler)
}

/// Routes `OPTIONS` to `handler`, instead of the automatic `204` with `Allow`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn options_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::OPTIONS, service)
}

/// Routes `TRACE` to `handler`.
#[track_caller]
pub fn trace<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::TRACE, handler)
}

/// Routes `TRACE` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn trace_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::TRACE, service)
}

/// Routes `CONNECT` to `handler`.
#[track_caller]
pub fn connect<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(Method::CONNECT, handler)
}

/// Routes `CONNECT` to `handler`.
///
/// The service form: any `Clone` service with `Error = Infallible`.
#[track_caller]
pub fn connect_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(Method::CONNECT, service)
}

/// Routes `method` to `handler`.
pub fn on<F: HandlerSignature<T>, T>(
    methods: impl Into<MethodFilter>,
    handler: F,
) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().on(methods, handler)
}

/// Routes `methods` — a [`Method`] or a [`MethodFilter`] — to `service`.
pub fn on_service<S>(methods: impl Into<MethodFilter>, service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().on_service(methods, service)
}

/// Routes every method to `handler`.
pub fn any<F: HandlerSignature<T>, T>(handler: F) -> OneHandler<HandlerService<F, T>> {
    MethodRouter::new().any(handler)
}

/// Routes every method to `service`.
pub fn any_service<S>(service: S) -> OneHandler<Route<S>> {
    MethodRouter::new().any_service(service)
}
