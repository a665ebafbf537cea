//! [`RouterFuture`]: the future of a router, the matched endpoint's future in a pooled buffer.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;

use crate::body::Body;
use crate::endpoint::EndpointFuture;

/// The future of a [`Router`](crate::Router): the matched endpoint's [`EndpointFuture`], a handle
/// to the buffer from a per-thread pool that the endpoint's own future lives in.
///
/// It is 40 bytes at most and `Send + Sync + Unpin`, whatever the routes: moving it (into a
/// layer's future, into a server's per-connection state, into an HTTP/2 stream's task) copies
/// the handle, not the endpoint's future.
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
