//! [`CallContext`]: what the router hands an endpoint beside the request.

use std::fmt;
use std::sync::Arc;

use http::Request;

use crate::params::{Captures, PathParams, RouteInfo};

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

/// A body limit other than the default, carried across a route's layer.
#[derive(Clone, Copy)]
pub(crate) struct ForwardedBodyLimit(pub(crate) usize);

/// `&()` as an `&S`, when `S` is `()`.
pub(crate) fn unit_state<S: 'static>() -> Option<&'static S> {
    (&() as &dyn std::any::Any).downcast_ref::<S>()
}
