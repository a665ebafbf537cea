//! [`RouterFuture`]: the future of a router, the matched endpoint's future held inline.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;

use crate::body::Body;
use crate::endpoint::EndpointFuture;

/// The future of a [`Router`](crate::Router): the matched endpoint's future, held inline.
#[pin_project]
#[derive(Debug)]
pub struct RouterFuture {
    #[pin]
    future: EndpointFuture,
}

impl RouterFuture {
    #[inline]
    pub(crate) fn new(future: EndpointFuture) -> Self {
        RouterFuture { future }
    }

    #[inline]
    pub(crate) fn into_endpoint_future(self) -> EndpointFuture {
        self.future
    }
}

impl Future for RouterFuture {
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Ok)
    }
}
