//! [`CallContext`]: what the router hands an endpoint beside the request.

use std::fmt;
use std::sync::Arc;

use http::{Extensions, Request};

use crate::extract::MatchedPath;
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
    /// The matched route, made for a reader that keeps it: its parameters, and its pattern for
    /// [`MatchedPath`] — on a route without parameters too. One reference count, no allocation.
    pub(crate) fn params(&self) -> Option<PathParams> {
        self.route
            .map(|(info, captures)| PathParams::new(Arc::clone(info), *captures))
    }

    /// Puts the parameters in the request's extensions, for what reads them from there: services
    /// and handlers that take the whole `Request`. A user's route without parameters puts
    /// nothing (a nested service's entry always does: it reads the rest of the path from it).
    pub(crate) fn expose_params<B>(&self, req: &mut Request<B>) {
        if let Some((info, captures)) = self.route {
            if captures.len() > 0 || !info.user_route {
                req.extensions_mut()
                    .insert(PathParams::new(Arc::clone(info), *captures));
            }
        }
    }

    /// What a route's own layer carries across to the service inside it, in the request's
    /// extensions: the matched route's [`MatchedPath`], which the layer itself may read for its
    /// metrics and logs, with the route's parameters in it — one value, one allocation, in the
    /// thread's spare map ([`spare_map`](super::spare_map)) when the request came with none: the
    /// price of a layer of the route's own, which a layer around the whole router does not pay.
    pub(crate) fn expose_route<B>(&self, req: &mut Request<B>) {
        match self.route {
            Some((info, captures)) if info.user_route => {
                let extensions = req.extensions_mut();
                super::spare_map::furnish(extensions);
                // An outer route's parameters are stale here; a nested service's prefix
                // parameters are read beside this route's, and stay.
                if extensions
                    .get::<PathParams>()
                    .is_some_and(|outer| !outer.is_nested())
                {
                    extensions.remove::<PathParams>();
                }
                let matched = MatchedPath::carrying(Arc::clone(info), *captures, extensions);
                extensions.insert(matched);
            }
            // Not a route of the user's: an outer router's pattern does not name it.
            _ => {
                self.expose_params(req);
                req.extensions_mut().remove::<MatchedPath>();
            }
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

/// The route a route's layer carried across in the request's extensions
/// ([`CallContext::expose_route`]), read back by the service inside: the route's own parameters
/// (see `request_params::params_in`), or, on a route without any, its pattern. A nested
/// service's parameters (read from the path as sent) are an outer router's, not this route's.
pub(crate) fn forwarded_route(extensions: &Extensions) -> Option<PathParams> {
    match extensions.get::<PathParams>() {
        Some(params) if !params.is_nested() => Some(params.clone()),
        _ => extensions
            .get::<MatchedPath>()
            .map(|matched| match matched.carried_params() {
                Some(params) => params.clone(),
                None => PathParams::new(Arc::clone(matched.info()), Captures::new()),
            }),
    }
}

/// A body limit other than the default, carried across a route's layer.
#[derive(Clone, Copy)]
pub(crate) struct ForwardedBodyLimit(pub(crate) usize);

/// `&()` as an `&S`, when `S` is `()`.
pub(crate) fn unit_state<S: 'static>() -> Option<&'static S> {
    (&() as &dyn std::any::Any).downcast_ref::<S>()
}
