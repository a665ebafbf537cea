//! [`MethodRouter`]: one path's handlers, chosen by request method.
//!
//! Besides the handlers it was given, a method router answers on its own:
//! - `HEAD` with the `GET` handler when there is no `HEAD` handler: same status and headers
//!   (a `Content-Length` is set from the `GET` body's exact size when it had none), no body;
//! - `OPTIONS`, when there is no `OPTIONS` handler, with `204 No Content` and an `Allow` header;
//! - any other method with `405 Method Not Allowed` and the `Allow` header.
//!
//! The last two come from [`MethodFallback`], itself an endpoint, so layers given to
//! [`MethodRouter::layer`] or [`Router::layer`](crate::Router::layer) see them too.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::HeaderValue;
use http::{Method, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use super::erased::Endpoint;
use super::future::RouterFuture;
use super::method_filter::MethodFilter;
use super::method_table::{MethodFallback, MethodSet, MethodTable, NONE, STANDARD};
use crate::body::Body;
use crate::endpoint::tree::{EndpointTree, Endpoints, LayerTree, Nil, Push};
use crate::endpoint::{CallContext, EndpointFuture, Route};
use crate::handler::{handler_fn, HandlerService, HandlerSignature};
use crate::params::PathParams;

/// A path's handlers by method. Build one with [`get`], [`post`], [`on`], [`any`], … and chain
/// more: `get(list).post(create)`.
///
/// # Panics
/// Routing the same method twice panics with a message naming the method: two handlers for one
/// method of one path is a bug to catch at start-up, not to settle silently.
pub struct MethodRouter<H = Nil, N = MethodFallback> {
    handlers: H,
    fallback: Route<N>,
    table: MethodTable,
    body_limit: Option<usize>,
}

impl Default for MethodRouter {
    fn default() -> Self {
        Self::new()
    }
}

impl MethodRouter {
    /// A method router with no handlers: every method but `OPTIONS` answers 405.
    pub fn new() -> Self {
        let table = MethodTable {
            standard: [NONE; STANDARD.len()],
            any: NONE,
            extensions: Vec::new(),
            len: 0,
        };
        MethodRouter {
            handlers: Nil,
            fallback: Route(MethodFallback {
                allow: table.allow(),
            }),
            table,
            body_limit: None,
        }
    }
}

macro_rules! method_fns {
    ($($(#[$doc:meta])* $name:ident, $service_name:ident => $method:expr;)*) => {
        impl<H> MethodRouter<H, MethodFallback> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name<F, T>(self, handler: F) -> MethodRouter<H::Output, MethodFallback>
                where
                    H: Push<HandlerService<F, T>>,
                    F: HandlerSignature<T>,
                {
                    self.on($method, handler)
                }

                $(#[$doc])*
                ///
                /// The service form: any `Clone` service with `Error = Infallible`.
                #[track_caller]
                pub fn $service_name<S>(self, service: S) -> MethodRouter<H::Output, MethodFallback>
                where
                    H: Push<Route<S>>,
                {
                    self.on_service($method, service)
                }
            )*
        }

    };
}

method_fns! {
    /// Routes `GET` (and `HEAD`, unless a `HEAD` handler is given) to `handler`.
    get, get_service => Method::GET;
    /// Routes `POST` to `handler`.
    post, post_service => Method::POST;
    /// Routes `PUT` to `handler`.
    put, put_service => Method::PUT;
    /// Routes `DELETE` to `handler`.
    delete, delete_service => Method::DELETE;
    /// Routes `PATCH` to `handler`.
    patch, patch_service => Method::PATCH;
    /// Routes `HEAD` to `handler`, instead of answering it with the `GET` handler.
    head, head_service => Method::HEAD;
    /// Routes `OPTIONS` to `handler`, instead of the automatic `204` with `Allow`.
    options, options_service => Method::OPTIONS;
    /// Routes `TRACE` to `handler`.
    trace, trace_service => Method::TRACE;
    /// Routes `CONNECT` to `handler`.
    connect, connect_service => Method::CONNECT;
}

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

impl<H> MethodRouter<H, MethodFallback> {
    /// Routes `method` to `handler`.
    #[track_caller]
    pub fn on<F, T>(
        mut self,
        methods: impl Into<MethodFilter>,
        handler: F,
    ) -> MethodRouter<H::Output, MethodFallback>
    where
        H: Push<HandlerService<F, T>>,
        F: HandlerSignature<T>,
    {
        self.table.route_all(methods.into().methods());
        self.push(handler_fn(handler))
    }

    /// Routes `method` to `service`.
    ///
    /// # Panics
    /// When `method` is already routed on this path.
    #[track_caller]
    pub fn on_service<S>(
        mut self,
        methods: impl Into<MethodFilter>,
        service: S,
    ) -> MethodRouter<H::Output, MethodFallback>
    where
        H: Push<Route<S>>,
    {
        self.table.route_all(methods.into().methods());
        self.push(Route(service))
    }

    /// Routes every method without a handler of its own to `handler`.
    #[track_caller]
    pub fn any<F, T>(mut self, handler: F) -> MethodRouter<H::Output, MethodFallback>
    where
        H: Push<HandlerService<F, T>>,
        F: HandlerSignature<T>,
    {
        self.table.route_any();
        self.push(handler_fn(handler))
    }

    /// Routes every method without a handler of its own to `service`.
    ///
    /// # Panics
    /// When `any` is already routed on this path.
    #[track_caller]
    pub fn any_service<S>(mut self, service: S) -> MethodRouter<H::Output, MethodFallback>
    where
        H: Push<Route<S>>,
    {
        self.table.route_any();
        self.push(Route(service))
    }

    #[track_caller]
    fn push<X>(self, endpoint: X) -> MethodRouter<H::Output, MethodFallback>
    where
        H: Push<X>,
    {
        let allow = self.table.allow();
        MethodRouter {
            handlers: self.handlers.push(endpoint),
            fallback: Route(MethodFallback { allow }),
            table: self.table,
            body_limit: self.body_limit,
        }
    }
}

impl<H, N> MethodRouter<H, N> {
    /// Wraps every handler of this path, and its `405`/`OPTIONS` answers, in `layer`.
    pub fn layer<L>(self, layer: L) -> MethodRouter<H::Output, L::Service>
    where
        H: LayerTree<L>,
        L: Layer<N>,
    {
        MethodRouter {
            handlers: self.handlers.layer_tree(&layer),
            fallback: Route(layer.layer(self.fallback.0)),
            table: self.table,
            body_limit: self.body_limit,
        }
    }

    /// Wraps every handler of this path in `layer`, but not its `405`/`OPTIONS` answers: for
    /// middleware that must see only requests a handler takes (an auth layer that must not turn
    /// a `405` into a `401`), as axum's `MethodRouter::route_layer`.
    pub fn route_layer<L>(self, layer: L) -> MethodRouter<H::Output, N>
    where
        H: LayerTree<L>,
    {
        MethodRouter {
            handlers: self.handlers.layer_tree(&layer),
            fallback: self.fallback,
            table: self.table,
            body_limit: self.body_limit,
        }
    }

    /// The most bytes the body extractors of this path read before answering `413` (the router's
    /// limit otherwise, 2 MiB unless set: [`Router::body_limit`](crate::Router::body_limit)).
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = Some(limit);
        self
    }

    /// The value of the `Allow` header this path answers with.
    pub fn allowed_methods(&self) -> HeaderValue {
        self.table.allow()
    }
}

impl<H: Clone, N: Clone> Clone for MethodRouter<H, N> {
    fn clone(&self) -> Self {
        MethodRouter {
            handlers: self.handlers.clone(),
            fallback: self.fallback.clone(),
            table: self.table.clone(),
            body_limit: self.body_limit,
        }
    }
}

impl<H, N> fmt::Debug for MethodRouter<H, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MethodRouter")
            .field("allow", &self.table.allow())
            .finish_non_exhaustive()
    }
}

