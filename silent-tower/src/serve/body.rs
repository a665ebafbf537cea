//! The request body of a server that speaks HTTP/3 beside HTTP/1.1 and HTTP/2.
//!
//! hyper hands TCP requests an [`Incoming`] body, which nothing but hyper can make; h3 hands
//! HTTP/3 requests the receiving half of a QUIC stream. A router has one body type
//! (`Router<(), B>`), so to serve one router over both, [`RequestBody`] is that type: an enum of the
//! two, with `Bytes` data and a boxed error, so that handlers read it without knowing which
//! protocol carried the request. The HTTP/3 half alone is [`H3Body`].

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;

use super::BoxError;

/// The receiving half of an HTTP/3 request stream.
pub(super) type H3RecvStream = h3::server::RequestStream<h3_quinn::RecvStream, Bytes>;

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
            Kind::H3(body) => Pin::new(body)
                .poll_frame(cx)
                .map(|frame| frame.map(|frame| frame.map_err(Into::into))),
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
/// control hold); each frame is handed on as [`Bytes`].
pub struct H3Body {
    stream: H3RecvStream,
    state: ReadState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadState {
    Data,
    Trailers,
    Done,
}

impl H3Body {
    pub(super) fn new(stream: H3RecvStream) -> Self {
        Self {
            stream,
            state: ReadState::Data,
        }
    }
}

impl Body for H3Body {
    type Data = Bytes;
    type Error = h3::error::StreamError;

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
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    Ok(None) => this.state = ReadState::Trailers,
                    Err(error) => {
                        this.state = ReadState::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                },
                ReadState::Trailers => {
                    let trailers = ready!(this.stream.poll_recv_trailers(cx));
                    this.state = ReadState::Done;
                    return Poll::Ready(match trailers {
                        Ok(Some(trailers)) => Some(Ok(Frame::trailers(trailers))),
                        Ok(None) => None,
                        Err(error) => Some(Err(error)),
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
        // `content-length` is the client's word, not checked against the data frames by h3: it
        // is no bound to promise to a reader.
        match self.state {
            ReadState::Done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

impl fmt::Debug for H3Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("H3Body")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
