//! Middleware written as `async fn`s: [`from_fn`], [`map_request`], [`map_response`] and their
//! `_with_state` forms, as axum's, each a `tower::Layer` with a named future.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::request::Parts;
use http::{Request, Response};
use pin_project::pin_project;
use silent_tower_pool::PooledFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::phases::{ExtractThenRun, IntoResponseFuture};
use super::Next;
use crate::body::{Body, BoxError};
use crate::endpoint::{forwarded_route, ForwardedBodyLimit};
use crate::extract::{FromRequestParts, RequestContext, DEFAULT_BODY_LIMIT};
use crate::response::IntoResponse;

/// Marks a middleware that gets the request and [`Next`]: [`from_fn`].
#[derive(Debug, Clone, Copy)]
pub enum FromFnKind {}

/// Marks a middleware that maps the request: [`map_request`].
#[derive(Debug, Clone, Copy)]
pub enum MapRequestKind {}

/// Marks a middleware that maps the response: [`map_response`].
#[derive(Debug, Clone, Copy)]
pub enum MapResponseKind {}

/// A layer made from an `async fn`: what [`from_fn`], [`map_request`] and [`map_response`]
/// return.
pub struct MiddlewareLayer<F, S, K, T> {
    f: F,
    state: S,
    _kind: PhantomData<fn() -> (K, T)>,
}

/// The layer of [`from_fn`] and [`from_fn_with_state`].
pub type FromFnLayer<F, S, T> = MiddlewareLayer<F, S, FromFnKind, T>;
/// The layer of [`map_request`] and [`map_request_with_state`].
pub type MapRequestLayer<F, S, T> = MiddlewareLayer<F, S, MapRequestKind, T>;
/// The layer of [`map_response`] and [`map_response_with_state`].
pub type MapResponseLayer<F, S, T> = MiddlewareLayer<F, S, MapResponseKind, T>;

/// A service wrapped by a [`MiddlewareLayer`].
pub struct Middleware<F, S, I, K, T> {
    f: F,
    state: S,
    inner: I,
    _kind: PhantomData<fn() -> (K, T)>,
}

/// The service of [`from_fn`].
pub type FromFn<F, S, I, T> = Middleware<F, S, I, FromFnKind, T>;
/// The service of [`map_request`].
pub type MapRequest<F, S, I, T> = Middleware<F, S, I, MapRequestKind, T>;
/// The service of [`map_response`].
pub type MapResponse<F, S, I, T> = Middleware<F, S, I, MapResponseKind, T>;

fn layer<F, S, K, T>(f: F, state: S) -> MiddlewareLayer<F, S, K, T> {
    MiddlewareLayer {
        f,
        state,
        _kind: PhantomData,
    }
}

/// Middleware from an `async fn` that takes extractors, then the request and [`Next`], and
/// answers: `async fn auth(headers: HeaderMap, req: Request, next: Next) -> Response`. It may
/// answer without calling `next` (a `401`), change the request before, or the response after.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use silent_tower_router::middleware::{self, Next};
/// use silent_tower_router::response::{IntoResponse, Response};
/// use silent_tower_router::extract::Request;
/// use silent_tower_router::{get, Router};
///
/// async fn auth(headers: HeaderMap, req: Request, next: Next) -> Response {
///     match headers.get("authorization") {
///         Some(token) if token == "Bearer secret" => next.run(req).await,
///         _ => StatusCode::UNAUTHORIZED.into_response(),
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/me", get(|| async { "you" }))
///     .route_layer(middleware::from_fn(auth));
/// # let _ = app;
/// ```
///
/// Around the whole router (`from_fn(auth).layer(router)`, or with `ServiceBuilder`), `Next`
/// holds the router's own future and nothing allocates; on routes
/// ([`Router::layer`](crate::Router::layer)), no future is boxed either, but the route's
/// [`MatchedPath`](crate::extract::MatchedPath) (and parameters) cross the layer in the request's
/// extensions: one allocation per request (see [`Router::layer`](crate::Router::layer)).
pub fn from_fn<F, T>(f: F) -> FromFnLayer<F, (), T> {
    layer(f, ())
}

/// [`from_fn`] whose extractors read `state` (`State<S>` among them).
pub fn from_fn_with_state<F, S, T>(state: S, f: F) -> FromFnLayer<F, S, T> {
    layer(f, state)
}

/// Middleware that changes the request: `async fn(E1, …, Request) -> Request`, or
/// `-> Result<Request, E>` where `E: IntoResponse` answers instead of the route.
pub fn map_request<F, T>(f: F) -> MapRequestLayer<F, (), T> {
    layer(f, ())
}

/// [`map_request`] whose extractors read `state`.
pub fn map_request_with_state<F, S, T>(state: S, f: F) -> MapRequestLayer<F, S, T> {
    layer(f, state)
}

/// Middleware that changes the response: `async fn(E1, …, Response) -> impl IntoResponse`, the
/// extractors read from the request before it goes on.
pub fn map_response<F, T>(f: F) -> MapResponseLayer<F, (), T> {
    layer(f, ())
}

