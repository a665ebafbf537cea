//! Endpoints, erased once when a route is added, and the inline slot their futures live in.
//!
//! A path's [`MethodRouter`](crate::MethodRouter) is a concrete type: method dispatch is a few
//! comparisons the compiler sees through. When the route is added, that concrete value goes
//! behind an `Arc<dyn Endpoint<B>>`, so the [`Router`](crate::Router) keeps one type however many
//! routes it holds, and the compiler builds each route's code once instead of re-spelling every
//! route in every later route's type. A request makes **one** indirect call, `Endpoint::call`,
//! which builds the endpoint's future and writes it into an [`EndpointFuture`]: a fixed-size
//! buffer of [`ENDPOINT_FUTURE_SIZE`] bytes held inline in the response future, with the poll and
//! drop functions of the future it holds. No allocation, no box — unless the future is larger
//! than the slot. That is decided at compile time, per endpoint: such a future is boxed on its own
//! route only (one allocation per request there, counted by the allocation tests), never refused,
//! since a large handler future is a handler's right and a compile error would leave its author
//! nothing to do but box it by hand.
//!
//! The slot is [`stackfuture`]'s `StackFuture`: the `unsafe` of storing a future of an unnamed type
//! in a byte buffer lives in that crate, and this crate stays `#![forbid(unsafe_code)]`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH};
use http::{Response, StatusCode};
use http_body::Body as _;
use pin_project::pin_project;
use stackfuture::StackFuture;

use crate::body::Body;

/// The bytes an endpoint's future may take and still be held inline by the router's future.
///
/// A handler's future is its `async fn`'s state — what it holds across an `.await` — and its
/// extractors': the request's head (224 bytes), the route's context (128), and while the body is
/// read, the reader. A handler taking `Path<i64>` comes to about 380 bytes; one taking
/// `Path<i64>`, `Query<T>`, `State<Arc<_>>` and `Json<T>`, about 720; one taking the `Request`,
/// about 600, and 224 more if it holds the request across an `.await` — which then no longer
/// fits. Larger futures still work, boxed: see [`EndpointFuture::is_inline`].
///
/// Why not larger: the slot is moved whole when a layer around the router stores the router's
/// future in its own, so every 256 bytes cost about 25 instructions per layer per request
/// (measured on the layered stack of `.ci/bench-gate`).
pub const ENDPOINT_FUTURE_SIZE: usize = 768;

type Slot = StackFuture<'static, Response<Body>, ENDPOINT_FUTURE_SIZE>;

/// A boxed future of any type: the one type an oversized future takes in a slot.
pub(crate) type BoxedFuture = std::pin::Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// `future` in a slot of `N` bytes: inline when it fits, else boxed as a [`BoxedFuture`]. Boxed
/// as `dyn Future` rather than as itself, so that the slot's poll and drop functions for the
/// boxed case are built once for every endpoint, not once per endpoint — most endpoints never
/// take that branch, and each would otherwise pay its code at build time.
#[inline]
pub(crate) fn inline_or_boxed<F, const N: usize>(
    future: F,
) -> StackFuture<'static, Response<Body>, N>
where
    F: Future<Output = Response<Body>> + Send + 'static,
{
    type Slot<const N: usize> = StackFuture<'static, Response<Body>, N>;
    // A `const` condition, so that only the branch taken is built for each `F`: a future that
    // fits costs no boxing code, one that does not no slot-writing code.
    if const { Slot::<N>::has_space_for::<F>() && Slot::<N>::has_alignment_for::<F>() } {
        match Slot::<N>::try_from(future) {
            Ok(slot) => slot,
            // Moved out, not dropped: the arm is never taken, and a drop here would build the
            // error's drop code for every future.
            Err(unfit) => {
                std::mem::forget(unfit);
                unreachable!("the size and alignment were just checked")
            }
        }
    } else {
        let boxed: BoxedFuture = Box::pin(future);
        Slot::<N>::from(boxed)
    }
}

/// The future of one endpoint, held inline in a fixed-size slot.
///
/// Every route's future has this one type, whatever its handler: that is what lets the router's
/// type stay the same as routes are added. A future larger than [`ENDPOINT_FUTURE_SIZE`] (or
/// aligned to more than 8 bytes) is boxed into the slot instead: one allocation per request, on
/// that route only.
///
/// It also answers a `HEAD` request when the endpoint says so ([`answering`](Self::answering)):
/// here, once for every endpoint, rather than in a wrapper future built per endpoint type.
#[pin_project]
pub struct EndpointFuture {
    #[pin]
    slot: Slot,
    head: bool,
}

impl EndpointFuture {
    /// Holds `future`: inline when it fits, boxed when it does not.
    #[inline]
    pub fn new<F>(future: F) -> Self
    where
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        EndpointFuture {
            slot: inline_or_boxed(future),
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
            slot: inline_or_boxed(future),
            head,
        }
    }

    /// Whether [`new`](Self::new) holds a future of type `F` — the type given, exactly —
    /// inline, without an allocation.
    ///
    /// A route does not store its handler's own future: it stores the future of the handler's
    /// *call*, which holds that future beside what the extractors keep (the request's head,
    /// 224 bytes; the route's context, 128; the argument values). So `is_inline(&handler(..))` is a lower bound: `false` means the
    /// route's future is boxed, `true` does not prove that it is not, when the handler's future
    /// is within a few hundred bytes of [`ENDPOINT_FUTURE_SIZE`]. Count the allocations of a
    /// request for the route itself (a counting global allocator, as the router's allocation
    /// tests do) to know.
    ///
    /// ```
    /// use silent_tower_router::{Body, EndpointFuture};
    ///
    /// async fn small() -> http::Response<Body> {
    ///     http::Response::new(Body::empty())
    /// }
    /// assert!(EndpointFuture::is_inline(&small()));
    ///
    /// let large = async {
    ///     let scratch = [0u8; 4096];
    ///     std::future::ready(()).await;
    ///     http::Response::new(Body::from(scratch.to_vec()))
    /// };
    /// assert!(!EndpointFuture::is_inline(&large));
    /// ```
    pub const fn is_inline<F>(_: &F) -> bool {
        Slot::has_space_for::<F>() && Slot::has_alignment_for::<F>()
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
