//! The types a handler becomes: [`HandlerService`] (a `tower::Service`, with or without a state
//! of its own) and its future [`HandlerFuture`], and [`Layered`], a handler under a layer of its
//! own. What makes them services and handlers is in `into_service`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;
use silent_tower_pool::PooledFuture;

use crate::body::Body;

/// A [`Handler`](crate::Handler) as a `tower::Service`: made by
/// [`handler_fn`](crate::handler_fn) and
/// [`into_service`](super::HandlerWithoutStateExt::into_service) with no state (`S = ()`), by
/// [`Handler::with_state`](crate::Handler::with_state) with one, and by `get(f)` and friends
/// inside a method router, where the router gives the state.
///
/// As a service, it reads the route's parameters from the request's
/// [`PathParams`](crate::PathParams) extension (a router puts them there for a service it
/// routes to), and its future is a [`HandlerFuture`]: the handler's own, in a pooled buffer.
pub struct HandlerService<H, T, S = ()> {
    pub(crate) handler: H,
    pub(crate) state: S,
    _marker: PhantomData<fn() -> T>,
}

impl<H, T, S> HandlerService<H, T, S> {
    pub(crate) fn new(handler: H, state: S) -> Self {
        HandlerService {
            handler,
            state,
            _marker: PhantomData,
        }
    }

    /// The state the handler's extractors read.
    pub fn state(&self) -> &S {
        &self.state
    }
}

impl<H: Clone, T, S: Clone> Clone for HandlerService<H, T, S> {
    fn clone(&self) -> Self {
        HandlerService::new(self.handler.clone(), self.state.clone())
    }
}

impl<H, T, S> fmt::Debug for HandlerService<H, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerService")
            .field("handler", &std::any::type_name::<H>())
            .field("state", &std::any::type_name::<S>())
            .finish()
    }
}

/// The future of a [`HandlerService`]: the handler's, held in a pooled buffer as a route's is
/// (boxed when larger than [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE)).
#[pin_project]
pub struct HandlerFuture {
    #[pin]
    slot: PooledFuture<Response<Body>>,
}

impl HandlerFuture {
    pub(crate) fn new<F>(future: F) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        HandlerFuture {
            slot: PooledFuture::new(future),
        }
    }
}

impl fmt::Debug for HandlerFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerFuture").finish_non_exhaustive()
    }
}

impl Future for HandlerFuture {
    type Output = Result<Response<Body>, std::convert::Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().slot.poll(cx).map(Ok)
    }
}

/// A handler under a layer of its own, made by [`Handler::layer`](crate::Handler::layer) (as
/// axum's `handler::Layered`): itself a handler, for `get(h.layer(l))` or
/// `h.layer(l).with_state(s)`.
///
/// Each request, the layer wraps the handler given the router's state (a clone of the layer
/// and the state: usually reference counts), and the route's parameters and body limit cross
/// the layer in the request's extensions (an insert only on a route with parameters).
pub struct Layered<L, H, T> {
    pub(crate) layer: L,
    pub(crate) handler: H,
    _marker: PhantomData<fn() -> T>,
}

impl<L, H, T> Layered<L, H, T> {
    pub(crate) fn new(layer: L, handler: H) -> Self {
        Layered {
            layer,
            handler,
            _marker: PhantomData,
        }
    }
}

impl<L: Clone, H: Clone, T> Clone for Layered<L, H, T> {
    fn clone(&self) -> Self {
        Layered::new(self.layer.clone(), self.handler.clone())
    }
}

impl<L, H, T> fmt::Debug for Layered<L, H, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layered")
            .field("handler", &std::any::type_name::<H>())
            .finish_non_exhaustive()
    }
}

/// Marks the shape of a [`Layered`] handler: `(ViaLayer, T)` for a handler of shape `T`.
#[doc(hidden)]
#[derive(Debug)]
pub enum ViaLayer {}
