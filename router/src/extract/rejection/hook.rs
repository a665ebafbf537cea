//! The router-wide rejection hook: turns the response of every rejection into the app's format.

use std::fmt;
use std::sync::Arc;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Response};

use super::Rejection;
use crate::body::Body;
use crate::endpoint::without_body;
use crate::response::IntoResponse;

type MapFn = dyn Fn(Rejection) -> Response<Body> + Send + Sync;

/// What [`Router::map_rejection`](crate::Router::map_rejection) was given, shared by every
/// request's future (one atomic increment per request, and only on routers that have one).
#[derive(Clone)]
pub(crate) struct RejectionHook(Arc<MapFn>);

impl RejectionHook {
    pub(crate) fn new<F, R>(map: F) -> Self
    where
        F: Fn(Rejection) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        RejectionHook(Arc::new(move |rejection| map(rejection).into_response()))
    }

    /// The hook for one request: a `HEAD` request's mapped rejection gets no body either.
    #[inline]
    pub(crate) fn arm(&self, method: &Method) -> ArmedHook {
        ArmedHook {
            hook: self.clone(),
            head: method == Method::HEAD,
        }
    }

    /// `response` as the app wants it: unchanged unless it is a rejection's — an error status
    /// and a [`Rejection`] in its extensions, taken out so that an outer router's hook does not
    /// map it again. The headers the rejection's response gained on its way out (a layer's, such
    /// as CORS headers) are kept, but those that describe the old body.
    pub(crate) fn apply(&self, mut response: Response<Body>) -> Response<Body> {
        if !(response.status().is_client_error() || response.status().is_server_error()) {
            return response;
        }
        let Some(rejection) = response.extensions_mut().remove::<Rejection>() else {
            return response;
        };
        let (parts, _old_body) = response.into_parts();
        let mut mapped = (self.0)(rejection);
        let headers = mapped.headers_mut();
        for name in parts.headers.keys() {
            if name == CONTENT_TYPE || name == CONTENT_LENGTH || headers.contains_key(name) {
                continue;
            }
            for value in parts.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let mut extensions = parts.extensions;
        extensions.extend(std::mem::take(mapped.extensions_mut()));
        *mapped.extensions_mut() = extensions;
        mapped
    }
}

/// A router's [`RejectionHook`], for one request.
#[derive(Debug)]
pub(crate) struct ArmedHook {
    hook: RejectionHook,
    head: bool,
}

impl ArmedHook {
    /// `response`, a rejection's mapped by the hook: see [`RejectionHook::apply`].
    pub(crate) fn apply(&self, response: Response<Body>) -> Response<Body> {
        if !(response.status().is_client_error() || response.status().is_server_error()) {
            return response;
        }
        let mapped = self.hook.apply(response);
        if self.head {
            without_body(mapped)
        } else {
            mapped
        }
    }
}

impl fmt::Debug for RejectionHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RejectionHook").finish_non_exhaustive()
    }
}
