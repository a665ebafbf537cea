//! A handler under a path's own layer — `get(h).layer(l)` — that still reads the router's state,
//! its route's parameters and pattern and its body limit: they cross the layer in the request's
//! extensions, where the layer finds the route's `MatchedPath`.

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::function::Handler;
use super::service::{HandlerFuture, HandlerService};
use super::state::{HandlerState, StateFor};
use crate::body::{Body, BoxError};
use crate::endpoint::tree::{EndpointTree, Endpoints, LayerTree};
use crate::endpoint::Route;
use crate::endpoint::{
    forwarded_route, unit_state, CallContext, EndpointFuture, ForwardedBodyLimit,
};
use crate::extract::DEFAULT_BODY_LIMIT;
use crate::params::PathParams;
use crate::response::IntoResponse;

/// The router's state, carried across a path's layer to the handler inside.
#[derive(Clone)]
pub(crate) struct ForwardedState<S>(pub(crate) S);

/// A handler as the innermost service of a path's layer: it reads the state, parameters and
/// body limit the layered route put in the request's extensions.
pub struct LayeredHandlerService<H, T>(pub(crate) HandlerService<H, T>);

impl<H: Clone, T> Clone for LayeredHandlerService<H, T> {
    fn clone(&self) -> Self {
        LayeredHandlerService(self.0.clone())
    }
}

impl<H, T> fmt::Debug for LayeredHandlerService<H, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LayeredHandlerService")
            .field(&self.0)
            .finish()
    }
}

impl<H, T, B> Service<Request<B>> for LayeredHandlerService<H, T>
where
    T: HandlerState,
    T::State: Clone + Send + Sync + 'static,
    H: Handler<T, B, T::State>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = HandlerFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<B>) -> HandlerFuture {
        let forwarded = req.extensions_mut().remove::<ForwardedState<T::State>>();
        let body_limit = req
            .extensions_mut()
            .remove::<ForwardedBodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |limit| limit.0);
        let params = forwarded_route(req.extensions());
        let state = match &forwarded {
            Some(ForwardedState(state)) => state,
            None => match unit_state::<T::State>() {
                Some(unit) => unit,
                None => {
                    return HandlerFuture::new(std::future::ready(
                        (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "this handler reads the router's state, and was called outside a \
                             router that has it",
                        )
                            .into_response(),
                    ))
                }
            },
        };
        let cx = CallContext {
            state,
            route: params.as_ref().map(PathParams::parts),
            body_limit,
        };
        HandlerFuture::new(self.0.handler.clone().call(req, cx))
    }
}

/// A path's handler under the path's own layers.
pub struct LayeredHandler<Svc, T> {
    route: Route<Svc>,
    _shape: PhantomData<fn() -> T>,
}

impl<Svc: Clone, T> Clone for LayeredHandler<Svc, T> {
    fn clone(&self) -> Self {
        LayeredHandler::new(self.route.0.clone())
    }
}

impl<Svc, T> LayeredHandler<Svc, T> {
    pub(crate) fn new(service: Svc) -> Self {
        LayeredHandler {
            route: Route(service),
            _shape: PhantomData,
        }
    }
}

impl<Svc, T> EndpointTree for LayeredHandler<Svc, T> {
    const LEN: usize = 1;
}

impl<Svc, T, L: Layer<Svc>> LayerTree<L> for LayeredHandler<Svc, T> {
    type Output = LayeredHandler<L::Service, T>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        LayeredHandler::new(layer.layer(self.route.0))
    }
}

impl<H, T, L: Layer<LayeredHandlerService<H, T>>> LayerTree<L> for HandlerService<H, T> {
    type Output = LayeredHandler<L::Service, T>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        LayeredHandler::new(layer.layer(LayeredHandlerService(self)))
    }
}

impl<Svc, T, B, S, ResBody> Endpoints<B, S> for LayeredHandler<Svc, T>
where
    T: StateFor<S>,
    S: Clone + Send + Sync + 'static,
    Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    Svc::Future: Send + 'static,
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
        cx.expose_route(&mut req);
        if cx.body_limit != DEFAULT_BODY_LIMIT {
            req.extensions_mut()
                .insert(ForwardedBodyLimit(cx.body_limit));
        }
        if T::READS_STATE && std::mem::size_of::<S>() > 0 {
            req.extensions_mut()
                .insert(ForwardedState(cx.state.clone()));
        }
        EndpointFuture::answering(self.route.call_service(req), head)
    }
}
