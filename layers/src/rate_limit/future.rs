//! [`ResponseFuture`], the future of a [`RateLimit`](super::RateLimit) service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::RETRY_AFTER;
use http::{HeaderValue, Response, StatusCode};
use pin_project::pin_project;

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
