//! What makes a handler a service and a layered handler a handler: [`HandlerService`] as a
//! `tower::Service` and as an endpoint of a method router, [`Layered`] as a [`Handler`], and
//! [`HandlerWithoutStateExt`]'s `into_service` and make-services.

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::util::Oneshot;
use tower_layer::Layer;
use tower_service::Service;

use super::function::{handler_fn, Handler, HandlerSignature};
use super::service::{HandlerFuture, HandlerService, Layered, ViaLayer};
use super::state::{HandlerState, StateFor};
use crate::body::Body;
use crate::endpoint::tree::{EndpointTree, Endpoints};
use crate::endpoint::{CallContext, EndpointFuture, ForwardedBodyLimit};
use crate::extract::connect_info::IntoMakeServiceWithConnectInfo;
use crate::extract::DEFAULT_BODY_LIMIT;
use crate::params::PathParams;
use crate::response::IntoResponse;
use crate::routing::IntoMakeService;

/// A handler as a service: the state is its own (`()` unless given by
/// [`Handler::with_state`]); the route's parameters and a body limit other than the default come
/// in the request's extensions, where a router puts them for the services it routes to.
impl<H, T, S, B> Service<Request<B>> for HandlerService<H, T, S>
where
    H: Handler<T, B, S>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = HandlerFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        let params = crate::request_params::params_in(req.extensions()).cloned();
        let body_limit = req
            .extensions()
            .get::<ForwardedBodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |limit| limit.0);
        let cx = CallContext {
            state: &self.state,
            route: params.as_ref().map(PathParams::parts),
            body_limit,
        };
        HandlerFuture::new(self.handler.clone().call(req, cx))
    }
}

/// A handler is an endpoint of its own inside a [`MethodRouter`](crate::MethodRouter): it is
/// always ready, so it is called at once, with no readiness state in its future; the router
/// gives it its state.
impl<H, T> EndpointTree for HandlerService<H, T> {
    const LEN: usize = 1;
}

impl<H, T, B, S> Endpoints<B, S> for HandlerService<H, T>
where
    H: Handler<T, B, S>,
    S: Clone,
{
    #[inline]
    fn call_at(
        &self,
        _: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        EndpointFuture::answering(self.handler.clone().call(req, cx), head)
    }
}

/// A handler under its own layer is a handler: the layer wraps the handler given the router's
/// state, and the request goes through both.
impl<L, H, T, B, S> Handler<(ViaLayer, T), B, S> for Layered<L, H, T>
where
    H: Handler<T, B, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
    B: Send + 'static,
    L: Layer<HandlerService<H, T, S>> + Clone + Send + Sync + 'static,
    L::Service: Service<Request<B>, Error = Infallible> + Send + 'static,
    <L::Service as Service<Request<B>>>::Response: IntoResponse,
    <L::Service as Service<Request<B>>>::Future: Send + 'static,
{
    fn call(
        self,
        mut req: Request<B>,
        cx: CallContext<'_, S>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static {
        cx.expose_params(&mut req);
        if cx.body_limit != DEFAULT_BODY_LIMIT {
            req.extensions_mut()
                .insert(ForwardedBodyLimit(cx.body_limit));
        }
        let service = Layer::layer(
            &self.layer,
            HandlerService::new(self.handler, cx.state.clone()),
        );
        let answer = Oneshot::new(service, req);
        async move {
            match answer.await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    }
}

// Not offered as a way out when a function is not a handler: the error about the function says
// what a handler looks like, and a layered handler is not the fix.
#[diagnostic::do_not_recommend]
impl<L, H: HandlerSignature<T>, T> HandlerSignature<(ViaLayer, T)> for Layered<L, H, T> {}

impl<T: HandlerState> HandlerState for (ViaLayer, T) {
    type State = T::State;
}

impl<S, T: StateFor<S>> StateFor<S> for (ViaLayer, T) {
    const READS_STATE: bool = T::READS_STATE;
}

/// A handler as a service with no state of its own, as axum's `HandlerWithoutStateExt`.
pub trait HandlerWithoutStateExt<T>: HandlerSignature<T> + Sized {
    /// The handler as a `tower::Service` with no state (what [`handler_fn`] makes): for
    /// `route_service`, `fallback_service`, `nest_service`, or to serve alone.
    ///
    /// ```
    /// use http::Request;
    /// use silent_tower_router::handler::HandlerWithoutStateExt;
    /// use tower::ServiceExt;
    ///
    /// async fn pong() -> &'static str {
    ///     "pong"
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let response = pong.into_service().oneshot(Request::new(())).await.unwrap();
    /// assert_eq!(response.status(), 200);
    /// # }
    /// ```
    fn into_service(self) -> HandlerService<Self, T>;

    /// The handler as a make-service, as axum's: see
    /// [`IntoMakeService`](crate::routing::IntoMakeService).
    fn into_make_service(self) -> IntoMakeService<HandlerService<Self, T>> {
        IntoMakeService::new(self.into_service())
    }

    /// The handler as a make-service that gives each connection's requests `ConnectInfo<C>`, as
    /// axum's: see [`IntoMakeServiceWithConnectInfo`].
    fn into_make_service_with_connect_info<C>(
        self,
    ) -> IntoMakeServiceWithConnectInfo<HandlerService<Self, T>, C> {
        IntoMakeServiceWithConnectInfo::new(self.into_service())
    }
}

impl<H: HandlerSignature<T>, T> HandlerWithoutStateExt<T> for H {
    fn into_service(self) -> HandlerService<Self, T> {
        handler_fn(self)
    }
}
