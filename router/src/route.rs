//! [`Route`]: one endpoint of the tree, any `Service` whose response body becomes a [`Body`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use bytes::Bytes;
use http::{Request, Response};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{Body, BoxError};
use crate::endpoint::{CallContext, Endpoint, EndpointFuture, ForwardedBodyLimit, HeadAware};
use crate::endpoints::{EndpointTree, Endpoints, LayerTree};
use std::sync::Arc;

/// An endpoint: a `Clone` service, cloned for each request it answers (cheap for the usual
/// `Arc`-held state, free for handler functions).
#[derive(Debug, Clone, Copy)]
pub struct Route<S>(pub(crate) S);

impl<S> EndpointTree for Route<S> {
    const LEN: usize = 1;
}

impl<S, L: Layer<S>> LayerTree<L> for Route<S> {
    type Output = Route<L::Service>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        Route(layer.layer(self.0))
    }
}

impl<Svc, B, S, ResBody> Endpoints<B, S> for Route<Svc>
where
    Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible> + Clone,
    Svc::Future: Send + 'static,
    Svc: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    #[inline]
    fn call_at(
        &self,
        _: usize,
        mut req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        cx.expose_params(&mut req);
        EndpointFuture::new(HeadAware::new(self.call_service(req), head))
    }
}

impl<Svc> Route<Svc> {
    /// Calls the service. Endpoints are nearly always ready — handlers always are — so ask once,
    /// with a waker that registers nothing, and call at once: the future then holds only the
    /// endpoint's own future, not the request too. An endpoint that is not ready (a concurrency
    /// limit, a buffer) keeps the request boxed until it is: one allocation, on that path only.
    #[inline]
    pub(crate) fn call_service<B>(&self, req: Request<B>) -> RouteFuture<Svc, B>
    where
        Svc: Service<Request<B>, Error = Infallible> + Clone,
    {
        let mut service = self.0.clone();
        let state = match service.poll_ready(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(())) => State::Called(service.call(req)),
            Poll::Pending => State::NotReady {
                service,
                request: Some(Box::new(req)),
            },
        };
        RouteFuture { state }
    }
}

/// Drives one endpoint: waits until it is ready, calls it, and converts its response body.
#[pin_project]
pub struct RouteFuture<S: Service<Request<B>>, B> {
    #[pin]
    state: State<S, S::Future, B>,
}

#[pin_project(project = StateProj)]
enum State<S, F, B> {
    NotReady {
        service: S,
        request: Option<Box<Request<B>>>,
    },
    Called(#[pin] F),
}

impl<S, B, ResBody> Future for RouteFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::NotReady { service, request } => {
                    let Ok(()) = ready!(service.poll_ready(cx));
                    let Some(request) = request.take() else {
                        unreachable!("request taken only when the endpoint is called")
                    };
                    let future = service.call(*request);
                    state.set(State::Called(future));
                }
                StateProj::Called(future) => {
                    let Ok(response) = ready!(future.poll(cx));
                    return Poll::Ready(response.map(Body::new));
                }
            }
        }
    }
}

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
        self.0.call_at(0, req, cx, false)
    }

    fn provide_state(self: Arc<Self>, _: &S) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}

/// A route wrapped by [`Router::layer`](crate::Router::layer) or
/// [`Router::route_layer`](crate::Router::route_layer): the route's parameters, and a body limit
/// other than the default, cross the layer in the request's extensions, to the
/// [`RouteService`](crate::RouteService) inside.
pub(crate) struct LayeredEndpoint<Svc> {
    route: Route<Svc>,
    /// The methods of the route inside, so that a path layered and then routed again with other
    /// methods merges as it does unlayered.
    methods: Option<crate::method_router::MethodSet>,
}

impl<Svc> LayeredEndpoint<Svc> {
    pub(crate) fn new(service: Svc, methods: Option<crate::method_router::MethodSet>) -> Self {
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
        cx.expose_params(&mut req);
        if cx.body_limit != crate::extract::DEFAULT_BODY_LIMIT {
            req.extensions_mut()
                .insert(ForwardedBodyLimit(cx.body_limit));
        }
        EndpointFuture::new(HeadAware::new(self.route.call_service(req), false))
    }

    fn methods(&self) -> Option<&crate::method_router::MethodSet> {
        self.methods.as_ref()
    }

    fn provide_state(self: Arc<Self>, _: &S) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}
