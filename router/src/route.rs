//! [`Route`]: one endpoint of the tree, any `Service` whose response body becomes a [`Body`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{Body, BoxError};
use crate::endpoints::{EndpointTree, Endpoints, LayerTree};

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

impl<S, B, ResBody> Endpoints<B> for Route<S>
where
    S: Service<Request<B>, Response = Response<ResBody>, Error = Infallible> + Clone,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Future = RouteFuture<S, B>;

    #[inline]
    fn call_at(&self, _: usize, req: Request<B>) -> Self::Future {
        RouteFuture {
            state: State::NotReady {
                service: self.0.clone(),
                request: Some(req),
            },
        }
    }
}

/// Drives one endpoint: waits until it is ready, calls it, and converts its response body.
#[pin_project]
pub struct RouteFuture<S: Service<Request<B>>, B> {
    #[pin]
    state: State<S, S::Future, B>,
}

// The request waits in `NotReady` only until the endpoint is ready; boxing it to even out the
// variants would allocate on every request.
#[allow(clippy::large_enum_variant)]
#[pin_project(project = StateProj)]
enum State<S, F, B> {
    NotReady {
        service: S,
        request: Option<Request<B>>,
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
                    let future = service.call(request);
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
