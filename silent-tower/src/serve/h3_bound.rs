//! A byte budget for the field sections (request heads and trailers) of HTTP/3 requests.
//!
//! h3 decodes a `HEADERS` frame only once it holds the whole frame, and compares the decoded
//! size with `max_header_size` only then; meanwhile it keeps reading the stream, which returns
//! QUIC flow-control credit, so a client that declares an endless frame could make the server
//! buffer without bound until the header read timeout. [`BoundedConnection`] wraps h3-quinn's
//! connection so that the request streams it hands to h3 count the bytes they deliver while a
//! field section is being read — the server marks those reads with [`reading_fields`], on the
//! thread that makes them — and fail once a stream has delivered more than its budget. The
//! server then resets the stream with `H3_EXCESSIVE_LOAD`.
//!
//! The mark is a thread-local flag set around one synchronous poll, so that no allocation or
//! shared state is needed per stream, and a body read (which h3 pulls one chunk at a time, as
//! the application asks) is never counted.
//!
//! A second mark, [`sending_at_once`], is set around the one poll of h3's head decoding that the
//! server makes and drops if it is not ready: a request stream that cannot take h3's 431 at once
//! is reset then, rather than left to wait.

use std::cell::Cell;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use h3::quic::{self, ConnectionErrorIncoming, StreamErrorIncoming, StreamId, WriteBuf};

thread_local! {
    /// Set while the server polls h3 for a field section.
    static READING_FIELDS: Cell<bool> = const { Cell::new(false) };
    /// Set when a stream went over its budget during that poll.
    static EXCEEDED: Cell<bool> = const { Cell::new(false) };
    /// Set while the server polls, once, a future it will drop if it is not ready.
    static SENDING_AT_ONCE: Cell<bool> = const { Cell::new(false) };
}

/// Runs one poll of an h3 future that will be dropped if it is not ready: a request stream
/// that cannot take what h3 writes at once is reset rather than left to wait. Dropped
/// mid-write, the stream would be finished with a partial frame, which its client must treat as
/// an error of the whole connection (RFC 9114 §7.1); reset, the partial frame is discarded.
pub(super) fn sending_at_once<T>(poll: impl FnOnce() -> T) -> T {
    SENDING_AT_ONCE.with(|flag| flag.set(true));
    let result = poll();
    SENDING_AT_ONCE.with(|flag| flag.set(false));
    result
}

/// Runs one poll of h3 that reads a field section; returns its result and whether a stream went
/// over its budget during it.
pub(super) fn reading_fields<T>(poll: impl FnOnce() -> T) -> (T, bool) {
    READING_FIELDS.with(|flag| flag.set(true));
    EXCEEDED.with(|flag| flag.set(false));
    let result = poll();
    READING_FIELDS.with(|flag| flag.set(false));
    (result, EXCEEDED.with(|flag| flag.replace(false)))
}

/// The error a stream over its budget gives h3: as if the client had reset it.
fn over_budget() -> StreamErrorIncoming {
    EXCEEDED.with(|flag| flag.set(true));
    StreamErrorIncoming::StreamTerminated {
        error_code: h3::error::Code::H3_EXCESSIVE_LOAD.value(),
    }
}

/// Counts what a stream delivers while a field section is read.
#[derive(Debug)]
struct Budget {
    left: u64,
}

impl Budget {
    fn poll_counted(
        &mut self,
        polled: Poll<Result<Option<Bytes>, StreamErrorIncoming>>,
    ) -> Poll<Result<Option<Bytes>, StreamErrorIncoming>> {
        if let Poll::Ready(Ok(Some(data))) = &polled {
            if READING_FIELDS.with(Cell::get) {
                match self.left.checked_sub(data.remaining() as u64) {
                    Some(left) => self.left = left,
                    None => return Poll::Ready(Err(over_budget())),
                }
            }
        }
        polled
    }
}

/// h3-quinn's connection, whose request streams have a [`Budget`].
pub(super) struct BoundedConnection {
    inner: h3_quinn::Connection,
    budget: u64,
}

impl BoundedConnection {
    pub(super) fn new(inner: h3_quinn::Connection, budget: u64) -> Self {
        Self { inner, budget }
    }
}

impl<B: Buf> quic::OpenStreams<B> for BoundedConnection {
    type BidiStream = BoundedBidi<B>;
    type SendStream = h3_quinn::SendStream<B>;

