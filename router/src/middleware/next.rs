//! [`Next`]: the rest of the stack, as a middleware function sees it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project::pin_project;
use tower_service::Service;

use crate::body::Body;
use crate::endpoint::EndpointFuture;
use crate::routing::{call_forwarded, Endpoint, RouteService, Router, ServiceEndpoint};

/// The rest of the stack below a middleware function: the route (inside
/// [`Router::layer`](crate::Router::layer)), the router (around it), or any other service.
///
/// One type whatever is below, as axum's `Next`; [`run`](Next::run) returns a named future that
/// holds the route's or the router's own [`EndpointFuture`], a handle to a pooled buffer. Below
/// our own route or router, making a `Next` costs an atomic increment; below a foreign service,
/// one allocation (the service is put behind a vtable).
pub struct Next<B = hyper::body::Incoming> {
    inner: Below<B>,
}

enum Below<B> {
    Router(Router<(), B>),
    Endpoint(Arc<dyn Endpoint<B, ()>>),
}

impl<B: Send + 'static> Next<B> {
    /// The `Next` that calls `service`.
    pub(crate) fn new<Svc, ResBody>(service: &Svc) -> Self
    where
        Svc: Service<Request<B>, Response = Response<ResBody>, Error = std::convert::Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        Svc::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<crate::BoxError>,
    {
        let any: &dyn Any = service;
        let inner = if let Some(router) = any.downcast_ref::<Router<(), B>>() {
            Below::Router(router.clone())
        } else if let Some(route) = any.downcast_ref::<RouteService<B>>() {
            Below::Endpoint(Arc::clone(route.endpoint()))
        } else {
            Below::Endpoint(Arc::new(ServiceEndpoint::new(service.clone())))
        };
        Next { inner }
    }

    /// Passes `req` on, and answers with what comes back.
    pub fn run(self, req: Request<B>) -> NextFuture {
        let future = match self.inner {
            Below::Router(mut router) => router.call(req).into_endpoint_future(),
            Below::Endpoint(endpoint) => call_forwarded(&endpoint, req),
        };
        NextFuture { future }
    }
}

impl<B> fmt::Debug for Next<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").finish_non_exhaustive()
    }
}

/// The future of [`Next::run`]: the response of the rest of the stack.
#[pin_project]
pub struct NextFuture {
    #[pin]
    future: EndpointFuture,
}

impl Future for NextFuture {
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        self.project().future.poll(cx)
    }
}

impl fmt::Debug for NextFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextFuture").finish_non_exhaustive()
    }
}
