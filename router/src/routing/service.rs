//! Endpoints that are services: `route_service`, fallbacks, layered routes, and the default
//! fallback [`NotFound`].

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use tower_service::Service;

use super::erased::Endpoint;
use crate::body::{Body, BoxError};
use crate::endpoint::{CallContext, EndpointFuture, Endpoints, ForwardedBodyLimit, Route};
use crate::handler::{Handler, HandlerService};

/// Any service as a route's endpoint: `route_service`, `nest_service`, fallbacks and layered
/// routes.
pub(crate) struct ServiceEndpoint<S>(Route<S>);

impl<S> ServiceEndpoint<S> {
    pub(crate) fn new(service: S) -> Self {
        ServiceEndpoint(Route(service))
    }
}

impl<Svc, B, S, ResBody> Endpoint<B, S> for ServiceEndpoint<Svc>
where
    Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    Svc::Future: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    #[inline]
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        let head = req.method() == Method::HEAD;
        self.0.call_at(0, req, cx, head)
    }

    fn provide_state(self: Arc<Self>, _: &S) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}

/// A route wrapped by [`Router::layer`](crate::Router::layer) or
/// [`Router::route_layer`](crate::Router::route_layer): the route's parameters and
/// [`MatchedPath`](crate::extract::MatchedPath), and a body limit other than the default, cross
/// the layer in the request's extensions (where the layer reads them too), to the
/// [`RouteService`](crate::RouteService) inside.
pub(crate) struct LayeredEndpoint<Svc> {
    route: Route<Svc>,
    /// The methods of the route inside, so that a path layered and then routed again with other
    /// methods merges as it does unlayered.
    methods: Option<super::method_table::MethodSet>,
}

impl<Svc> LayeredEndpoint<Svc> {
    pub(crate) fn new(service: Svc, methods: Option<super::method_table::MethodSet>) -> Self {
        LayeredEndpoint {
            route: Route(service),
            methods,
        }
    }
}

impl<Svc, B, S, ResBody> Endpoint<B, S> for LayeredEndpoint<Svc>
where
    Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    Svc::Future: Send + 'static,
    B: Send + 'static,
    S: 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    fn call(&self, mut req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        cx.expose_route(&mut req);
        if cx.body_limit != crate::extract::DEFAULT_BODY_LIMIT {
            req.extensions_mut()
                .insert(ForwardedBodyLimit(cx.body_limit));
        }
        // The route inside answers a `HEAD` without a body already; the layer's own answers
        // (a `401`, a `408`) lose theirs here.
        let head = req.method() == Method::HEAD;
        EndpointFuture::answering(self.route.call_service(req), head)
    }

    fn methods(&self) -> Option<&super::method_table::MethodSet> {
        self.methods.as_ref()
    }

    fn provide_state(self: Arc<Self>, _: &S) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}

/// A handler as a router's fallback: it may read the state like any route's handler.
pub(crate) struct HandlerEndpoint<H, T>(pub(crate) HandlerService<H, T>);

impl<H, T, B, S> Endpoint<B, S> for HandlerEndpoint<H, T>
where
    H: Handler<T, B, S>,
    T: 'static,
    B: 'static,
    S: Clone + Send + Sync + 'static,
{
    #[inline]
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        let head = req.method() == Method::HEAD;
        EndpointFuture::answering(self.0.handler.clone().call(req, cx), head)
    }

    fn provide_state(self: std::sync::Arc<Self>, state: &S) -> std::sync::Arc<dyn Endpoint<B, ()>> {
        super::erased::with_state(self, state)
    }
}

/// The default fallback: `404 Not Found` with an empty body.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotFound;

impl<B> Service<Request<B>> for NotFound {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, _: Request<B>) -> Self::Future {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_FOUND;
        std::future::ready(Ok(response))
    }
}
