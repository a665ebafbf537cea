//! The futures `from_fn` runs, one phase at a time, so that a middleware function's future is
//! held inline and alone: an `async` block that awaited the function's future would hold it
//! beside everything the block captured, and take a larger pooled buffer than it needs.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::Response;
use pin_project::pin_project;

use crate::body::Body;
use crate::response::IntoResponse;

/// A future whose output is turned into a response.
#[pin_project]
pub(super) struct IntoResponseFuture<Fut> {
    #[pin]
    pub(super) future: Fut,
}

impl<Fut: Future<Output: IntoResponse>> Future for IntoResponseFuture<Fut> {
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        self.project()
            .future
            .poll(cx)
            .map(IntoResponse::into_response)
    }
}

/// First the extractors, whose future answers with the function's future (or a rejection's
/// response), then that future, in the same place: the larger of the two, not their sum.
#[pin_project(project = PhaseProj)]
pub(super) enum ExtractThenRun<E, Fut> {
    Extracting(#[pin] E),
    Running(#[pin] Fut),
}

impl<E, Fut> ExtractThenRun<E, Fut> {
    pub(super) fn new(extract: E) -> Self {
        ExtractThenRun::Extracting(extract)
    }
}

impl<E, Fut> Future for ExtractThenRun<E, Fut>
where
    E: Future<Output = Result<Fut, Response<Body>>>,
    Fut: Future<Output: IntoResponse>,
{
    type Output = Response<Body>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        loop {
            match self.as_mut().project() {
                PhaseProj::Extracting(extract) => match ready!(extract.poll(cx)) {
                    Ok(future) => self.set(ExtractThenRun::Running(future)),
                    Err(rejection) => return Poll::Ready(rejection),
                },
                PhaseProj::Running(future) => {
                    return future.poll(cx).map(IntoResponse::into_response)
                }
            }
        }
    }
}
