//! [`HandleErrorLayer`]: a fallible service — `tower::timeout`, `load_shed`, `buffer` — made
//! into one a router can route to, its errors answered by a function, as axum's.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project::pin_project;
use tower::util::Oneshot;
use tower_layer::Layer;
use tower_service::Service;

use super::from_fn::{context, MiddlewareFuture};
use crate::body::{Body, BoxError};
use crate::extract::FromRequestParts;
use crate::response::IntoResponse;

/// Answers the errors of the service it wraps with `f(error)`, an `async fn` that returns a
/// response: `HandleErrorLayer::new(|err: BoxError| async move { (StatusCode::REQUEST_TIMEOUT,
/// err.to_string()) })` under a `TimeoutLayer` makes the pair a route with `Error = Infallible`.
/// As in axum, `f` may take extractors before the error — `|method: Method, uri: Uri, err:
/// BoxError|` — that read the request's head (with no state) before it goes on; a rejection of
/// theirs answers instead of the service.
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
///
/// With no extractor, the future is named and generic ([`HandleErrorFuture`]); with extractors,
/// it is held in a pooled buffer by a [`MiddlewareFuture`] (boxed only when larger than
/// [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE)).
///
/// `T` is the extractors' types, inferred from `f`.
pub struct HandleErrorLayer<F, T = ()> {
    f: F,
    _extractors: PhantomData<fn() -> T>,
}

impl<F, T> HandleErrorLayer<F, T> {
    /// Answers errors with `f`.
    pub fn new(f: F) -> Self {
        HandleErrorLayer {
            f,
            _extractors: PhantomData,
        }
    }
}

impl<F: Clone, T> Clone for HandleErrorLayer<F, T> {
    fn clone(&self) -> Self {
        HandleErrorLayer::new(self.f.clone())
    }
}

impl<F, T> fmt::Debug for HandleErrorLayer<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleErrorLayer").finish_non_exhaustive()
    }
}

impl<S, F: Clone, T> Layer<S> for HandleErrorLayer<F, T> {
    type Service = HandleError<S, F, T>;

    fn layer(&self, inner: S) -> HandleError<S, F, T> {
        HandleError::new(inner, self.f.clone())
    }
}

/// The service of [`HandleErrorLayer`].
pub struct HandleError<S, F, T = ()> {
    inner: S,
    f: F,
    _extractors: PhantomData<fn() -> T>,
}

impl<S, F, T> HandleError<S, F, T> {
    /// `inner` with its errors answered by `f`.
    pub fn new(inner: S, f: F) -> Self {
        HandleError {
            inner,
            f,
            _extractors: PhantomData,
        }
    }
}

impl<S: Clone, F: Clone, T> Clone for HandleError<S, F, T> {
    fn clone(&self) -> Self {
        HandleError::new(self.inner.clone(), self.f.clone())
    }
}

impl<S, F, T> fmt::Debug for HandleError<S, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleError").finish_non_exhaustive()
    }
}

impl<S, F, Fut, B, ResBody> Service<Request<B>> for HandleError<S, F, ()>
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

macro_rules! handle_error_with_extractors {
    ($($ty:ident)+) => {
        /// `f` takes extractors before the error: they read the request's head before it goes
        /// on, and are handed to `f` with the error.
        impl<S, F, Fut, B, ResBody, $($ty,)+> Service<Request<B>> for HandleError<S, F, ($($ty,)+)>
        where
            S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
            S::Future: Send,
            S::Error: Send,
            F: FnOnce($($ty,)+ S::Error) -> Fut + Clone + Send + 'static,
            Fut: Future + Send,
            Fut::Output: IntoResponse,
            B: Send + 'static,
            ResBody: http_body::Body<Data = Bytes> + Send + 'static,
            ResBody::Error: Into<BoxError>,
            $($ty: FromRequestParts<()> + Send + 'static,)+
        {
            type Response = Response<Body>;
            type Error = Infallible;
            type Future = MiddlewareFuture;

            #[inline]
            fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
                Poll::Ready(Ok(()))
            }

            #[allow(non_snake_case)]
            fn call(&mut self, req: Request<B>) -> MiddlewareFuture {
                let inner = self.inner.clone();
                let f = self.f.clone();
                MiddlewareFuture::new(async move {
                    let (mut parts, body) = req.into_parts();
                    let cx = context((), &parts);
                    $(
                        let $ty = match $ty::from_request_parts(&mut parts, &cx).await {
                            Ok(value) => value,
                            Err(rejection) => return rejection.into_response(),
                        };
                    )+
                    drop(cx);
                    match Oneshot::new(inner, Request::from_parts(parts, body)).await {
                        Ok(response) => response.map(Body::new),
                        Err(err) => f($($ty,)+ err).await.into_response(),
                    }
                })
            }
        }
    };
}

handle_error_with_extractors!(T1);
handle_error_with_extractors!(T1 T2);
handle_error_with_extractors!(T1 T2 T3);
handle_error_with_extractors!(T1 T2 T3 T4);
handle_error_with_extractors!(T1 T2 T3 T4 T5);
handle_error_with_extractors!(T1 T2 T3 T4 T5 T6);
handle_error_with_extractors!(T1 T2 T3 T4 T5 T6 T7);
handle_error_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8);
