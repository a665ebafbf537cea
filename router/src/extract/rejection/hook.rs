//! The router-wide rejection hook: turns the response of every rejection into the app's format.

use std::fmt;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::Response;

use super::Rejection;
use crate::body::Body;
use crate::endpoint::{without_body, AnsweredHead};
use crate::response::IntoResponse;

type MapFn = dyn Fn(Rejection) -> Response<Body> + Send + Sync;

/// What [`Router::map_rejection`](crate::Router::map_rejection) was given, kept for the life of
/// the program: a router's future holds a plain reference to it.
///
/// Why not an `Arc`: a field with drop glue in the router's future makes the call that builds
/// the endpoint's future one that may unwind past a live value, and the endpoint's future is
/// then built aside and copied into the router's — about 165 instructions per request on every
/// router, hook or not (`.ci/bench-gate`, C-static). A reference costs one word, and a hook is
/// made once, at start-up.
#[derive(Clone, Copy)]
pub(crate) struct RejectionHook(&'static Boxed);

/// The closure behind a thin pointer: the router's future holds one word for it.
struct Boxed(Box<MapFn>);

impl RejectionHook {
    pub(crate) fn new<F, R>(map: F) -> Self
    where
        F: Fn(Rejection) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let map: Box<MapFn> = Box::new(move |rejection| map(rejection).into_response());
        RejectionHook(Box::leak(Box::new(Boxed(map))))
    }

    /// `response` as the app wants it: unchanged unless it is a rejection's — an error status
    /// and a [`Rejection`] in its extensions, taken out so that an outer router's hook does not
    /// map it again. The headers the rejection's response gained on its way out (a layer's, such
    /// as CORS headers) are kept, but those that describe the old body.
    #[inline]
    pub(crate) fn apply(self, response: Response<Body>) -> Response<Body> {
        if !(response.status().is_client_error() || response.status().is_server_error()) {
            return response;
        }
        self.map(response)
    }

    /// The rest of [`apply`](Self::apply), out of line so that the router's `poll`, which calls
    /// it, stays small. A `HEAD` request's mapped rejection gets no body either.
    #[inline(never)]
    fn map(self, mut response: Response<Body>) -> Response<Body> {
        let Some(rejection) = response.extensions_mut().remove::<Rejection>() else {
            return response;
        };
        let (parts, _old_body) = response.into_parts();
        let mut mapped = (self.0 .0)(rejection);
        let headers = mapped.headers_mut();
        for name in parts.headers.keys() {
            if name == CONTENT_TYPE || name == CONTENT_LENGTH || headers.contains_key(name) {
                continue;
            }
            for value in parts.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let head = parts.extensions.get::<AnsweredHead>().is_some();
        let mut extensions = parts.extensions;
        extensions.extend(std::mem::take(mapped.extensions_mut()));
        *mapped.extensions_mut() = extensions;
        if head {
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
