//! Endpoints erased once, when a route is added: [`Endpoint`] behind an `Arc`, and the state a
//! router gives them.

use std::sync::Arc;

use http::Request;

use super::method_table::MethodSet;
use crate::endpoint::{unit_state, CallContext, EndpointFuture};

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
