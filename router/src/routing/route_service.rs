//! [`RouteService`]: a route as the service a layer wraps.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::erased::Endpoint;
use crate::body::Body;
use crate::endpoint::{forwarded_route, CallContext, EndpointFuture, ForwardedBodyLimit};
use crate::params::PathParams;

/// What [`Router::layer`](crate::Router::layer) and
/// [`Router::route_layer`](crate::Router::route_layer) hand a route's layer: the route's endpoint
/// as a `tower::Service`, its state already given. The route's parameters, its
/// [`MatchedPath`](crate::extract::MatchedPath) and its body limit reach it through the request's
/// extensions, where the layer can read them too.
pub struct RouteService<B> {
    endpoint: Arc<dyn Endpoint<B, ()>>,
}

impl<B> RouteService<B> {
    pub(crate) fn new(endpoint: Arc<dyn Endpoint<B, ()>>) -> Self {
        RouteService { endpoint }
    }

    pub(crate) fn endpoint(&self) -> &Arc<dyn Endpoint<B, ()>> {
        &self.endpoint
    }
}

impl<B> Clone for RouteService<B> {
    fn clone(&self) -> Self {
        RouteService {
            endpoint: Arc::clone(&self.endpoint),
        }
    }
}

impl<B> fmt::Debug for RouteService<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteService").finish_non_exhaustive()
    }
}

/// Calls `endpoint` with the context a layer carried in the request's extensions.
#[inline]
pub(crate) fn call_forwarded<B: 'static>(
    endpoint: &Arc<dyn Endpoint<B, ()>>,
    mut req: Request<B>,
) -> EndpointFuture {
    let params = forwarded_route(req.extensions());
    let body_limit = match req.extensions_mut().remove::<ForwardedBodyLimit>() {
        Some(ForwardedBodyLimit(limit)) => limit,
        None => crate::extract::DEFAULT_BODY_LIMIT,
    };
    endpoint.call(
        req,
        CallContext {
            state: &(),
            route: params.as_ref().map(PathParams::parts),
            body_limit,
        },
    )
}

impl<B: 'static> Service<Request<B>> for RouteService<B> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = super::future::RouterFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        super::future::RouterFuture::new(call_forwarded(&self.endpoint, req))
    }
}
