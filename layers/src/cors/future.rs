//! The future returned by [`Cors`](super::Cors).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{HeaderMap, HeaderValue, Response, StatusCode};
use pin_project::pin_project;

use super::answer::Config;

/// Response future of [`Cors`](super::Cors): either the inner service's future, whose response
/// gets the CORS headers, or the layer's own answer to a preflight or a rejected origin.
#[pin_project]
#[derive(Debug)]
pub struct ResponseFuture<F> {
    #[pin]
    kind: Kind<F>,
}

#[pin_project(project = KindProj)]
#[derive(Debug)]
enum Kind<F> {
    Inner {
        #[pin]
        future: F,
        config: Arc<Config>,
        /// `Access-Control-Allow-Origin`; `None` for a disallowed origin or no origin at all.
        allow_origin: Option<HeaderValue>,
    },
    Answer {
        status: StatusCode,
        /// Taken when the answer is returned.
        headers: Option<HeaderMap>,
    },
}

impl<F> ResponseFuture<F> {
    pub(super) fn inner(future: F, config: Arc<Config>, allow_origin: Option<HeaderValue>) -> Self {
        Self {
            kind: Kind::Inner {
                future,
                config,
                allow_origin,
            },
        }
    }

    pub(super) fn answer(status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            kind: Kind::Answer {
                status,
                headers: Some(headers),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner {
                future,
                config,
                allow_origin,
            } => {
                let mut response = ready!(future.poll(cx))?;
                config.decorate(response.headers_mut(), allow_origin.take());
                Poll::Ready(Ok(response))
            }
            KindProj::Answer { status, headers } => {
                let headers = headers
                    .take()
                    .expect("cors::ResponseFuture polled after completion");
                let mut response = Response::new(B::default());
                *response.status_mut() = *status;
                *response.headers_mut() = headers;
                Poll::Ready(Ok(response))
            }
        }
    }
}
