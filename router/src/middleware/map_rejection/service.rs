//! The service: passes the request on and notes whether it was a `HEAD`.

use std::fmt;
use std::task::{Context, Poll};

use http::{Method, Request, Response};
use tower_service::Service;

use super::MapRejectionFuture;
use crate::body::Body;
use crate::extract::rejection::Rejection;
use crate::response::IntoResponse;

/// `inner` with its rejections answered by `map`: made by [`MapRejectionLayer`](super::MapRejectionLayer).
#[derive(Clone, Copy)]
pub struct MapRejection<S, F> {
    inner: S,
    map: F,
}

impl<S, F> MapRejection<S, F> {
    /// `inner`, its rejections answered by `map(rejection)`.
    pub const fn new(inner: S, map: F) -> Self {
        MapRejection { inner, map }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, back.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, R, B> Service<Request<B>> for MapRejection<S, F>
where
    S: Service<Request<B>, Response = Response<Body>>,
    F: Fn(Rejection) -> R + Clone,
    R: IntoResponse,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = MapRejectionFuture<S::Future, F>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The answer to a `HEAD` has no body, the mapped one neither: the request is gone by then.
        let head = req.method() == Method::HEAD;
        MapRejectionFuture::new(self.inner.call(req), self.map.clone(), head)
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapRejection<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRejection")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
