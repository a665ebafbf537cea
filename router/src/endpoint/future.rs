//! Endpoints, erased once when a route is added, and the pooled buffer their futures live in.
//!
//! A path's [`MethodRouter`](crate::MethodRouter) is a concrete type: method dispatch is a few
//! comparisons the compiler sees through. When the route is added, that concrete value goes
//! behind an `Arc<dyn Endpoint<B>>`, so the [`Router`](crate::Router) keeps one type however many
//! routes it holds, and the compiler builds each route's code once instead of re-spelling every
//! route in every later route's type. A request makes **one** indirect call, `Endpoint::call`,
//! which builds the endpoint's future and writes it into an [`EndpointFuture`]: a handle of four
//! words to a buffer taken from the current thread's pool ([`silent_tower_pool`]) — the buffer
//! the last request on the thread gave back, still in cache — with the poll and drop functions
//! of the future it holds. No allocation per request, no box — unless the future is larger than
//! [`ENDPOINT_FUTURE_SIZE`]. That is decided at compile time, per endpoint: such a future is boxed
//! on its own route only (one allocation per request there, counted by the allocation tests),
//! never refused, since a large handler future is a handler's right and a compile error would
//! leave its author nothing to do but box it by hand.
//!
//! Why a pool and not an inline slot: a slot is as large as the largest future it must hold, and
//! each move of the router's future copies all of it — into a layer's future, into a server's
//! per-connection state (cold memory when it holds a thousand connections), into each HTTP/2
//! stream's task (BENCHMARKS.md, "The endpoint's future in a pooled buffer"). The handle moves in
//! 32 bytes. The `unsafe` of writing a future of an unnamed type into a buffer lives in
//! `silent-tower-pool`, tested under Miri, and this crate stays `#![forbid(unsafe_code)]`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH};
use http::{Response, StatusCode};
use http_body::Body as _;
use pin_project::pin_project;
use silent_tower_pool::PooledFuture;

use crate::body::Body;

/// The bytes an endpoint's future may take and still be held without a box of its own: the
/// largest of the pool's buffers ([`silent_tower_pool::LARGEST`]).
///
/// A handler's future is its `async fn`'s state — what it holds across an `.await` — and its
/// extractors': the request's head (224 bytes), the route's context (128), and while the body is
/// read, the reader. A handler taking `Path<i64>` comes to about 380 bytes; one taking
/// `Path<i64>`, `Query<T>`, `State<Arc<_>>` and `Json<T>`, about 720; a route's own
/// [`from_fn`](crate::middleware::from_fn) around a handler, a few hundred more. Each takes the
/// smallest buffer that holds it (128 bytes to 4 KiB); larger futures still work, boxed: see
/// [`EndpointFuture::is_unboxed`].
pub const ENDPOINT_FUTURE_SIZE: usize = silent_tower_pool::LARGEST;

type Slot = PooledFuture<Response<Body>>;

/// The future of one endpoint, held in a pooled buffer.
///
/// Every route's future has this one type, whatever its handler: that is what lets the router's
/// type stay the same as routes are added. A future larger than [`ENDPOINT_FUTURE_SIZE`] (or
/// aligned to more than 16 bytes) is boxed instead: one allocation per request, on that route
/// only.
///
/// It also answers a `HEAD` request when the endpoint says so (`answering`):
/// here, once for every endpoint, rather than in a wrapper future built per endpoint type.
#[pin_project]
pub struct EndpointFuture {
    #[pin]
    slot: Slot,
    head: bool,
}

