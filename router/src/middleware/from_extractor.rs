//! [`from_extractor`]: an extractor run as middleware, as axum's: the request goes on only when
//! the extractor takes it, else the extractor's rejection answers.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::request::Parts;
use http::{Request, Response};
use pin_project::pin_project;
use silent_tower_pool::PooledFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::from_fn::context;
use crate::body::Body;
use crate::extract::FromRequestParts;
use crate::response::IntoResponse;

/// Middleware that runs the extractor `E` on each request before the service it wraps: when `E`
/// is read, the request goes on (the value is dropped; the extractor is there for its check),
/// and when it is not, `E`'s rejection answers and the service is not called. As axum's
/// `middleware::from_extractor`.
///
/// ```
/// use http::request::Parts;
/// use http::StatusCode;
/// use silent_tower_router::extract::{FromRequestParts, RequestContext};
/// use silent_tower_router::middleware::from_extractor;
/// use silent_tower_router::{get, Router};
///
/// /// Requests that carry the right token.
/// struct RequireAuth;
///
/// impl<S: Sync> FromRequestParts<S> for RequireAuth {
///     type Rejection = StatusCode;
///
///     async fn from_request_parts(parts: &mut Parts, _: &RequestContext<S>) -> Result<Self, StatusCode> {
///         match parts.headers.get("authorization") {
///             Some(token) if token == "Bearer secret" => Ok(RequireAuth),
///             _ => Err(StatusCode::UNAUTHORIZED),
///         }
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/admin", get(|| async { "welcome" }).layer(from_extractor::<RequireAuth>()))
///     .route("/public", get(|| async { "hello" }));
/// # let _ = app;
/// ```
///
/// The future is named ([`FromExtractorFuture`]) and holds the extractor's in a pooled buffer:
/// around the whole router a request costs no allocation; on one path with
/// [`MethodRouter::layer`](crate::MethodRouter::layer), none of `from_extractor`'s own, only
/// what any layer of a path's own costs — the route's
/// [`MatchedPath`](crate::extract::MatchedPath) (and parameters) carried across it in the
/// request's extensions, one allocation (see [`Router::layer`](crate::Router::layer)).
pub fn from_extractor<E>() -> FromExtractorLayer<E, ()> {
    from_extractor_with_state(())
}

/// [`from_extractor`] for an extractor that reads a state: `state` is what its
/// `from_request_parts` gets (`State<T>` and `FromRef` sub-states among them).
pub fn from_extractor_with_state<E, S>(state: S) -> FromExtractorLayer<E, S> {
    FromExtractorLayer {
        state,
        _extractor: PhantomData,
    }
}

/// The layer of [`from_extractor`] and [`from_extractor_with_state`].
pub struct FromExtractorLayer<E, S> {
    state: S,
    _extractor: PhantomData<fn() -> E>,
}

impl<E, S: Clone> Clone for FromExtractorLayer<E, S> {
    fn clone(&self) -> Self {
        from_extractor_with_state(self.state.clone())
    }
}

impl<E, S> fmt::Debug for FromExtractorLayer<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromExtractorLayer")
            .field("extractor", &std::any::type_name::<E>())
            .finish_non_exhaustive()
    }
}

impl<I, E, S: Clone> Layer<I> for FromExtractorLayer<E, S> {
    type Service = FromExtractor<I, E, S>;

    fn layer(&self, inner: I) -> Self::Service {
        FromExtractor {
            inner,
            state: self.state.clone(),
            _extractor: PhantomData,
        }
    }
}

/// The service of [`from_extractor`]: `inner`, behind the extractor `E`.
pub struct FromExtractor<I, E, S> {
    inner: I,
    state: S,
    _extractor: PhantomData<fn() -> E>,
}

impl<I: Clone, E, S: Clone> Clone for FromExtractor<I, E, S> {
    fn clone(&self) -> Self {
        FromExtractor {
            inner: self.inner.clone(),
            state: self.state.clone(),
            _extractor: PhantomData,
        }
    }
}

impl<I, E, S> fmt::Debug for FromExtractor<I, E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromExtractor")
            .field("extractor", &std::any::type_name::<E>())
            .finish_non_exhaustive()
    }
}

impl<I, E, S, B> Service<Request<B>> for FromExtractor<I, E, S>
where
    E: FromRequestParts<S> + 'static,
    S: Clone + Send + Sync + 'static,
    I: Service<Request<B>> + Clone,
    I::Response: IntoResponse,
{
    type Response = Response<Body>;
    type Error = I::Error;
    type Future = FromExtractorFuture<I, B>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), I::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        // The service that said it was ready is the one called, once the extractor is done; a
        // clone stays for the next request (tower's usual swap).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let (mut parts, body) = req.into_parts();
        let cx = context(self.state.clone(), &parts);
        let extract = async move {
            match E::from_request_parts(&mut parts, &cx).await {
                Ok(_) => Ok(parts),
                Err(rejection) => Err(rejection.into_response()),
            }
        };
        FromExtractorFuture {
            stage: Stage::Extracting {
                extract: PooledFuture::new(extract),
                rest: Some((body, inner)),
            },
        }
    }
}

/// The future of [`FromExtractor`]: the extractor's (in a pooled buffer), then the inner
/// service's.
#[pin_project]
pub struct FromExtractorFuture<I: Service<Request<B>>, B> {
    #[pin]
    stage: Stage<I, I::Future, B>,
}

/// What an extractor's future gives back: the request's head to pass on, or the answer.
type Extracted = Result<Parts, Response<Body>>;

#[pin_project(project = StageProj)]
enum Stage<I, F, B> {
    Extracting {
        #[pin]
        extract: PooledFuture<Extracted>,
        rest: Option<(B, I)>,
    },
    Calling(#[pin] F),
}

impl<I, B> Future for FromExtractorFuture<I, B>
where
    I: Service<Request<B>>,
    I::Response: IntoResponse,
{
    type Output = Result<Response<Body>, I::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut stage = self.project().stage;
        loop {
            match stage.as_mut().project() {
                StageProj::Extracting { extract, rest } => {
                    let parts = match ready!(extract.poll(cx)) {
                        Ok(parts) => parts,
                        Err(rejection) => return Poll::Ready(Ok(rejection)),
                    };
                    let Some((body, mut inner)) = rest.take() else {
                        unreachable!("the request goes on once, when the extractor is done")
                    };
                    let future = inner.call(Request::from_parts(parts, body));
                    stage.set(Stage::Calling(future));
                }
                StageProj::Calling(future) => {
                    return Poll::Ready(ready!(future.poll(cx)).map(IntoResponse::into_response))
                }
            }
        }
    }
}

impl<I: Service<Request<B>>, B> fmt::Debug for FromExtractorFuture<I, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromExtractorFuture")
            .finish_non_exhaustive()
    }
}
