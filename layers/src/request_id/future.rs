//! [`ResponseFuture`], the future of a [`RequestIdService`](super::RequestIdService).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{HeaderName, HeaderValue, Response};
use pin_project::pin_project;

/// Response future of [`RequestIdService`](super::RequestIdService): the inner future, and the
/// header it puts on the response. No allocation: the id is moved into the response.
#[pin_project]
#[derive(Debug)]
pub struct ResponseFuture<F> {
    #[pin]
    state: State<F>,
}

#[pin_project(project = StateProj, project_replace = StateOwn)]
#[derive(Debug)]
enum State<F> {
    Running {
        #[pin]
        response: F,
        header_name: HeaderName,
        id: HeaderValue,
    },
    Done,
}

impl<F> ResponseFuture<F> {
    pub(super) fn new(response: F, header_name: HeaderName, id: HeaderValue) -> Self {
        Self {
            state: State::Running {
                response,
                header_name,
                id,
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        let StateProj::Running { response, .. } = state.as_mut().project() else {
            panic!("`request_id::ResponseFuture` polled after completion");
        };
        let result = ready!(response.poll(cx));
        let StateOwn::Running {
            header_name, id, ..
        } = state.project_replace(State::Done)
        else {
            unreachable!("the state was `Running` above");
        };
        Poll::Ready(result.map(|mut response| {
            response.headers_mut().insert(header_name, id);
            response
        }))
    }
}
