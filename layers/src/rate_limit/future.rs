//! [`ResponseFuture`], the future of a [`RateLimit`](super::RateLimit) service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderValue, Response, StatusCode};
use pin_project::pin_project;
use tokio::time::Sleep;
use tower_service::Service;

use super::{RateLimitStore, Shared};

/// Response future of [`RateLimit`](super::RateLimit): the inner service's future, or a
/// `429 Too Many Requests` made without calling it.
#[pin_project]
#[derive(Debug)]
pub struct ResponseFuture<F> {
    #[pin]
    state: State<F>,
}

#[pin_project(project = StateProj, project_replace = StateOwn)]
#[derive(Debug)]
enum State<F> {
    Admitted {
        #[pin]
        response: F,
    },
    Limited {
        retry_after: HeaderValue,
    },
    Done,
}

impl<F> ResponseFuture<F> {
    pub(super) fn admitted(response: F) -> Self {
        Self {
            state: State::Admitted { response },
        }
    }

    pub(super) fn limited(retry_after: HeaderValue) -> Self {
        Self {
            state: State::Limited { retry_after },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = F::Output;

    /// # Panics
    ///
    /// When polled again after it returned `Ready` with a `429`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        match state.as_mut().project() {
            StateProj::Admitted { response } => return response.poll(cx),
            StateProj::Limited { .. } => {}
            StateProj::Done => panic!("`rate_limit::ResponseFuture` polled after completion"),
        }
        let StateOwn::Limited { retry_after } = state.project_replace(State::Done) else {
            unreachable!("the state was `Limited` above");
        };
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response.headers_mut().insert(RETRY_AFTER, retry_after);
        Poll::Ready(Ok(response))
    }
}

/// Response future of a [`RateLimit`](super::RateLimit) service whose buckets live in a
/// [store](super::RateLimitStore): the store's answer, awaited no longer than the layer's
/// [`store_timeout`](super::RateLimitLayer::store_timeout), then the inner service's future, a
/// `429`, or — the store failing with [`fail_closed`](super::RateLimitLayer::fail_closed) set —
/// a `503` with `Retry-After: 1`.
#[pin_project]
pub struct StoreResponseFuture<S, Req, P, St>
where
    S: Service<Req>,
    St: RateLimitStore,
{
    #[pin]
    state: StoreState<S, Req, St::Future>,
    shared: Arc<Shared<P, St>>,
}

#[pin_project(project = StoreProj, project_replace = StoreOwn)]
enum StoreState<S, Req, D>
where
    S: Service<Req>,
{
    Deciding {
        #[pin]
        decision: D,
        #[pin]
        deadline: Sleep,
        inner: S,
        request: Req,
    },
    Admitted {
        #[pin]
        response: S::Future,
    },
    Done,
}

impl<S, Req, P, St> StoreResponseFuture<S, Req, P, St>
where
    S: Service<Req>,
    St: RateLimitStore,
{
    pub(super) fn new(
        decision: St::Future,
        deadline: Sleep,
        inner: S,
        request: Req,
        shared: Arc<Shared<P, St>>,
    ) -> Self {
        Self {
            state: StoreState::Deciding {
                decision,
                deadline,
                inner,
                request,
            },
            shared,
        }
    }
}

impl<S, Req, P, St> fmt::Debug for StoreResponseFuture<S, Req, P, St>
where
    S: Service<Req>,
    St: RateLimitStore,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            StoreState::Deciding { .. } => "deciding",
            StoreState::Admitted { .. } => "admitted",
            StoreState::Done => "done",
        };
        f.debug_struct("StoreResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// What the store's answer (or its absence) means for the request.
enum Verdict {
    Admit,
    Limit(Duration),
    Unavailable,
}

impl<S, Req, P, St, B> Future for StoreResponseFuture<S, Req, P, St>
where
    S: Service<Req, Response = Response<B>>,
    St: RateLimitStore,
    B: Default,
{
    type Output = Result<Response<B>, S::Error>;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let shared = &**this.shared;
        let mut state = this.state;
        let verdict = match state.as_mut().project() {
            StoreProj::Admitted { response } => return response.poll(cx),
            StoreProj::Done => panic!("`rate_limit::StoreResponseFuture` polled after completion"),
            StoreProj::Deciding {
                decision, deadline, ..
            } => match decision.poll(cx) {
                Poll::Ready(Ok(Ok(()))) => {
                    shared.store_answered();
                    Verdict::Admit
                }
                Poll::Ready(Ok(Err(wait))) => {
                    shared.store_answered();
                    Verdict::Limit(wait)
                }
                Poll::Ready(Err(error)) => {
                    shared.store_failed(&error);
                    shared.verdict_on_failure()
                }
                Poll::Pending => match deadline.poll(cx) {
                    Poll::Ready(()) => {
                        shared.store_failed(&format_args!(
                            "no answer within {:?}",
                            shared.store_timeout
                        ));
                        shared.verdict_on_failure()
                    }
                    Poll::Pending => return Poll::Pending,
                },
            },
        };
        // Dropping the store's future here also ends its work (a boxed request, a timer).
        let StoreOwn::Deciding {
            mut inner, request, ..
        } = state.as_mut().project_replace(StoreState::Done)
        else {
            unreachable!("the state was `Deciding` above");
        };
        let (status, retry_after) = match verdict {
            Verdict::Admit => {
                let response = inner.call(request);
                state.set(StoreState::Admitted { response });
                let StoreProj::Admitted { response } = state.project() else {
                    unreachable!("just set");
                };
                return response.poll(cx);
            }
            Verdict::Limit(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                shared.retry_after(u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX)),
            ),
            Verdict::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                HeaderValue::from_static("1"),
            ),
        };
        let mut response = Response::new(B::default());
        *response.status_mut() = status;
        response.headers_mut().insert(RETRY_AFTER, retry_after);
        Poll::Ready(Ok(response))
    }
}

impl<P, St> Shared<P, St> {
    fn verdict_on_failure(&self) -> Verdict {
        if self.fail_open {
            Verdict::Admit
        } else {
            Verdict::Unavailable
        }
    }
}