    fn poll_open_bidi(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::BidiStream, StreamErrorIncoming>> {
        let budget = self.budget;
        quic::OpenStreams::<B>::poll_open_bidi(&mut self.inner, cx)
            .map_ok(|inner| BoundedBidi::new(inner, budget))
    }

    fn poll_open_send(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::SendStream, StreamErrorIncoming>> {
        quic::OpenStreams::<B>::poll_open_send(&mut self.inner, cx)
    }

    fn close(&mut self, code: h3::error::Code, reason: &[u8]) {
        quic::OpenStreams::<B>::close(&mut self.inner, code, reason);
    }
}

impl<B: Buf> quic::Connection<B> for BoundedConnection {
    type RecvStream = h3_quinn::RecvStream;
    type OpenStreams = BoundedOpenStreams;

    fn poll_accept_recv(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::RecvStream, ConnectionErrorIncoming>> {
        quic::Connection::<B>::poll_accept_recv(&mut self.inner, cx)
    }

    fn poll_accept_bidi(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::BidiStream, ConnectionErrorIncoming>> {
        let budget = self.budget;
        quic::Connection::<B>::poll_accept_bidi(&mut self.inner, cx)
            .map_ok(|inner| BoundedBidi::new(inner, budget))
    }

    fn opener(&self) -> Self::OpenStreams {
        BoundedOpenStreams {
            inner: quic::Connection::<B>::opener(&self.inner),
            budget: self.budget,
        }
    }
}

/// h3-quinn's stream opener, for [`BoundedConnection`].
pub(super) struct BoundedOpenStreams {
    inner: h3_quinn::OpenStreams,
    budget: u64,
}

impl<B: Buf> quic::OpenStreams<B> for BoundedOpenStreams {
    type BidiStream = BoundedBidi<B>;
    type SendStream = h3_quinn::SendStream<B>;

    fn poll_open_bidi(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::BidiStream, StreamErrorIncoming>> {
        let budget = self.budget;
        quic::OpenStreams::<B>::poll_open_bidi(&mut self.inner, cx)
            .map_ok(|inner| BoundedBidi::new(inner, budget))
    }

    fn poll_open_send(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::SendStream, StreamErrorIncoming>> {
        quic::OpenStreams::<B>::poll_open_send(&mut self.inner, cx)
    }

    fn close(&mut self, code: h3::error::Code, reason: &[u8]) {
        quic::OpenStreams::<B>::close(&mut self.inner, code, reason);
    }
}

/// A request stream with a [`Budget`] (and the reset of [`sending_at_once`]).
pub(super) struct BoundedBidi<B: Buf> {
    inner: h3_quinn::BidiStream<B>,
    budget: Budget,
}

impl<B: Buf> BoundedBidi<B> {
    fn new(inner: h3_quinn::BidiStream<B>, budget: u64) -> Self {
        Self {
            inner,
            budget: Budget { left: budget },
        }
    }
}

impl<B: Buf> quic::RecvStream for BoundedBidi<B> {
    type Buf = Bytes;

    fn poll_data(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, StreamErrorIncoming>> {
        let polled = self.inner.poll_data(cx);
        self.budget.poll_counted(polled)
    }

    fn stop_sending(&mut self, error_code: u64) {
        self.inner.stop_sending(error_code);
    }

    fn recv_id(&self) -> StreamId {
        self.inner.recv_id()
    }
}

impl<B: Buf> quic::SendStream<B> for BoundedBidi<B> {
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StreamErrorIncoming>> {
        let polled = self.inner.poll_ready(cx);
        if polled.is_pending() && SENDING_AT_ONCE.with(Cell::get) {
            let code = h3::error::Code::H3_EXCESSIVE_LOAD.value();
            self.inner.reset(code);
            return Poll::Ready(Err(StreamErrorIncoming::StreamTerminated {
                error_code: code,
            }));
        }
        polled
    }

    fn send_data<T: Into<WriteBuf<B>>>(&mut self, data: T) -> Result<(), StreamErrorIncoming> {
        self.inner.send_data(data)
    }

    fn poll_finish(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StreamErrorIncoming>> {
        self.inner.poll_finish(cx)
    }

    fn reset(&mut self, reset_code: u64) {
        self.inner.reset(reset_code);
    }

    fn send_id(&self) -> StreamId {
        self.inner.send_id()
    }
}

impl<B: Buf> quic::SendStreamUnframed<B> for BoundedBidi<B> {
    fn poll_send<D: Buf>(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut D,
    ) -> Poll<Result<usize, StreamErrorIncoming>> {
        self.inner.poll_send(cx, buf)
    }
}

impl<B: Buf> quic::BidiStream<B> for BoundedBidi<B> {
    type SendStream = h3_quinn::SendStream<B>;
    type RecvStream = BoundedRecv;

    fn split(self) -> (Self::SendStream, Self::RecvStream) {
        let (send, recv) = self.inner.split();
        (
            send,
            BoundedRecv {
                inner: recv,
                budget: self.budget,
            },
        )
    }
}

/// The receiving half of a request stream, its [`Budget`] carried over (trailers count too).
pub(super) struct BoundedRecv {
    inner: h3_quinn::RecvStream,
    budget: Budget,
}

impl quic::RecvStream for BoundedRecv {
    type Buf = Bytes;

    fn poll_data(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, StreamErrorIncoming>> {
        let polled = self.inner.poll_data(cx);
        self.budget.poll_counted(polled)
    }

    fn stop_sending(&mut self, error_code: u64) {
        self.inner.stop_sending(error_code);
    }

    fn recv_id(&self) -> StreamId {
        self.inner.recv_id()
    }
}