impl<H, N> EndpointTree for MethodRouter<H, N> {
    const LEN: usize = 1;
}

impl<L, H, N> LayerTree<L> for MethodRouter<H, N>
where
    H: LayerTree<L>,
    L: Layer<N> + Clone,
{
    type Output = MethodRouter<H::Output, L::Service>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        self.layer(layer.clone())
    }
}

impl<B, S, H, N> Endpoint<B, S> for MethodRouter<H, N>
where
    H: Endpoints<B, S> + Send + Sync + 'static,
    Route<N>: Endpoints<B, S>,
    N: Send + Sync + 'static,
    B: 'static,
    S: Clone + Send + Sync + 'static,
{
    #[inline]
    fn call(&self, req: Request<B>, mut cx: CallContext<'_, S>) -> EndpointFuture {
        if let Some(limit) = self.body_limit {
            cx.body_limit = limit;
        }
        match self.table.handler_for(req.method()) {
            Some((index, head)) => self.handlers.call_at(index, req, cx, head),
            None => {
                let head = req.method() == Method::HEAD;
                self.fallback.call_at(0, req, cx, head)
            }
        }
    }

    fn methods(&self) -> Option<&MethodSet> {
        Some(&self.table)
    }

    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        super::erased::with_state(self, state)
    }
}

/// A method router alone, as a `tower::Service`, with no state (`()`): for a router's fallback, or
/// to serve one path's methods without a router.
impl<B, H, N> Service<Request<B>> for MethodRouter<H, N>
where
    Self: Endpoint<B, ()>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = RouterFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        let params = req.extensions().get::<PathParams>().cloned();
        let cx = CallContext {
            state: &(),
            route: params.as_ref().map(PathParams::parts),
            body_limit: crate::extract::DEFAULT_BODY_LIMIT,
        };
        RouterFuture::new(Endpoint::call(self, req, cx))
    }
}
