//! What [`serve`](super::serve) checks a service against, one trait per part that can fail to
//! fit — the request it takes, the response it gives, its error — so that a layer stack that
//! does not fit is refused where it is given to `serve`, with an error that says which part
//! does not fit and names its type, instead of "`Serve<…>` is not a future" at the `.await`.
//!
//! Each trait has two impls: the one that holds when the part fits, and one for types that
//! implement a private trait no type implements. A type that fits picks the first (and a
//! generic caller whose bounds say it fits, too); one that does not fails both, and then the
//! compiler reports the trait itself, with its `on_unimplemented` message, rather than the
//! first bound of the one impl it would otherwise have picked. The second parameter of each
//! trait tells the impls apart; `serve` infers it, and no type outside this module can name
//! one, so the traits are sealed.

use http::{Request, Response};
use tower_service::Service;

use super::BoxError;

// With `http3`, `serve` checks nothing itself: the request body is chosen after it.
#[cfg(not(feature = "http3"))]
pub(super) use sealed::Marker;

mod sealed {
    /// The impl that holds when the part fits.
    #[derive(Debug)]
    pub enum Fits {}
    /// The impl that never holds: it exists so that the compiler reports the trait's own
    /// message when the first fails.
    #[derive(Debug)]
    pub enum Never {}
    /// Implemented by no type.
    pub trait Unimplemented {}
    /// The markers above, and nothing else: the traits cannot be implemented elsewhere.
    pub trait Marker {}
    impl Marker for Fits {}
    impl Marker for Never {}
}

/// A service `serve` can call with the requests it reads: `Service<http::Request<ReqB>>`, where
/// `ReqB` is hyper's `Incoming`. Sealed; every such service implements it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be served: it does not take the request `serve` gives, \
               `http::Request<{ReqB}>`",
    label = "not a `Service<http::Request<{ReqB}>>`",
    note = "a layer that changes the request body (a body limit, a decompression) makes the \
            service under it take the changed body: build that router for it \
            (`Router::<(), NewBody>::with_body()`), or map the body back before the router",
    note = "`serve` calls its service with `http::Request<{ReqB}>`: a `Router` built with \
            `Router::new()`, or a service of that request, fits",
    note = "`serve` takes the service, not a make-service: for axum's \
            `into_make_service_with_connect_info::<SocketAddr>()`, serve the router itself with \
            `serve(listener, app).with_peer_addr()`, which gives `ConnectInfo<SocketAddr>`"
)]
pub trait ServeService<ReqB, M: sealed::Marker> {
    /// The service's response.
    type Response;
    /// The service's error.
    type Error;
    /// The service's future.
    type Future;
}

impl<S, ReqB> ServeService<ReqB, sealed::Fits> for S
where
    S: Service<Request<ReqB>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;
}

impl<S, ReqB> ServeService<ReqB, sealed::Never> for S
where
    S: sealed::Unimplemented,
{
    type Response = Response<String>;
    type Error = BoxError;
    type Future = std::future::Pending<()>;
}

/// A response `serve` can send: `http::Response<B>` whose body `B` is an `http_body::Body +
/// Send + 'static`, with `Send` data and an error that converts into a boxed error. Sealed.
#[diagnostic::on_unimplemented(
    message = "the service's response `{Self}` cannot be served: its body is not an \
               `http_body::Body + Send + 'static`",
    label = "the response body of this service does not fit `serve`",
    note = "`serve` sends an `http::Response<B>` whose `B` implements `http_body::Body`, is \
            `Send + 'static`, has `Send` data and an error that converts into \
            `Box<dyn Error + Send + Sync>`: the router's `Body` is one; a layer that changes \
            the response body must give one too"
)]
pub trait ServeResponse<M: sealed::Marker> {}

impl<B> ServeResponse<sealed::Fits> for Response<B>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
}

impl<T: sealed::Unimplemented> ServeResponse<sealed::Never> for T {}

/// An error `serve` can handle: one that converts into a boxed error. Sealed.
#[diagnostic::on_unimplemented(
    message = "the service's error `{Self}` cannot be served: it does not convert into \
               `Box<dyn Error + Send + Sync>`",
    label = "the error of this service does not fit `serve`",
    note = "on a service error hyper closes the connection, so prefer a service that cannot \
            fail (a `Router` cannot); otherwise turn the error into a response \
            (`HandleErrorLayer`), or into a type that implements `std::error::Error + Send + \
            Sync`"
)]
pub trait ServeError<M: sealed::Marker> {}

impl<E: Into<BoxError>> ServeError<sealed::Fits> for E {}

impl<T: sealed::Unimplemented> ServeError<sealed::Never> for T {}
