//! Handlers: `async fn`s that answer requests, turned into services with no box on the way.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::Body;
use crate::endpoints::{EndpointTree, Endpoints, LayerTree};
use crate::response::IntoResponse;
use crate::route::Route;

/// An async function that answers a request: `async fn() -> R` or `async fn(Request<B>) -> R`,
/// where `R:` [`IntoResponse`].
///
/// `T` only tells the two shapes apart; it is inferred.
pub trait Handler<T, B>: Clone + Sized + 'static {
    /// What the function returns.
    type Output: IntoResponse;
    /// The function's future: the `async fn`'s own, named type.
    type Future: Future<Output = Self::Output>;

    /// Calls the function.
    fn call(self, req: Request<B>) -> Self::Future;
}

impl<F, Fut, B> Handler<(), B> for F
where
    F: FnOnce() -> Fut + Clone + 'static,
    Fut: Future,
    Fut::Output: IntoResponse,
{
    type Output = Fut::Output;
    type Future = Fut;

    #[inline]
    fn call(self, _: Request<B>) -> Fut {
        self()
    }
}

impl<F, Fut, B> Handler<(Request<B>,), B> for F
where
    F: FnOnce(Request<B>) -> Fut + Clone + 'static,
    Fut: Future,
    Fut::Output: IntoResponse,
{
    type Output = Fut::Output;
    type Future = Fut;

    #[inline]
    fn call(self, req: Request<B>) -> Fut {
        self(req)
    }
}

/// The shape no handler has: a [`Handler`] impl for every type, so that when a function is
/// not a handler, the one error the user sees is [`HandlerSignature`]'s, which says what a
/// handler may look like, and not a second one about `Handler` for the same function. Nothing
/// can be routed with it: every way to route a handler asks for `HandlerSignature`, which has no
/// impl for this shape.
#[doc(hidden)]
pub enum NotAHandler {}

impl<F: Clone + 'static, B> Handler<NotAHandler, B> for F {
    type Output = Response<Body>;
    type Future = std::future::Pending<Response<Body>>;

    fn call(self, _: Request<B>) -> Self::Future {
        std::future::pending()
    }
}

/// The signature of a handler function, which tells the two [`Handler`] shapes apart where a
/// handler is given (`get(f)`), before the request body type is known: `()` for `async fn()`,
/// `(Request<B>,)` for `async fn(Request<B>)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler",
    label = "not an `async fn` that answers a request",
    note = "a handler is an `async fn` taking nothing or the request, returning a type that \
            implements `IntoResponse`, whose future is `Send` (it holds no `Rc` or `RefCell` \
            guard across an `.await`): `async fn hello() -> &'static str`, \
            `async fn user(req: Request) -> Result<String, ParamError>`"
)]
pub trait HandlerSignature<T> {}

impl<F, Fut> HandlerSignature<()> for F
where
    F: FnOnce() -> Fut,
    Fut: Future + Send,
    Fut::Output: IntoResponse,
{
}

impl<F, Fut, B> HandlerSignature<(Request<B>,)> for F
where
    F: FnOnce(Request<B>) -> Fut,
    Fut: Future + Send,
    Fut::Output: IntoResponse,
{
}

/// A [`Handler`] as a `tower::Service`.
///
/// ```
/// use http::Request;
/// use silent_tower_router::handler_fn;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let service = handler_fn(|| async { "pong" });
/// let response = service.oneshot(Request::new(())).await.unwrap();
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// # }
/// ```
pub fn handler_fn<H: HandlerSignature<T>, T>(handler: H) -> HandlerService<H, T> {
    HandlerService {
        handler,
        _marker: PhantomData,
    }
}

/// The service made from a [`Handler`] by [`handler_fn`] (and by `get(f)` and friends).
pub struct HandlerService<H, T> {
    handler: H,
    _marker: PhantomData<fn() -> T>,
}

impl<H: Clone, T> Clone for HandlerService<H, T> {
    fn clone(&self) -> Self {
        HandlerService {
            handler: self.handler.clone(),
            _marker: PhantomData,
        }
    }
}

impl<H, T> fmt::Debug for HandlerService<H, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerService")
            .field("handler", &std::any::type_name::<H>())
            .finish()
    }
}

impl<H, T, B> Service<Request<B>> for HandlerService<H, T>
where
    H: Handler<T, B>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = HandlerFuture<H::Future>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        HandlerFuture {
            future: self.handler.clone().call(req),
        }
    }
}

/// The future of a [`HandlerService`]: the handler's own future, its output made a response.
#[pin_project]
pub struct HandlerFuture<F> {
    #[pin]
    future: F,
}

impl<F> Future for HandlerFuture<F>
where
    F: Future,
    F::Output: IntoResponse,
{
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = ready!(self.project().future.poll(cx));
        Poll::Ready(Ok(output.into_response()))
    }
}

/// A handler is an endpoint of its own inside a [`MethodRouter`](crate::MethodRouter): it is
/// always ready, so it is called at once, with no readiness state in its future.
impl<H, T> EndpointTree for HandlerService<H, T> {
    const LEN: usize = 1;
}

impl<H, T, L: Layer<HandlerService<H, T>>> LayerTree<L> for HandlerService<H, T> {
    type Output = Route<L::Service>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        Route(layer.layer(self))
    }
}

impl<H, T, B> Endpoints<B> for HandlerService<H, T>
where
    H: Handler<T, B>,
{
    type Future = HandlerResponse<H::Future>;

    #[inline]
    fn call_at(&self, _: usize, req: Request<B>) -> Self::Future {
        HandlerResponse {
            future: self.handler.clone().call(req),
        }
    }
}

/// The future of a handler inside a method router: the handler's own future, its output made a
/// response.
#[pin_project]
pub struct HandlerResponse<F> {
    #[pin]
    future: F,
}

impl<F> Future for HandlerResponse<F>
where
    F: Future,
    F::Output: IntoResponse,
{
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        self.project()
            .future
            .poll(cx)
            .map(IntoResponse::into_response)
    }
}
