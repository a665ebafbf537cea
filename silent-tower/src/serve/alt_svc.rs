//! The TCP side of a server with HTTP/3: requests get a [`RequestBody`], responses an `Alt-Svc`.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::header::ALT_SVC;
use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use pin_project::pin_project;
use tower_service::Service;

use super::body::RequestBody;

/// How long a client may remember the advertisement, in seconds (a day, as is common).
const MAX_AGE: u32 = 86_400;

/// The `Alt-Svc` value that points clients at HTTP/3 on `port`, same host.
pub(super) fn alt_svc_value(port: u16) -> HeaderValue {
    HeaderValue::try_from(format!("h3=\":{port}\"; ma={MAX_AGE}"))
        .expect("digits and quotes make a valid header value")
}

/// Wraps the service of a server with HTTP/3 for its TCP connections: the body becomes a
/// [`RequestBody`], and every response that has no `Alt-Svc` of its own gets one.
#[derive(Clone, Debug)]
pub(super) struct AdvertiseHttp3<S> {
    inner: S,
    alt_svc: HeaderValue,
}

impl<S> AdvertiseHttp3<S> {
    pub(super) fn new(inner: S, alt_svc: HeaderValue) -> Self {
        Self { inner, alt_svc }
    }
}

impl<S, B> Service<Request<Incoming>> for AdvertiseHttp3<S>
where
    S: Service<Request<RequestBody>, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = AdvertiseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        AdvertiseFuture {
            inner: self.inner.call(request.map(RequestBody::from)),
            // A clone of a `HeaderValue` made from a `String` shares its bytes: no allocation.
            alt_svc: Some(self.alt_svc.clone()),
        }
    }
}

/// The future of [`AdvertiseHttp3`]: the inner future, then the header.
#[pin_project]
pub(super) struct AdvertiseFuture<F> {
    #[pin]
    inner: F,
    alt_svc: Option<HeaderValue>,
}

impl<F, B, E> Future for AdvertiseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(alt_svc) = this.alt_svc.take() {
            response.headers_mut().entry(ALT_SVC).or_insert(alt_svc);
        }
        Poll::Ready(Ok(response))
    }
}
