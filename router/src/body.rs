//! [`Body`]: the one response body type of the router.
//!
//! An enum rather than a trait object, so that the bodies a router answers with most often — no
//! body at all, or one chunk of bytes (a `&'static str` costs no allocation) — are plain values.
//! Any other [`http_body::Body`] is accepted through [`Body::new`], which boxes it: the one place a
//! box is taken, and only for bodies that really stream.

use std::any::Any;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::Full;

/// The error type of a streaming [`Body`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BoxBody = Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send + 'static>>;

/// The response body of the router: empty, one chunk of [`Bytes`], or any streaming body.
#[derive(Default)]
pub struct Body {
    kind: Kind,
}

#[derive(Default)]
enum Kind {
    #[default]
    Empty,
    Full(Option<Bytes>),
    Stream(BoxBody),
}

impl Body {
    /// A body with no data.
    pub const fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// A body of one chunk.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Body {
            kind: Kind::Full(Some(bytes.into())),
        }
    }

    /// Wraps any body whose data is [`Bytes`].
    ///
    /// A `Body`, an `http_body_util::Full<Bytes>`, a `String`, and any body that is already at its
    /// end (`http_body_util::Empty`, say) become a `Body` without a box; anything else is boxed
    /// (one allocation) and streamed as it is.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let body = match try_downcast::<Body, B>(body) {
            Ok(body) => return body,
            Err(body) => body,
        };
        let body = match try_downcast::<Full<Bytes>, B>(body) {
            Ok(full) => return Body::from_full(full),
            Err(body) => body,
        };
        let body = match try_downcast::<String, B>(body) {
            Ok(string) => return Body::full(string),
            Err(body) => body,
        };
        if body.is_end_stream() && body.size_hint().exact() == Some(0) {
            return Body::empty();
        }
        Body {
            kind: Kind::Stream(Box::pin(MapErr(body))),
        }
    }

    /// A streaming body from a [`Stream`] of chunks: each `Ok` item becomes one data frame, in
    /// order; an `Err` item ends the body with that error (hyper then aborts the response). The
    /// stream is not polled again after its end or its error.
    ///
    /// The stream is held in a small named adaptor, boxed once like any streaming body.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::BodyExt;
    /// use silent_tower_router::{Body, BoxError};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let chunks = futures_util::stream::iter([Ok::<_, BoxError>("a"), Ok("b")]);
    /// let body = Body::from_stream(chunks);
    /// assert_eq!(body.collect().await.unwrap().to_bytes(), Bytes::from("ab"));
    /// # }
    /// ```
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        Body::new(StreamBody {
            stream,
            done: false,
        })
    }

    /// Takes the one chunk of a `Full`: it is ready at once, so a waker is never needed.
    fn from_full(mut full: Full<Bytes>) -> Self {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(&mut full).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => {
                frame.into_data().map_or_else(|_| Body::empty(), Body::full)
            }
            _ => Body::empty(),
        }
    }

    /// True when the body has no data at all (it may still be a stream that ends at once).
    pub fn is_empty(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            Kind::Stream(_) => false,
        }
    }
}

/// Moves `value` into a `T` when `K` is `T`, with no allocation: the type test happens on an
/// `Option` on the stack.
fn try_downcast<T: 'static, K: 'static>(value: K) -> Result<T, K> {
    let mut slot = Some(value);
    if let Some(slot) = <dyn Any>::downcast_mut::<Option<T>>(&mut slot) {
        if let Some(value) = slot.take() {
            return Ok(value);
        }
    }
    match slot {
        Some(value) => Err(value),
        // The slot is only emptied when the downcast succeeded and returned above.
        None => unreachable!("downcast slot emptied without a match"),
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Full(bytes) => f.debug_tuple("Body::Full").field(bytes).finish(),
            Kind::Stream(_) => f.write_str("Body::Stream(..)"),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(body) => body.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Stream(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream(body) => body.size_hint(),
        }
    }
}

/// The body of [`Body::from_stream`]: each item of the stream, one frame; fused at the end.
#[pin_project::pin_project]
struct StreamBody<S> {
    #[pin]
    stream: S,
    done: bool,
}

impl<S, B, E> http_body::Body for StreamBody<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        let item = ready!(this.stream.poll_next(cx));
        *this.done = !matches!(item, Some(Ok(_)));
        Poll::Ready(item.map(|chunk| {
            chunk
                .map(|data| Frame::data(data.into()))
                .map_err(Into::into)
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

/// Adapts a body's error into [`BoxError`].
#[pin_project::pin_project]
struct MapErr<B>(#[pin] B);

impl<B> http_body::Body for MapErr<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.project()
            .0
            .poll_frame(cx)
            .map(|f| f.map(|r| r.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body::full(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body::full(Bytes::from_static(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::full(text)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::full(bytes)
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::full(bytes)
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}
