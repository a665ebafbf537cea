//! [`HandleErrorLayer`]: a fallible service — `tower::timeout`, `load_shed`, `buffer` — made
//! into one a router can route to, its errors answered by a function, as axum's.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project::pin_project;
use tower::util::Oneshot;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{Body, BoxError};
use crate::response::IntoResponse;

/// Answers the errors of the service it wraps with `f(error)`, an `async fn` that returns a
/// response: `HandleErrorLayer::new(|err: BoxError| async move { (StatusCode::REQUEST_TIMEOUT,
/// err.to_string()) })` under a `TimeoutLayer` makes the pair a route with `Error = Infallible`.
///
/// ```
/// use std::time::Duration;
///
/// use http::StatusCode;
/// use silent_tower_router::middleware::HandleErrorLayer;
/// use silent_tower_router::{get, BoxError, Router};
/// use tower::ServiceBuilder;
///
/// async fn slow() -> &'static str {
///     tokio::time::sleep(Duration::from_secs(5)).await;
///     "late"
/// }
///
/// let app: Router = Router::new().route(
///     "/slow",
///     get(slow).layer(
///         ServiceBuilder::new()
///             .layer(HandleErrorLayer::new(|_: BoxError| async { StatusCode::REQUEST_TIMEOUT }))
///             .timeout(Duration::from_millis(100)),
///     ),
/// );
/// # let _ = app;
/// ```
///
/// The wrapped service is cloned per request (as `tower::util::Oneshot` drives it: readiness,
/// then the call), so a not-ready service — a full buffer, a shed load — answers through `f` too.
pub struct HandleErrorLayer<F> {
    f: F,
}

impl<F> HandleErrorLayer<F> {
    /// Answers errors with `f`.
    pub fn new(f: F) -> Self {
        HandleErrorLayer { f }
    }
}

impl<F: Clone> Clone for HandleErrorLayer<F> {
    fn clone(&self) -> Self {
        HandleErrorLayer { f: self.f.clone() }
    }
}

impl<F> fmt::Debug for HandleErrorLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleErrorLayer").finish_non_exhaustive()
    }
}

impl<S, F: Clone> Layer<S> for HandleErrorLayer<F> {
    type Service = HandleError<S, F>;

    fn layer(&self, inner: S) -> HandleError<S, F> {
        HandleError {
            inner,
            f: self.f.clone(),
        }
    }
}

/// The service of [`HandleErrorLayer`].
#[derive(Clone)]
pub struct HandleError<S, F> {
    inner: S,
    f: F,
}

impl<S, F> HandleError<S, F> {
    /// `inner` with its errors answered by `f`.
    pub fn new(inner: S, f: F) -> Self {
        HandleError { inner, f }
    }
}

impl<S, F> fmt::Debug for HandleError<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleError").finish_non_exhaustive()
    }
}

impl<S, F, Fut, B, ResBody> Service<Request<B>> for HandleError<S, F>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone,
    F: FnOnce(S::Error) -> Fut + Clone,
    Fut: Future,
    Fut::Output: IntoResponse,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = HandleErrorFuture<S, Request<B>, F, Fut>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        HandleErrorFuture {
            state: Stage::Service {
                future: Oneshot::new(self.inner.clone(), req),
                f: Some(self.f.clone()),
            },
        }
    }
}

/// The future of [`HandleError`]: the service's, then, on an error, the error handler's.
#[pin_project]
pub struct HandleErrorFuture<S: Service<R>, R, F, Fut> {
    #[pin]
    state: Stage<S, R, F, Fut>,
}

#[pin_project(project = StageProj)]
enum Stage<S: Service<R>, R, F, Fut> {
    Service {
        #[pin]
        future: Oneshot<S, R>,
        f: Option<F>,
    },
    Handler(#[pin] Fut),
}

impl<S, R, F, Fut, ResBody> Future for HandleErrorFuture<S, R, F, Fut>
where
    S: Service<R, Response = Response<ResBody>>,
    F: FnOnce(S::Error) -> Fut,
    Fut: Future,
    Fut::Output: IntoResponse,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StageProj::Service { future, f } => match ready!(future.poll(cx)) {
                    Ok(response) => return Poll::Ready(Ok(response.map(Body::new))),
                    Err(err) => {
                        let Some(f) = f.take() else {
                            unreachable!("the handler is taken once, on the error")
                        };
                        state.set(Stage::Handler(f(err)));
                    }
                },
                StageProj::Handler(future) => {
                    return Poll::Ready(Ok(ready!(future.poll(cx)).into_response()))
                }
            }
        }
    }
}

impl<S: Service<R>, R, F, Fut> fmt::Debug for HandleErrorFuture<S, R, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleErrorFuture").finish_non_exhaustive()
    }
}
