//! Endpoints, erased once when a route is added, and the inline slot their futures live in.
//!
//! A path's [`MethodRouter`](crate::MethodRouter) is a concrete type: method dispatch is a few
//! comparisons the compiler sees through. When the route is added, that concrete value goes
//! behind an `Arc<dyn Endpoint<B>>`, so the [`Router`](crate::Router) keeps one type however many
//! routes it holds, and the compiler builds each route's code once instead of re-spelling every
//! route in every later route's type. A request makes **one** indirect call, `Endpoint::call`,
//! which builds the endpoint's future and writes it into an [`EndpointFuture`]: a fixed-size
//! buffer of [`ENDPOINT_FUTURE_SIZE`] bytes held inline in the response future, with the poll and
//! drop functions of the future it holds. No allocation, no box — unless the future is larger
//! than the slot. That is decided at compile time, per endpoint: such a future is boxed on its own
//! route only (one allocation per request there, counted by the allocation tests), never refused,
//! since a large handler future is a handler's right and a compile error would leave its author
//! nothing to do but box it by hand.
//!
//! The slot is [`stackfuture`]'s `StackFuture`: the `unsafe` of storing a future of an unnamed type
//! in a byte buffer lives in that crate, and this crate stays `#![forbid(unsafe_code)]`.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{HeaderValue, CONTENT_LENGTH};
use http::{Request, Response, StatusCode};
use http_body::Body as _;
use pin_project::pin_project;
use stackfuture::StackFuture;
use tower_service::Service;

use crate::body::Body;
use crate::method_router::MethodSet;
use crate::params::{Captures, PathParams, RouteInfo};

/// The bytes an endpoint's future may take and still be held inline by the router's future.
///
/// A handler's future is its `async fn`'s state — what it holds across an `.await` — and its
/// extractors': the request's head (224 bytes), the route's context (128), and while the body is
/// read, the reader. A handler taking `Path<i64>` comes to about 380 bytes; one taking
/// `Path<i64>`, `Query<T>`, `State<Arc<_>>` and `Json<T>`, about 720; one taking the `Request`,
/// about 600, and 224 more if it holds the request across an `.await` — which then no longer
/// fits. Larger futures still work, boxed: see [`EndpointFuture::is_inline`].
///
/// Why not larger: the slot is moved whole when a layer around the router stores the router's
/// future in its own, so every 256 bytes cost about 25 instructions per layer per request
/// (measured on the layered stack of `.ci/bench-gate`).
pub const ENDPOINT_FUTURE_SIZE: usize = 768;

type Slot = StackFuture<'static, Response<Body>, ENDPOINT_FUTURE_SIZE>;

/// A boxed future of any type: the one type an oversized future takes in a slot.
pub(crate) type BoxedFuture = std::pin::Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// `future` in a slot of `N` bytes: inline when it fits, else boxed as a [`BoxedFuture`]. Boxed
/// as `dyn Future` rather than as itself, so that the slot's poll and drop functions for the
/// boxed case are built once for every endpoint, not once per endpoint — most endpoints never
/// take that branch, and each would otherwise pay its code at build time.
#[inline]
pub(crate) fn inline_or_boxed<F, const N: usize>(
    future: F,
) -> StackFuture<'static, Response<Body>, N>
where
    F: Future<Output = Response<Body>> + Send + 'static,
{
    type Slot<const N: usize> = StackFuture<'static, Response<Body>, N>;
    if Slot::<N>::has_space_for::<F>() && Slot::<N>::has_alignment_for::<F>() {
        match Slot::<N>::try_from(future) {
            Ok(slot) => slot,
            Err(_) => unreachable!("the size and alignment were just checked"),
        }
    } else {
        let boxed: BoxedFuture = Box::pin(future);
        Slot::<N>::from(boxed)
    }
}

/// The future of one endpoint, held inline in a fixed-size slot.
///
/// Every route's future has this one type, whatever its handler: that is what lets the router's
/// type stay the same as routes are added. A future larger than [`ENDPOINT_FUTURE_SIZE`] (or
/// aligned to more than 8 bytes) is boxed into the slot instead: one allocation per request, on
/// that route only.
#[pin_project]
pub struct EndpointFuture {
    #[pin]
    slot: Slot,
}

