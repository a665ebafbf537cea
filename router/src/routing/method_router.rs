//! [`MethodRouter`]: one path's handlers, chosen by request method.
//!
//! Besides the handlers it was given, a method router answers on its own:
//! - `HEAD` with the `GET` handler when there is no `HEAD` handler: same status and headers
//!   (a `Content-Length` is set from the `GET` body's exact size when it had none), no body;
//! - `OPTIONS`, when there is no `OPTIONS` handler, with `204 No Content` and an `Allow` header;
//! - any other method with `405 Method Not Allowed` and the `Allow` header.
//!
//! The last two come from [`MethodFallback`], itself an endpoint, so layers given to
//! [`MethodRouter::layer`] or [`Router::layer`](crate::Router::layer) see them too. A fallback of
//! the user's ([`MethodRouter::fallback`]) answers them instead.

use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::HeaderValue;
use http::{Method, Request, Response};
use tower_service::Service;

use super::erased::Endpoint;
use super::future::RouterFuture;
use super::method_filter::MethodFilter;
use super::method_table::{FreshAllow, MethodFallback, MethodSet, MethodTable};
use crate::body::Body;
use crate::endpoint::tree::{EndpointTree, Endpoints, LayerTree, Nil, Push, D1};
use crate::endpoint::{CallContext, EndpointFuture, MergedFallback, Route};
use crate::handler::{handler_fn, HandlerService, HandlerSignature};
use crate::params::PathParams;

/// A path's handlers by method. Build one with [`get`](crate::get), [`post`](crate::post),
/// [`on`](crate::on), [`any`](crate::any), … and chain more: `get(list).post(create)`.
///
/// `H` is the handlers' types, `N` the fallback's (the `405`/`OPTIONS` answers unless
/// [`fallback`](MethodRouter::fallback) set one), so method dispatch is static.
///
/// # Panics
/// Routing the same method twice panics with a message naming the method: two handlers for one
/// method of one path is a bug to catch at start-up, not to settle silently.
pub struct MethodRouter<H = Nil, N = Route<MethodFallback>> {
    pub(super) handlers: H,
    pub(super) fallback: N,
    pub(super) table: MethodTable,
    pub(super) body_limit: Option<usize>,
    /// The path's `Allow`, when the default fallback holds an older one it cannot be given
    /// (it is under a layer): its answers get this one instead.
    pub(super) stale_allow: Option<HeaderValue>,
}

impl Default for MethodRouter {
    fn default() -> Self {
        Self::new()
    }
}

impl MethodRouter {
    /// A method router whose first handler, of type `X`, is routed on `methods`: what every
    /// free function (`get(h)`, `on(filter, h)`, …) builds. The table and the fallback's `Allow`
    /// are made by [`routing`](Self::routing), once for every handler type; only the placing of
    /// the handler is built per type.
    #[inline]
    #[track_caller]
    pub(super) fn first<X>(methods: MethodFilter, endpoint: X) -> MethodRouter<D1<X, Nil>> {
        MethodRouter::routing(methods).place(endpoint)
    }

    /// The same for every method without a handler of its own (`any(h)`).
    #[inline]
    pub(super) fn first_any<X>(endpoint: X) -> MethodRouter<D1<X, Nil>> {
        MethodRouter::routing_any().place(endpoint)
    }

    /// A method router with no handlers yet whose table routes `methods` to the first, its
    /// fallback's `Allow` already saying so.
    #[inline(never)]
    #[track_caller]
    fn routing(methods: MethodFilter) -> MethodRouter {
        let mut router = MethodRouter::new();
        router.table.route_all(methods.methods());
        router.refresh_allow();
        router
    }

    #[inline(never)]
    fn routing_any() -> MethodRouter {
        let mut router = MethodRouter::new();
        router.table.route_any();
        router.refresh_allow();
        router
    }

    /// This router, its table already routing the first handler's methods, with that handler.
    #[inline]
    fn place<X>(self, endpoint: X) -> MethodRouter<D1<X, Nil>> {
        let MethodRouter {
            handlers: Nil,
            fallback,
            table,
            body_limit,
            stale_allow,
        } = self;
        MethodRouter {
            handlers: D1(endpoint, Nil),
            fallback,
            table,
            body_limit,
            stale_allow,
        }
    }

    /// A method router with no handlers: every method but `OPTIONS` answers 405.
    pub fn new() -> Self {
        let table = MethodTable::empty();
        MethodRouter {
            handlers: Nil,
            fallback: Route(MethodFallback {
                allow: table.allow(),
            }),
            table,
            body_limit: None,
            stale_allow: None,
        }
    }
}

