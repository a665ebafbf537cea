//! The request body of a server that speaks HTTP/3 beside HTTP/1.1 and HTTP/2.
//!
//! hyper hands TCP requests an [`Incoming`] body, which nothing but hyper can make; h3 hands
//! HTTP/3 requests the receiving half of a QUIC stream. A router has one body type
//! (`Router<(), B>`), so to serve one router over both, [`RequestBody`] is that type: an enum of the
//! two, with `Bytes` data and a boxed error, so that handlers read it without knowing which
//! protocol carried the request. The HTTP/3 half alone is [`H3Body`].

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;

use super::activity::Activity;
use super::h3_bound::{reading_fields, BoundedRecv};
use super::BoxError;

/// The receiving half of an HTTP/3 request stream.
pub(super) type H3RecvStream = h3::server::RequestStream<BoundedRecv, Bytes>;

/// The body of a request served by [`Serve::http3`](super::Serve::http3): hyper's [`Incoming`]
/// for requests that came over TCP, an [`H3Body`] for those that came over QUIC.
///
/// A service given to a server with HTTP/3 takes `http::Request<RequestBody>`; build a router
/// for it with `Router::<(), RequestBody>::with_body()`. Its data frames are [`Bytes`], its trailers
/// pass through, and its error is boxed (errors are rare; boxing one costs nothing otherwise).
/// It is also made `From<Incoming>`, so a service written for it can be served over plain TCP.
pub struct RequestBody {
    kind: Kind,
}

// Not boxed: a box would be an allocation per HTTP/3 request. (hyper's `Incoming` is as large
// with its `http2` feature, which the builds without it leave out.)
#[allow(clippy::large_enum_variant)]
enum Kind {
    Incoming(Incoming),
    H3(H3Body),
}

impl RequestBody {
    /// Which protocol carried the request: `true` for HTTP/3.
    pub fn is_http3(&self) -> bool {
        matches!(self.kind, Kind::H3(_))
    }
}

impl From<Incoming> for RequestBody {
    fn from(body: Incoming) -> Self {
        Self {
            kind: Kind::Incoming(body),
        }
    }
}

impl From<H3Body> for RequestBody {
    fn from(body: H3Body) -> Self {
        Self {
            kind: Kind::H3(body),
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().kind {
            Kind::Incoming(body) => Pin::new(body)
                .poll_frame(cx)
                .map(|frame| frame.map(|frame| frame.map_err(Into::into))),
            Kind::H3(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Incoming(body) => body.is_end_stream(),
            Kind::H3(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Incoming(body) => body.size_hint(),
            Kind::H3(body) => body.size_hint(),
        }
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Incoming(body) => f.debug_tuple("RequestBody").field(body).finish(),
            Kind::H3(body) => f.debug_tuple("RequestBody").field(body).finish(),
        }
    }
}

/// The body of an HTTP/3 request: the data frames of its QUIC stream, then its trailers, if any.
///
/// Data arrives as the client sends it (nothing is buffered beyond what h3 and QUIC's flow
/// control hold); each frame is handed on as [`Bytes`]. When the request has a
/// `content-length`, the data must add up to it (RFC 9114 §4.1.2): more data than it says, or
/// an end before it, is an error for the reader, and the server resets the stream with
/// `H3_MESSAGE_ERROR` instead of answering. The length is then also the body's exact
/// [`size_hint`](Body::size_hint), so a body-size limit refuses an oversized request before
/// reading it.
pub struct H3Body {
    stream: H3RecvStream,
    state: ReadState,
    /// What `content-length` says is still to come.
    remaining: Option<u64>,
    /// Set when the data did not match `content-length`; read by the task sending the response.
    malformed: Option<Arc<AtomicBool>>,
    /// The connection's activity, told of the bytes read, for the idle timeout.
    activity: Arc<Activity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadState {
    Data,
    Trailers,
    Done,
}

/// The data of an HTTP/3 request did not add up to its `content-length`.
#[derive(Debug)]
struct LengthMismatch;

impl fmt::Display for LengthMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the request body does not match its content-length")
    }
}

impl std::error::Error for LengthMismatch {}

impl H3Body {
    pub(super) fn new(
        stream: H3RecvStream,
        content_length: Option<u64>,
        malformed: Option<Arc<AtomicBool>>,
        activity: Arc<Activity>,
    ) -> Self {
        Self {
            stream,
            state: ReadState::Data,
            remaining: content_length,
            malformed,
            activity,
        }
    }

    fn mismatch(&mut self) -> BoxError {
        self.state = ReadState::Done;
        if let Some(malformed) = &self.malformed {
            malformed.store(true, Ordering::Relaxed);
        }
        self.stream.stop_sending(h3::error::Code::H3_MESSAGE_ERROR);
        Box::new(LengthMismatch)
    }
}

impl Body for H3Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        loop {
            match this.state {
                ReadState::Data => match ready!(this.stream.poll_recv_data(cx)) {
                    Ok(Some(mut data)) => {
                        let data = data.copy_to_bytes(data.remaining());
                        this.activity.read_bytes(data.len());
                        if let Some(remaining) = &mut this.remaining {
                            match remaining.checked_sub(data.len() as u64) {
                                Some(left) => *remaining = left,
                                None => return Poll::Ready(Some(Err(this.mismatch()))),
                            }
                        }
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    Ok(None) if this.remaining.is_some_and(|left| left > 0) => {
                        return Poll::Ready(Some(Err(this.mismatch())));
                    }
                    Ok(None) => this.state = ReadState::Trailers,
                    Err(error) => {
                        this.state = ReadState::Done;
                        return Poll::Ready(Some(Err(error.into())));
                    }
                },
                ReadState::Trailers => {
                    // Trailers are a field section: read within the stream's byte budget.
                    let (trailers, _) = reading_fields(|| this.stream.poll_recv_trailers(cx));
                    let trailers = ready!(trailers);
                    this.state = ReadState::Done;
                    return Poll::Ready(match trailers {
                        Ok(Some(trailers)) => Some(Ok(Frame::trailers(trailers))),
                        Ok(None) => None,
                        Err(error) => Some(Err(error.into())),
                    });
                }
                ReadState::Done => return Poll::Ready(None),
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.state == ReadState::Done
    }

    fn size_hint(&self) -> SizeHint {
        match (self.state, self.remaining) {
            (ReadState::Done, _) => SizeHint::with_exact(0),
            // Checked as the data arrives, so it can be promised.
            (ReadState::Data, Some(remaining)) => SizeHint::with_exact(remaining),
            _ => SizeHint::default(),
        }
    }
}

impl fmt::Debug for H3Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H3Body")
            .field("state", &self.state)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}
