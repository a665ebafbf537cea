//! [`RouterFuture`]: the future of a router, the matched endpoint's future held inline.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;

use crate::body::Body;
use crate::endpoint::EndpointFuture;
use crate::extract::rejection::ArmedHook;

/// The future of a [`Router`](crate::Router): the matched endpoint's future, held inline, and
/// the router's [rejection hook](crate::Router::map_rejection), if it has one.
#[pin_project]
#[derive(Debug)]
pub struct RouterFuture {
    #[pin]
    future: EndpointFuture,
    hook: Option<ArmedHook>,
}

impl RouterFuture {
    #[inline]
    pub(crate) fn new(future: EndpointFuture) -> Self {
        RouterFuture { future, hook: None }
    }

    #[inline]
    pub(crate) fn with_hook(future: EndpointFuture, hook: Option<ArmedHook>) -> Self {
        RouterFuture { future, hook }
    }

    #[inline]
    pub(crate) fn into_parts(self) -> (EndpointFuture, Option<ArmedHook>) {
        (self.future, self.hook)
    }
}

impl Future for RouterFuture {
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.future.poll(cx) {
            Poll::Ready(response) => Poll::Ready(Ok(match this.hook {
                None => response,
                Some(hook) => hook.apply(response),
            })),
            Poll::Pending => Poll::Pending,
        }
    }
}
