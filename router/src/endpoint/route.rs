//! [`Route`]: one endpoint of a path, any `Service` whose response body becomes a [`Body`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use bytes::Bytes;
use http::{Request, Response};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::context::CallContext;
use super::future::EndpointFuture;
use super::tree::{EndpointTree, Endpoints, LayerTree};
use crate::body::{Body, BoxError};

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
        EndpointFuture::answering(self.call_service(req), head)
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