impl EndpointFuture {
    /// Holds `future`: inline when it fits, boxed when it does not.
    #[inline]
    pub fn new<F>(future: F) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        EndpointFuture {
            slot: inline_or_boxed(future),
        }
    }

    /// Whether a future of type `F` is held inline, without an allocation.
    ///
    /// ```
    /// use silent_tower_router::{Body, EndpointFuture};
    ///
    /// async fn small() -> http::Response<Body> {
    ///     http::Response::new(Body::empty())
    /// }
    /// assert!(EndpointFuture::is_inline(&small()));
    ///
    /// let large = async {
    ///     let scratch = [0u8; 4096];
    ///     std::future::ready(()).await;
    ///     http::Response::new(Body::from(scratch.to_vec()))
    /// };
    /// assert!(!EndpointFuture::is_inline(&large));
    /// ```
    pub const fn is_inline<F>(_: &F) -> bool {
        Slot::has_space_for::<F>() && Slot::has_alignment_for::<F>()
    }
}

impl Future for EndpointFuture {
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        self.project().slot.poll(cx)
    }
}

impl fmt::Debug for EndpointFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointFuture").finish_non_exhaustive()
    }
}

/// What the router hands an endpoint with the request: its state, the matched route's
/// parameters, the body limit in force. Extractors read these directly, so a handler that takes
/// `Path<T>` costs no `Extensions` insert.
///
/// It borrows what the router found — its state, the matched route and the captures on its
/// stack — so that a handler that reads none of it costs no copy of it.
pub struct CallContext<'a, S> {
    pub(crate) state: &'a S,
    pub(crate) route: Option<(&'a Arc<RouteInfo>, &'a Captures)>,
    pub(crate) body_limit: usize,
}

impl<S> fmt::Debug for CallContext<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("route", &self.route.map(|(info, _)| &info.pattern))
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

impl<S> Clone for CallContext<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for CallContext<'_, S> {}

impl<'a, S> CallContext<'a, S> {
    /// The matched route's parameters, made for a reader that keeps them.
    pub(crate) fn params(&self) -> Option<PathParams> {
        self.route
            .map(|(info, captures)| PathParams::new(Arc::clone(info), *captures))
    }

    /// Puts the parameters in the request's extensions, for what reads them from there: services
    /// and handlers that take the whole `Request`.
    pub(crate) fn expose_params<B>(&self, req: &mut Request<B>) {
        if let Some(params) = self.params() {
            req.extensions_mut().insert(params);
        }
    }

    /// What an extracting handler's future keeps: the state cloned, the parameters copied.
    pub(crate) fn to_owned(self) -> crate::extract::RequestContext<S>
    where
        S: Clone,
    {
        crate::extract::RequestContext {
            state: self.state.clone(),
            params: self.params(),
            body_limit: self.body_limit,
        }
    }
}

/// An endpoint behind its vtable: what the router calls when a route matches.
pub(crate) trait Endpoint<B, S>: Send + Sync + 'static {
    /// Answers `req`; the one indirect call of a request.
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture;

    /// The methods this endpoint routes, when it is a method router (which paths may share).
    fn methods(&self) -> Option<&MethodSet> {
        None
    }

    /// This endpoint with its state given: an endpoint that needs no more.
    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>>;
}

/// An erased endpoint, shared by every table entry that leads to it: one that still needs the
/// router's state `S`, or one that was given its state (or never needed one).
pub(crate) enum SharedEndpoint<B, S> {
    /// Needs nothing more: called with `()`.
    Ready(Arc<dyn Endpoint<B, ()>>),
    /// Needs the state the router will be given.
    NeedsState(Arc<dyn Endpoint<B, S>>),
}

impl<B, S> Clone for SharedEndpoint<B, S> {
    fn clone(&self) -> Self {
        match self {
            SharedEndpoint::Ready(endpoint) => SharedEndpoint::Ready(Arc::clone(endpoint)),
            SharedEndpoint::NeedsState(endpoint) => {
                SharedEndpoint::NeedsState(Arc::clone(endpoint))
            }
        }
    }
}

