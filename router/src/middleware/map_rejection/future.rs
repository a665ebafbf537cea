//! The future: the inner service's, and the function to apply when its answer is a rejection.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::Response;
use pin_project::pin_project;

use super::apply::apply;
use crate::body::Body;
use crate::extract::rejection::Rejection;
use crate::response::IntoResponse;

/// The future of [`MapRejection`](super::MapRejection): the inner service's future, held inline.
#[pin_project]
pub struct MapRejectionFuture<Fut, F> {
    #[pin]
    inner: Fut,
    map: F,
    head: bool,
}

impl<Fut, F> MapRejectionFuture<Fut, F> {
    pub(super) fn new(inner: Fut, map: F, head: bool) -> Self {
        MapRejectionFuture { inner, map, head }
    }
}

impl<Fut, F, R, E> Future for MapRejectionFuture<Fut, F>
where
    Fut: Future<Output = Result<Response<Body>, E>>,
    F: Fn(Rejection) -> R,
    R: IntoResponse,
{
    type Output = Result<Response<Body>, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let status = response.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Poll::Ready(Ok(response));
        }
        let map = &*this.map;
        Poll::Ready(Ok(apply(
            response,
            &|rejection| map(rejection).into_response(),
            *this.head,
        )))
    }
}

impl<Fut, F> fmt::Debug for MapRejectionFuture<Fut, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRejectionFuture")
            .field("head", &self.head)
            .finish_non_exhaustive()
    }
}
