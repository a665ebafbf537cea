//! [`ResponseFuture`], the future of an [`ExceptionHandler`](super::ExceptionHandler) service.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;

use super::config::{HandleError, HandlePanic, Handlers, RewriteResponse};

/// Response future of [`ExceptionHandler`](super::ExceptionHandler): polls the inner future
/// inside [`catch_unwind`] and turns its error, its panic or its error status into a response
/// through the handlers `H`. It never fails.
///
/// Once the inner future has answered or panicked it is dropped and never polled again.
#[pin_project]
#[derive(Debug)]
pub struct ResponseFuture<F, H, B> {
    #[pin]
    state: State<F, H, B>,
}

#[pin_project(project = StateProj, project_replace = StateOwn)]
#[derive(Debug)]
enum State<F, H, B> {
    Running {
        #[pin]
        future: F,
        handlers: H,
        /// Whether the request is a gRPC call, answered through the handlers' gRPC methods.
        grpc: bool,
    },
    /// Answered already by `call`: the inner service panicked in `call` or was not ready.
    Answered {
        response: Response<B>,
    },
    Done,
}

impl<F, H, B> ResponseFuture<F, H, B> {
    pub(super) fn running(future: F, handlers: H, grpc: bool) -> Self {
        Self {
            state: State::Running {
                future,
                handlers,
                grpc,
            },
        }
    }

    pub(super) fn answered(response: Response<B>) -> Self {
        Self {
            state: State::Answered { response },
        }
    }
}

impl<F, E, B, OnErr, OnPanic, OnStatus> Future
    for ResponseFuture<F, Handlers<OnErr, OnPanic, OnStatus>, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    OnErr: HandleError<E, B>,
    OnPanic: HandlePanic<B>,
    OnStatus: RewriteResponse<B>,
{
    type Output = Result<Response<B>, Infallible>;

    /// # Panics
    ///
    /// When polled again after it returned `Ready`, or when a handler panics.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        let outcome = match state.as_mut().project() {
            StateProj::Running { future, .. } => {
                match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(result)) => Outcome::Finished(result),
                    Err(payload) => Outcome::Panicked(payload),
                }
            }
            StateProj::Answered { .. } => Outcome::Answered,
            StateProj::Done => {
                panic!("`exception_handler::ResponseFuture` polled after completion")
            }
        };
        // `Done` before any handler runs: the inner future is dropped now, never polled again.
        let response = match (state.project_replace(State::Done), outcome) {
            (StateOwn::Answered { response }, _) => response,
            (StateOwn::Running { handlers, .. }, Outcome::Finished(Ok(response))) => {
                let status = response.status();
                if status.is_client_error() || status.is_server_error() {
                    handlers.on_status.rewrite_response(response)
                } else {
                    response
                }
            }
            (StateOwn::Running { handlers, grpc, .. }, Outcome::Finished(Err(error))) => {
                handlers.error_response(error, grpc)
            }
            (StateOwn::Running { handlers, grpc, .. }, Outcome::Panicked(payload)) => {
                handlers.panic_response(payload, grpc)
            }
            (StateOwn::Running { .. }, Outcome::Answered) | (StateOwn::Done, _) => {
                unreachable!("the outcome was read from this very state")
            }
        };
        Poll::Ready(Ok(response))
    }
}

/// What polling the state found.
enum Outcome<T> {
    Finished(T),
    Panicked(Box<dyn Any + Send>),
    Answered,
}
