//! [`RouterFuture`]: the future of a router, the matched endpoint's future held inline.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project::pin_project;

use crate::body::Body;
use crate::endpoint::EndpointFuture;
use crate::extract::rejection::RejectionHook;

/// The future of a [`Router`](crate::Router): the matched endpoint's future, held inline, and
/// the router's [rejection hook](crate::Router::map_rejection), if it has one.
#[pin_project]
#[derive(Debug)]
pub struct RouterFuture {
    // Written field by field where the router calls the endpoint (`Router::call`), so that the
    // endpoint's future is built in place: through a constructor, the slot is copied.
    #[pin]
    pub(super) future: EndpointFuture,
    pub(super) hook: Option<RejectionHook>,
}

impl RouterFuture {
    #[inline]
    pub(crate) fn new(future: EndpointFuture) -> Self {
        RouterFuture { future, hook: None }
    }

    #[inline]
    pub(crate) fn into_parts(self) -> (EndpointFuture, Option<RejectionHook>) {
        (self.future, self.hook)
    }
}

impl Future for RouterFuture {
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let poll = this.future.poll(cx);
        // Without a hook, the response is passed on as it is, not moved through a `match`.
        match this.hook {
            None => poll.map(Ok),
            Some(hook) => poll.map(|response| Ok(hook.apply(response))),
        }
    }
}
