//! [`Router::layer`], [`Router::route_layer`] and the fallbacks.

use std::convert::Infallible;
use std::sync::Arc;

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use super::erased::{Endpoint, SharedEndpoint};
use super::method_table::MethodSet;
use super::route_service::RouteService;
use super::router::{refused, Router};
use super::service::{HandlerEndpoint, LayeredEndpoint, ServiceEndpoint};
use super::table::EntryKind;
use crate::body::BoxError;
use crate::endpoint::{CallContext, EndpointFuture};
use crate::error::RouteError;
use crate::handler::{handler_fn, Handler, HandlerSignature};

impl<S: Clone + Send + Sync + 'static, B: Send + 'static> Router<S, B> {
    /// Wraps every route added so far, and the fallback, in `layer`, as axum's `Router::layer`
    /// does, and returns the router: routes added afterwards are not wrapped. Each route keeps
    /// its own `405`/`OPTIONS` answers inside the layer, so a CORS layer answers preflights.
    ///
    /// The layer sees each route as a [`RouteService`], its state already given. A layered
    /// route's future goes into a pooled buffer as any route's does ([`EndpointFuture`]), boxed
    /// only if it is larger than [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE); what the
    /// layer costs is the route carried across it in the request's extensions: its
    /// [`MatchedPath`](crate::extract::MatchedPath), for the layer to read, the route's
    /// parameters inside it — one allocation, the boxed value, in an extension map a handler on
    /// the same thread gave back (the thread's first such request makes the map: two more). For
    /// a layer around
    /// the *whole* router at no allocation, wrap the router instead:
    /// `tower::ServiceBuilder::new().layer(layer).service(router)`, or `layer.layer(router)` —
    /// the layer then also sees requests no route matches, before routing.
    ///
    /// On a router that still needs its state, the layer is applied when the state is given
    /// ([`with_state`](Router::with_state)), once per route, never per request.
    pub fn layer<L, ResBody>(self, layer: L) -> Self
    where
        L: Layer<RouteService<B>> + Clone + Send + Sync + 'static,
        L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<B>>>::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        self.apply_layer(layer_fn(layer), true)
    }

    /// Wraps every route added so far in `layer` — not the fallback, nor a nested router's
    /// fallback or a nested service — for middleware that should only see requests that matched
    /// a route (authorisation, say, which must not turn a `404` into a `401`). Routes added
    /// afterwards are not wrapped. Costs as [`layer`](Router::layer).
    pub fn route_layer<L, ResBody>(self, layer: L) -> Self
    where
        L: Layer<RouteService<B>> + Clone + Send + Sync + 'static,
        L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<B>>>::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        self.apply_layer(layer_fn(layer), false)
    }

    /// The part of `layer` and `route_layer` that does not depend on the layer's type.
    fn apply_layer(self, apply: LayerFn<B>, everything: bool) -> Self {
        self.set(|inner| {
            for entry in &mut inner.table.routes {
                if everything || entry.kind == EntryKind::Route {
                    entry.endpoint = layered(&entry.endpoint, &apply);
                }
            }
            if everything {
                inner.fallback = layered(&inner.fallback, &apply);
                if let Some(fallback) = &mut inner.method_not_allowed {
                    *fallback = layered(fallback, &apply);
                }
            }
        })
    }

    /// Answers requests that match no route with `handler` instead of `404`: an `async fn` with
    /// extractors, `State` included, as a route's handler.
    ///
    /// # Panics
    /// When the router already has a fallback: a router answers unknown paths one way.
    #[track_caller]
    pub fn fallback<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, B, S> + HandlerSignature<T>,
        T: 'static,
    {
        let endpoint = Arc::new(HandlerEndpoint(handler_fn(handler)));
        self.set_fallback(SharedEndpoint::NeedsState(endpoint))
    }

    /// Answers requests that match no route with `service` instead of `404`.
    ///
    /// # Panics
    /// As [`fallback`](Router::fallback).
    #[track_caller]
    pub fn fallback_service<Svc, ResBody>(self, service: Svc) -> Self
    where
        Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        Svc::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        let endpoint = Arc::new(ServiceEndpoint::new(service));
        self.set_fallback(SharedEndpoint::Ready(endpoint))
    }

    /// Answers the methods a matched path does not route with `handler`, instead of each path's
    /// own `405 Method Not Allowed` (as axum's `method_not_allowed_fallback`). `OPTIONS` keeps
    /// its automatic answer; the handler may read the state, and sets its own headers (an
    /// `Allow` included, if it wants one).
    pub fn method_not_allowed_fallback<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, B, S> + HandlerSignature<T>,
        T: 'static,
    {
        let endpoint = Arc::new(HandlerEndpoint(handler_fn(handler)));
        self.set(|inner| inner.method_not_allowed = Some(SharedEndpoint::NeedsState(endpoint)))
    }

    #[track_caller]
    fn set_fallback(self, fallback: SharedEndpoint<B, S>) -> Self {
        if self.inner.custom_fallback {
            refused::<()>(RouteError::invalid(
                "/",
                "the router already has a fallback: a router answers unknown paths one way",
            ));
        }
        self.set(|inner| {
            inner.fallback = fallback;
            inner.custom_fallback = true;
        })
    }
}

/// A layer, applied to one route's service and erased: built once per `layer` call, so that
/// wrapping each route is not generic code per route.
type LayerFn<B> = Arc<dyn Fn(RouteService<B>) -> Arc<dyn Endpoint<B, ()>> + Send + Sync>;

fn layer_fn<B, L, ResBody>(layer: L) -> LayerFn<B>
where
    B: Send + 'static,
    L: Layer<RouteService<B>> + Send + Sync + 'static,
    L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<B>>>::Future: Send + 'static,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    Arc::new(move |route: RouteService<B>| {
        let methods = route.endpoint().methods().cloned();
        let endpoint: Arc<dyn Endpoint<B, ()>> =
            Arc::new(LayeredEndpoint::new(layer.layer(route), methods));
        endpoint
    })
}

/// `endpoint` wrapped by `apply`: now when it needs no state (or `()`), else when it is given.
fn layered<B: Send + 'static, S: Send + Sync + 'static>(
    endpoint: &SharedEndpoint<B, S>,
    apply: &LayerFn<B>,
) -> SharedEndpoint<B, S> {
    match endpoint.ready_now() {
        Some(ready) => SharedEndpoint::Ready(apply(RouteService::new(ready))),
        None => SharedEndpoint::NeedsState(Arc::new(PendingLayer {
            inner: endpoint.clone(),
            apply: Arc::clone(apply),
        })),
    }
}

/// A route of a router that still needs its state, with a layer to apply when it is given.
struct PendingLayer<B, S> {
    inner: SharedEndpoint<B, S>,
    apply: LayerFn<B>,
}

impl<B: Send + 'static, S: Send + Sync + 'static> PendingLayer<B, S> {
    fn bind(&self, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        (self.apply)(RouteService::new(self.inner.provide_state(state)))
    }
}

impl<B: Send + 'static, S: Send + Sync + 'static> Endpoint<B, S> for PendingLayer<B, S> {
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        // Only a router whose state was given is served, and giving it binds this route: a call
        // here comes from a caller that kept the unbound endpoint. Answer all the same.
        Endpoint::call(
            &*self.bind(cx.state),
            req,
            CallContext {
                state: &(),
                route: cx.route,
                body_limit: cx.body_limit,
            },
        )
    }

    fn methods(&self) -> Option<&MethodSet> {
        self.inner.methods()
    }

    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        self.bind(state)
    }
}