macro_rules! method_fns {
    ($($(#[$doc:meta])* $name:ident, $service_name:ident => $method:expr;)*) => {
        impl<H, N: 'static> MethodRouter<H, N> {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name<F, T>(self, handler: F) -> MethodRouter<H::Output, N>
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
                pub fn $service_name<S>(self, service: S) -> MethodRouter<H::Output, N>
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

impl<H, N: 'static> MethodRouter<H, N> {
    /// Routes `method` to `handler`.
    #[track_caller]
    pub fn on<F, T>(
        mut self,
        methods: impl Into<MethodFilter>,
        handler: F,
    ) -> MethodRouter<H::Output, N>
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
    ) -> MethodRouter<H::Output, N>
    where
        H: Push<Route<S>>,
    {
        self.table.route_all(methods.into().methods());
        self.push(Route(service))
    }

    /// Routes every method without a handler of its own to `handler`.
    #[track_caller]
    pub fn any<F, T>(mut self, handler: F) -> MethodRouter<H::Output, N>
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
    pub fn any_service<S>(mut self, service: S) -> MethodRouter<H::Output, N>
    where
        H: Push<Route<S>>,
    {
        self.table.route_any();
        self.push(Route(service))
    }

    #[track_caller]
    fn push<X>(self, endpoint: X) -> MethodRouter<H::Output, N>
    where
        H: Push<X>,
    {
        let mut router = MethodRouter {
            handlers: self.handlers.push(endpoint),
            fallback: self.fallback,
            table: self.table,
            body_limit: self.body_limit,
            stale_allow: self.stale_allow,
        };
        router.refresh_allow();
        router
    }

    /// Gives the default fallback the path's `Allow` after its methods changed. The fallback is
    /// a [`MethodFallback`] (or two, after a merge) unless a layer wraps it: then its answers
    /// get the header on their way out ([`FreshAllow`]).
    pub(super) fn refresh_allow(&mut self) {
        refresh_allow(&self.table, &mut self.fallback, &mut self.stale_allow);
    }
}

/// [`MethodRouter::refresh_allow`], built once for every method router: through `dyn Any`, it
/// does not depend on the handlers' or the fallback's types.
#[inline(never)]
fn refresh_allow(
    table: &MethodTable,
    fallback: &mut dyn Any,
    stale_allow: &mut Option<HeaderValue>,
) {
    if table.fallback {
        // The user's fallback answers with its own headers.
        return;
    }
    let allow = table.allow();
    let plain = if let Some(Route(plain)) = fallback.downcast_mut::<Route<MethodFallback>>() {
        plain.allow = allow.clone();
        true
    } else if let Some(pair) = fallback.downcast_mut::<DefaultPair>() {
        pair.first.0.allow = allow.clone();
        pair.second.0.allow = allow.clone();
        true
    } else {
        false
    };
    *stale_allow = (!plain).then_some(allow);
}

/// Two default fallbacks merged, the one shape besides a lone [`MethodFallback`] whose `Allow`
/// can be set in place.
type DefaultPair = MergedFallback<Route<MethodFallback>, Route<MethodFallback>>;

impl<H, N> MethodRouter<H, N> {
    /// Wraps every handler of this path, and its `405`/`OPTIONS` answers (or its
    /// [`fallback`](MethodRouter::fallback)), in `layer`. Handlers added afterwards are not
    /// wrapped, as in axum.
    pub fn layer<L>(self, layer: L) -> MethodRouter<H::Output, N::Output>
    where
        H: LayerTree<L>,
        N: LayerTree<L>,
    {
        MethodRouter {
            handlers: self.handlers.layer_tree(&layer),
            fallback: self.fallback.layer_tree(&layer),
            table: self.table,
            body_limit: self.body_limit,
            stale_allow: self.stale_allow,
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
            stale_allow: self.stale_allow,
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
            stale_allow: self.stale_allow.clone(),
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
    N: LayerTree<L>,
    L: Clone,
{
    type Output = MethodRouter<H::Output, N::Output>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        self.layer(layer.clone())
    }
}

impl<B, S, H, N> Endpoint<B, S> for MethodRouter<H, N>
where
    H: Endpoints<B, S> + Send + Sync + 'static,
    N: Endpoints<B, S> + Send + Sync + 'static,
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
            None => call_fallback(&self.fallback, self.stale_allow.as_ref(), req, cx),
        }
    }

    fn methods(&self) -> Option<&MethodSet> {
        Some(&self.table)
    }

    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        super::erased::with_state(self, state)
    }
}

/// A method the path does not route, answered by its fallback: out of line and generic over the
/// fallback alone, so that every path with the default fallback shares one copy.
#[inline(never)]
fn call_fallback<N: Endpoints<B, S>, B, S>(
    fallback: &N,
    stale_allow: Option<&HeaderValue>,
    req: Request<B>,
    cx: CallContext<'_, S>,
) -> EndpointFuture {
    let head = req.method() == Method::HEAD;
    match stale_allow {
        None => fallback.call_at(0, req, cx, head),
        Some(allow) => EndpointFuture::new(FreshAllow::new(
            fallback.call_at(0, req, cx, head),
            allow.clone(),
        )),
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
        let params = crate::request_params::params_in(req.extensions()).cloned();
        let cx = CallContext {
            state: &(),
            route: params.as_ref().map(PathParams::parts),
            body_limit: crate::extract::DEFAULT_BODY_LIMIT,
        };
        RouterFuture::new(Endpoint::call(self, req, cx))
    }
}
