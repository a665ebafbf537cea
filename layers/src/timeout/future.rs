//! [`ResponseFuture`], the future of a [`Timeout`](super::Timeout) service.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project::pin_project;
use tokio::time::Sleep;

use super::config::{OnElapsed, Respond};

/// Response future of [`Timeout`](super::Timeout): the inner future raced against a
/// [`Sleep`] held inline, no allocation.
///
/// The inner future is polled first, so a response that is ready when the deadline passes wins.
/// Whichever finishes first, the inner future and the timer are dropped right then, not when this
/// future is.
#[pin_project]
#[derive(Debug)]
pub struct ResponseFuture<F, P = Respond> {
    #[pin]
    state: State<F, P>,
}

#[pin_project(project = StateProj, project_replace = StateOwn)]
#[derive(Debug)]
enum State<F, P> {
    Running {
        #[pin]
        response: F,
        #[pin]
        sleep: Sleep,
        on_elapsed: P,
        /// Whether the request is a gRPC call to answer the gRPC way.
        grpc: bool,
    },
    Done,
}

impl<F, P> ResponseFuture<F, P> {
    pub(super) fn new(response: F, sleep: Sleep, on_elapsed: P, grpc: bool) -> Self {
        Self {
            state: State::Running {
                response,
                sleep,
                on_elapsed,
                grpc,
            },
        }
    }
}

impl<F, P, T, E> Future for ResponseFuture<F, P>
where
    F: Future<Output = Result<T, E>>,
    P: OnElapsed<T, E>,
{
    type Output = Result<T, P::Error>;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        let StateProj::Running {
            response, sleep, ..
        } = state.as_mut().project()
        else {
            panic!("`timeout::ResponseFuture` polled after completion");
        };
        if let Poll::Ready(result) = response.poll(cx) {
            state.set(State::Done);
            return Poll::Ready(result.map_err(P::map_error));
        }
        ready!(sleep.poll(cx));
        match state.project_replace(State::Done) {
            StateOwn::Running {
                on_elapsed, grpc, ..
            } => Poll::Ready(on_elapsed.on_elapsed(grpc)),
            StateOwn::Done => unreachable!("the state was `Running` above"),
        }
    }
}