impl EndpointFuture {
    /// Holds `future`: in a pooled buffer when one holds it, boxed when none does.
    #[inline]
    pub fn new<F>(future: F) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        EndpointFuture {
            slot: PooledFuture::new(future),
            head: false,
        }
    }

    /// Holds `future` as [`new`](Self::new) does, and when `head` is set answers a `HEAD`
    /// request with what it gives — a `HEAD` handler's answer or `GET`'s: the headers stay, the
    /// body goes, and the length it had is kept in `Content-Length` when known, so that in
    /// process too (a layer, a test calling the router) a `HEAD` answer never carries a body.
    #[inline]
    pub(crate) fn answering<F>(future: F, head: bool) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        EndpointFuture {
            slot: PooledFuture::new(future),
            head,
        }
    }

    /// Whether [`new`](Self::new) holds a future of type `F` — the type given, exactly —
    /// without a box of its own: not larger than [`ENDPOINT_FUTURE_SIZE`], not aligned to more
    /// than 16 bytes.
    ///
    /// A route does not store its handler's own future: it stores the future of the handler's
    /// *call*, which holds that future beside what the extractors keep (the request's head,
    /// 224 bytes; the route's context, 128; the argument values). So
    /// `is_unboxed(&handler(..))` is a lower bound: `false` means the route's future is boxed,
    /// `true` does not prove that it is not, when the handler's future is within a few hundred
    /// bytes of [`ENDPOINT_FUTURE_SIZE`]. Count the allocations of a request for the route
    /// itself (a counting global allocator, as the router's allocation tests do) to know.
    ///
    /// ```
    /// use silent_tower_router::{Body, EndpointFuture, ENDPOINT_FUTURE_SIZE};
    ///
    /// async fn small() -> http::Response<Body> {
    ///     http::Response::new(Body::empty())
    /// }
    /// assert!(EndpointFuture::is_unboxed(&small()));
    ///
    /// let large = async {
    ///     let scratch = [0u8; 2 * ENDPOINT_FUTURE_SIZE];
    ///     std::future::ready(()).await;
    ///     http::Response::new(Body::from(scratch.to_vec()))
    /// };
    /// assert!(!EndpointFuture::is_unboxed(&large));
    /// ```
    pub const fn is_unboxed<F>(_: &F) -> bool {
        Slot::holds::<F>()
    }
}

impl Future for EndpointFuture {
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        let this = self.project();
        // Two calls rather than one whose answer is then looked at: the common case returns the
        // slot's answer as it is, written once into the caller's place.
        if *this.head {
            this.slot.poll(cx).map(without_body)
        } else {
            this.slot.poll(cx)
        }
    }
}

impl fmt::Debug for EndpointFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointFuture").finish_non_exhaustive()
    }
}

/// Marks a response that answered a `HEAD` request when its length was not known, so that an
/// outer endpoint that drops the body again (a router's layer around the route, a router nested
/// as a service) does not take the empty body for the answer's length. Of no size, it costs no
/// allocation of its own, and is put only on those responses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnsweredHead;

/// `response` as the answer to a `HEAD` request: no body, its length kept in `Content-Length`
/// when it is known (and the status allows one), as `GET` would have sent it. A response that
/// already answered the `HEAD` inside this one is passed on as it is.
#[cold]
#[inline(never)]
pub(crate) fn without_body(mut response: Response<Body>) -> Response<Body> {
    let length = response.body().size_hint().exact();
    let marked = response.extensions().get::<AnsweredHead>().is_some();
    if marked && length == Some(0) {
        return response;
    }
    let status = response.status();
    if length.is_none() {
        response.extensions_mut().insert(AnsweredHead);
    }
    let may_have_length = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    if may_have_length && !response.headers().contains_key(CONTENT_LENGTH) {
        if let Some(length) = length {
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, length_value(length));
        }
    }
    *response.body_mut() = Body::empty();
    response
}

/// `length` as a header value, in one allocation: `HeaderValue::from(u64)` formats into a
/// growable buffer and then shares it (two), and `0` — an empty answer's — costs none.
fn length_value(mut length: u64) -> HeaderValue {
    if length == 0 {
        return HeaderValue::from_static("0");
    }
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while length > 0 {
        start -= 1;
        digits[start] = b'0' + (length % 10) as u8;
        length /= 10;
    }
    // A `Bytes` copied from a slice has its exact length, so the header value keeps it as it is.
    match HeaderValue::from_maybe_shared(Bytes::copy_from_slice(&digits[start..])) {
        Ok(value) => value,
        Err(_) => unreachable!("ASCII digits are a valid header value"),
    }
}
