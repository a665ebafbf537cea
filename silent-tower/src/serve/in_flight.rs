//! Counting a connection's requests in its [`Activity`]: started when the service is called, in
//! flight until the response body has been sent or dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use http::{Request, Response};
use pin_project::pin_project;
use silent_tower_pool::PooledFuture;
use tower_service::Service;

use super::activity::Activity;
use super::BoxError;

/// The connection's service as hyper calls it: the user's service, each request counted in the
/// connection's [`Activity`] from the call until the response body has been sent or dropped.
///
/// It does what hyper-util's `TowerToHyperService` does — clone the service for the request,
/// wait until it is ready, call it — but calls it at once when it is ready, inside hyper's call,
/// so the request's future starts as the service's future. `TowerToHyperService`'s future
/// starts as the service and the request, and becomes the service's future on its first poll:
/// one more copy of that future (a few words for the router's, whose endpoint future lives in a
/// pooled buffer; any size for another service's) and two of the request's head, on every
/// request.
#[derive(Clone, Debug)]
pub(super) struct ServeRequests<S> {
    service: S,
    activity: Arc<Activity>,
}

impl<S> ServeRequests<S> {
    pub(super) fn new(service: S, activity: Arc<Activity>) -> Self {
        Self { service, activity }
    }
}

impl<S, ReqBody, B> hyper::service::Service<Request<ReqBody>> for ServeRequests<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    ReqBody: Send + 'static,
    B: 'static,
{
    type Response = Response<InFlightBody<B>>;
    type Error = BoxError;
    type Future = InFlightFuture<S, ReqBody>;

    fn call(&self, request: Request<ReqBody>) -> Self::Future {
        let guard = InFlight::start(&self.activity);
        let mut service = self.service.clone();
        // Asked with a waker that does nothing: a service that is not ready yet is asked again
        // from the future, with the task's waker, which then replaces this one.
        let readiness = service.poll_ready(&mut Context::from_waker(Waker::noop()));
        let state = match readiness {
            Poll::Ready(Ok(())) => Call::Running(service.call(request)),
            Poll::Ready(Err(error)) => Call::Refused(Some(error.into())),
            Poll::Pending => Call::Waiting(PooledFuture::new(ready_then_call(service, request))),
        };
        InFlightFuture {
            call: state,
            guard: Some(guard),
        }
    }
}

/// Waits until `service` is ready, then calls it with `request`; the service is dropped once
/// called. Its errors are boxed at once, so that the service's own need not be `Send`.
// Not an `async fn`, which would keep room for the service and the request twice (as arguments
// and as locals).
#[allow(clippy::manual_async_fn)]
pub(super) fn ready_then_call<S, R>(
    mut service: S,
    request: R,
) -> impl Future<Output = Result<S::Response, BoxError>>
where
    S: Service<R>,
    S::Error: Into<BoxError>,
{
    async move {
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .map_err(Into::into)?;
        let call = service.call(request);
        drop(service);
        call.await.map_err(Into::into)
    }
}

/// Where a request's call to the service is.
#[pin_project(project = CallProj)]
pub(super) enum Call<S: Service<Request<ReqBody>>, ReqBody> {
    /// The service was ready: its future.
    Running(#[pin] S::Future),
    /// The service was not ready at hyper's call: the wait for it and then its call, in a
    /// pooled buffer (see `silent_tower_pool`). Held inline, the service and the request would
    /// make every request's future — and every HTTP/2 stream's task — a few hundred bytes
    /// larger, for a path the router never takes: 385 instructions an HTTP/2 request
    /// (BENCHMARKS.md).
    Waiting(PooledFuture<Result<S::Response, BoxError>>),
    /// The service failed when asked whether it was ready (its error boxed, as hyper would box
    /// it: an error of the service's own type need not be `Send` until then).
    Refused(Option<BoxError>),
}

/// The future of a request on [`ServeRequests`]: the service's, and the response's body carries
/// the in-flight guard on.
#[pin_project]
pub(super) struct InFlightFuture<S: Service<Request<ReqBody>>, ReqBody> {
    #[pin]
    call: Call<S, ReqBody>,
    guard: Option<InFlight>,
}

impl<S, ReqBody, B> Future for InFlightFuture<S, ReqBody>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
{
    type Output = Result<Response<InFlightBody<B>>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.call.project() {
            CallProj::Running(future) => ready!(future.poll(cx)).map_err(Into::into)?,
            CallProj::Waiting(future) => ready!(Pin::new(future).poll(cx))?,
            CallProj::Refused(error) => {
                return Poll::Ready(Err(error.take().expect("a refused call is polled once")));
            }
        };
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|body| InFlightBody {
            body,
            _guard: guard,
        })))
    }
}

/// Ends a request in its [`Activity`] when dropped.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
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