/// [`map_response`] whose extractors read `state`.
pub fn map_response_with_state<F, S, T>(state: S, f: F) -> MapResponseLayer<F, S, T> {
    layer(f, state)
}

impl<F: Clone, S: Clone, K, T> Clone for MiddlewareLayer<F, S, K, T> {
    fn clone(&self) -> Self {
        layer(self.f.clone(), self.state.clone())
    }
}

impl<F, S, K, T> fmt::Debug for MiddlewareLayer<F, S, K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiddlewareLayer")
            .field("f", &std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

impl<F: Clone, S: Clone, I, K, T> Layer<I> for MiddlewareLayer<F, S, K, T> {
    type Service = Middleware<F, S, I, K, T>;

    fn layer(&self, inner: I) -> Self::Service {
        Middleware {
            f: self.f.clone(),
            state: self.state.clone(),
            inner,
            _kind: PhantomData,
        }
    }
}

impl<F: Clone, S: Clone, I: Clone, K, T> Clone for Middleware<F, S, I, K, T> {
    fn clone(&self) -> Self {
        Middleware {
            f: self.f.clone(),
            state: self.state.clone(),
            inner: self.inner.clone(),
            _kind: PhantomData,
        }
    }
}

impl<F, S, I, K, T> fmt::Debug for Middleware<F, S, I, K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Middleware")
            .field("f", &std::any::type_name::<F>())
            .finish_non_exhaustive()
    }
}

/// An `async fn` that can be middleware of kind `K` with extractors `T`, for a state `S` and a
/// request body `B`: what the functions of this module take.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as middleware here",
    label = "not a middleware function",
    note = "`from_fn` takes `async fn(E1, …, Request<B>, Next<B>) -> impl IntoResponse`; \
            `map_request` `async fn(E1, …, Request<B>) -> Request<B>` (or `Result<Request<B>, \
            impl IntoResponse>`); `map_response` `async fn(E1, …, Response) -> impl \
            IntoResponse`; every `E` reads the request's head (`FromRequestParts`), the \
            function is `Clone + Send + Sync + 'static` and its future `Send`"
)]
pub trait MiddlewareFn<K, T, S, B>: Clone + Send + Sync + 'static {
    /// Runs the middleware for `req`.
    fn run(
        self,
        req: Request<B>,
        state: S,
        next: Next<B>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static;
}

/// What a [`map_request`] function returns: the request to pass on, or an answer.
pub trait IntoMapRequestResult<B> {
    /// The request, or the response that answers instead.
    // The two are about the same size, and the value is taken apart at once.
    #[allow(clippy::result_large_err)]
    fn into_map_request_result(self) -> Result<Request<B>, Response<Body>>;
}

impl<B> IntoMapRequestResult<B> for Request<B> {
    #[allow(clippy::result_large_err)]
    fn into_map_request_result(self) -> Result<Request<B>, Response<Body>> {
        Ok(self)
    }
}

impl<B, E: IntoResponse> IntoMapRequestResult<B> for Result<Request<B>, E> {
    #[allow(clippy::result_large_err)]
    fn into_map_request_result(self) -> Result<Request<B>, Response<Body>> {
        self.map_err(IntoResponse::into_response)
    }
}

/// What the extractors of a middleware function read: its state, and the route's parameters
/// and pattern, and body limit, when it wraps a route.
pub(super) fn context<S>(state: S, parts: &Parts) -> RequestContext<S> {
    RequestContext {
        state,
        params: forwarded_route(&parts.extensions),
        body_limit: parts
            .extensions
            .get::<ForwardedBodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |limit| limit.0),
    }
}

macro_rules! extract_or_answer {
    ($parts:ident, $cx:ident; $($ty:ident)*) => {
        $(
            #[allow(non_snake_case)]
            let $ty = match $ty::from_request_parts(&mut $parts, &$cx).await {
                Ok(value) => value,
                Err(rejection) => return rejection.into_response(),
            };
        )*
    };
}

/// `from_fn` with extractors: they run first, then the function.
macro_rules! from_fn_with_extractors {
    ($($ty:ident)*) => {
        impl<F, Fut, S, B, $($ty,)*> MiddlewareFn<FromFnKind, ($($ty,)*), S, B> for F
        where
            F: FnMut($($ty,)* Request<B>, Next<B>) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoResponse,
            S: Send + Sync + 'static,
            B: Send + 'static,
            $($ty: FromRequestParts<S> + Send,)*
        {
            #[allow(unused_mut, unused_variables)]
            fn run(mut self, req: Request<B>, state: S, next: Next<B>) -> impl Future<Output = Response<Body>> + Send + 'static {
                // The extractors' future ends by making the function's future, which then runs
                // in its place: the two never take room side by side.
                ExtractThenRun::new(async move {
                    let (mut parts, body) = req.into_parts();
                    let cx = context(state, &parts);
                    $(
                        #[allow(non_snake_case)]
                        let $ty = match $ty::from_request_parts(&mut parts, &cx).await {
                            Ok(value) => value,
                            Err(rejection) => return Err(rejection.into_response()),
                        };
                    )*
                    Ok(self($($ty,)* Request::from_parts(parts, body), next))
                })
            }
        }
    };
}