impl<B: 'static, S: 'static> SharedEndpoint<B, S> {
    /// Answers `req` with the endpoint's context.
    #[inline]
    pub(crate) fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        match self {
            SharedEndpoint::Ready(endpoint) => endpoint.call(
                req,
                CallContext {
                    state: &(),
                    route: cx.route,
                    body_limit: cx.body_limit,
                },
            ),
            SharedEndpoint::NeedsState(endpoint) => endpoint.call(req, cx),
        }
    }

    pub(crate) fn methods(&self) -> Option<&MethodSet> {
        match self {
            SharedEndpoint::Ready(endpoint) => endpoint.methods(),
            SharedEndpoint::NeedsState(endpoint) => endpoint.methods(),
        }
    }

    /// The endpoint given `state`: it needs nothing more.
    pub(crate) fn provide_state(&self, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        match self {
            SharedEndpoint::Ready(endpoint) => Arc::clone(endpoint),
            SharedEndpoint::NeedsState(endpoint) => Arc::clone(endpoint).provide_state(state),
        }
    }

    /// The endpoint as one that needs nothing, when it needs no more than `()`: a router whose
    /// state is `()` binds its endpoints as they are layered.
    pub(crate) fn ready_now(&self) -> Option<Arc<dyn Endpoint<B, ()>>> {
        let unit: &S = unit_state::<S>()?;
        Some(self.provide_state(unit))
    }
}

impl<B> SharedEndpoint<B, ()> {
    /// Both kinds are the same when the state is `()`: one call site for the router.
    #[inline]
    pub(crate) fn as_ready(&self) -> &Arc<dyn Endpoint<B, ()>> {
        match self {
            SharedEndpoint::Ready(endpoint) | SharedEndpoint::NeedsState(endpoint) => endpoint,
        }
    }
}

/// `&()` as an `&S`, when `S` is `()`.
pub(crate) fn unit_state<S: 'static>() -> Option<&'static S> {
    (&() as &dyn std::any::Any).downcast_ref::<S>()
}

/// An endpoint with the state it needs: the one extra indirect call of a router given its state
/// by [`Router::with_state`](crate::Router::with_state).
pub(crate) struct WithState<B, S> {
    inner: Arc<dyn Endpoint<B, S>>,
    state: S,
}

/// `endpoint` given `state`.
pub(crate) fn with_state<B: 'static, S: Clone + Send + Sync + 'static>(
    endpoint: Arc<dyn Endpoint<B, S>>,
    state: &S,
) -> Arc<dyn Endpoint<B, ()>> {
    Arc::new(WithState {
        inner: endpoint,
        state: state.clone(),
    })
}

impl<B: 'static, S: Send + Sync + 'static, S2> Endpoint<B, S2> for WithState<B, S> {
    #[inline]
    fn call(&self, req: Request<B>, cx: CallContext<'_, S2>) -> EndpointFuture {
        self.inner.call(
            req,
            CallContext {
                state: &self.state,
                route: cx.route,
                body_limit: cx.body_limit,
            },
        )
    }

    fn methods(&self) -> Option<&MethodSet> {
        self.inner.methods()
    }

    fn provide_state(self: Arc<Self>, _: &S2) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}

/// What [`Router::layer`](crate::Router::layer) and
/// [`Router::route_layer`](crate::Router::route_layer) hand a route's layer: the route's endpoint
/// as a `tower::Service`, its state already given. The route's parameters and body limit reach
/// it through the request's extensions.
pub struct RouteService<B> {
    endpoint: Arc<dyn Endpoint<B, ()>>,
}

/// A body limit other than the default, carried across a route's layer.
#[derive(Clone, Copy)]
pub(crate) struct ForwardedBodyLimit(pub(crate) usize);

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
    let params = req.extensions().get::<PathParams>().cloned();
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
    type Future = crate::router::RouterFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        crate::router::RouterFuture::new(call_forwarded(&self.endpoint, req))
    }
}

/// A future answering `GET` for `HEAD` when `head` is set: the headers stay, the body goes, and
/// the length it had is kept in `Content-Length` when known.
#[pin_project]
pub(crate) struct HeadAware<F> {
    #[pin]
    future: F,
    head: bool,
}

impl<F> HeadAware<F> {
    #[inline]
    pub(crate) fn new(future: F, head: bool) -> Self {
        HeadAware { future, head }
    }
}

impl<F: Future<Output = Response<Body>>> Future for HeadAware<F> {
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        let this = self.project();
        let response = std::task::ready!(this.future.poll(cx));
        Poll::Ready(if *this.head {
            without_body(response)
        } else {
            response
        })
    }
}

fn without_body(mut response: Response<Body>) -> Response<Body> {
    let status = response.status();
    let may_have_length = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    if may_have_length && !response.headers().contains_key(CONTENT_LENGTH) {
        if let Some(length) = response.body().size_hint().exact() {
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
    }
    *response.body_mut() = Body::empty();
    response
}
