//! Counting a connection's requests in its [`Activity`]: started when the service is called, in
//! flight until the response body has been sent or dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project::pin_project;
use tower_service::Service;

use super::activity::Activity;

/// Counts a connection's requests in its [`Activity`]: started at the call, in flight until the
/// response body has been sent or dropped.
#[derive(Clone, Debug)]
pub(super) struct CountRequests<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> CountRequests<S> {
    pub(super) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for CountRequests<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
{
    type Response = Response<InFlightBody<B>>;
    type Error = S::Error;
    type Future = InFlightFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        self.activity.request_started();
        InFlightFuture {
            inner: self.inner.call(request),
            guard: Some(InFlight(Arc::clone(&self.activity))),
        }
    }
}

/// Ends a request in its [`Activity`] when dropped.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
    #[cfg_attr(not(feature = "http3"), allow(dead_code))]
    pub(super) fn start(activity: &Arc<Activity>) -> Self {
        activity.request_started();
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// The future of [`CountRequests`]: the response's body carries the in-flight guard on.
#[pin_project]
pub(super) struct InFlightFuture<F> {
    #[pin]
    inner: F,
    guard: Option<InFlight>,
}

impl<F, B, E> Future for InFlightFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<InFlightBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|body| InFlightBody {
            body,
            _guard: guard,
        })))
    }
}

/// A response body that keeps its request in flight until it is dropped.
#[pin_project]
pub(super) struct InFlightBody<B> {
    #[pin]
    body: B,
    _guard: Option<InFlight>,
}

impl<B: http_body::Body> http_body::Body for InFlightBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