/// `from_fn` without extractors: the function's own future alone. An `async` block around it
/// would keep what it captured (the request, `Next`, the state) beside that future for its
/// whole life — about 800 bytes more, which can push it into a larger pooled buffer.
impl<F, Fut, S, B> MiddlewareFn<FromFnKind, (), S, B> for F
where
    F: FnMut(Request<B>, Next<B>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
    S: Send + Sync + 'static,
    B: Send + 'static,
{
    fn run(
        mut self,
        req: Request<B>,
        _state: S,
        next: Next<B>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static {
        IntoResponseFuture {
            future: self(req, next),
        }
    }
}

/// `map_request` and `map_response`, with and without extractors.
macro_rules! map_fns {
    ($($ty:ident)*) => {
        impl<F, Fut, S, B, $($ty,)*> MiddlewareFn<MapRequestKind, ($($ty,)*), S, B> for F
        where
            F: FnMut($($ty,)* Request<B>) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send,
            Fut::Output: IntoMapRequestResult<B>,
            S: Send + Sync + 'static,
            B: Send + 'static,
            $($ty: FromRequestParts<S> + Send,)*
        {
            #[allow(unused_mut, unused_variables)]
            fn run(mut self, req: Request<B>, state: S, next: Next<B>) -> impl Future<Output = Response<Body>> + Send + 'static {
                async move {
                    let (mut parts, body) = req.into_parts();
                    let cx = context(state, &parts);
                    extract_or_answer!(parts, cx; $($ty)*);
                    match self($($ty,)* Request::from_parts(parts, body)).await.into_map_request_result() {
                        Ok(req) => next.run(req).await,
                        Err(response) => response,
                    }
                }
            }
        }

        impl<F, Fut, S, B, $($ty,)*> MiddlewareFn<MapResponseKind, ($($ty,)*), S, B> for F
        where
            F: FnMut($($ty,)* Response<Body>) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send,
            Fut::Output: IntoResponse,
            S: Send + Sync + 'static,
            B: Send + 'static,
            $($ty: FromRequestParts<S> + Send,)*
        {
            #[allow(unused_mut, unused_variables)]
            fn run(mut self, req: Request<B>, state: S, next: Next<B>) -> impl Future<Output = Response<Body>> + Send + 'static {
                async move {
                    let (mut parts, body) = req.into_parts();
                    let cx = context(state, &parts);
                    extract_or_answer!(parts, cx; $($ty)*);
                    let response = next.run(Request::from_parts(parts, body)).await;
                    self($($ty,)* response).await.into_response()
                }
            }
        }
    };
}

from_fn_with_extractors!(T1);
from_fn_with_extractors!(T1 T2);
from_fn_with_extractors!(T1 T2 T3);
from_fn_with_extractors!(T1 T2 T3 T4);
from_fn_with_extractors!(T1 T2 T3 T4 T5);
from_fn_with_extractors!(T1 T2 T3 T4 T5 T6);
from_fn_with_extractors!(T1 T2 T3 T4 T5 T6 T7);
from_fn_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8);

map_fns!();
map_fns!(T1);
map_fns!(T1 T2);
map_fns!(T1 T2 T3);
map_fns!(T1 T2 T3 T4);
map_fns!(T1 T2 T3 T4 T5);
map_fns!(T1 T2 T3 T4 T5 T6);
map_fns!(T1 T2 T3 T4 T5 T6 T7);
map_fns!(T1 T2 T3 T4 T5 T6 T7 T8);

impl<F, S, I, K, T, B, ResBody> Service<Request<B>> for Middleware<F, S, I, K, T>
where
    F: MiddlewareFn<K, T, S, B>,
    S: Clone + Send + Sync + 'static,
    B: Send + 'static,
    I: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    I::Future: Send + 'static,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = MiddlewareFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The inner service is asked when `Next::run` calls it: a route endpoint is, and a
        // foreign service not ready then keeps the request until it is.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> MiddlewareFuture {
        let next = Next::new(&self.inner);
        let future = self.f.clone().run(req, self.state.clone(), next);
        MiddlewareFuture {
            slot: PooledFuture::new(future),
        }
    }
}

/// The future of a middleware function, held in a pooled buffer as a route's is (boxed when
/// larger than [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE)).
#[pin_project]
pub struct MiddlewareFuture {
    #[pin]
    slot: PooledFuture<Response<Body>>,
}

impl MiddlewareFuture {
    /// Holds `future` in a pooled buffer when one holds it, boxed when none does.
    pub(crate) fn new<F>(future: F) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        MiddlewareFuture {
            slot: PooledFuture::new(future),
        }
    }
}

impl Future for MiddlewareFuture {
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().slot.poll(cx).map(Ok)
    }
}

impl fmt::Debug for MiddlewareFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiddlewareFuture").finish_non_exhaustive()
    }
}
