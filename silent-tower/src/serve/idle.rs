//! Telling an idle connection from a busy one, for [`Serve::idle_timeout`](super::Serve::idle_timeout).
//!
//! hyper has no idle timeout of its own for HTTP/2, and for HTTP/1 only the header read timeout.
//! [`Counted`] counts the bytes read and the writes that moved bytes on a connection, and the service
//! counts its requests (see [`in_flight`](super::in_flight)); the task serving the connection looks every
//! `idle_timeout` and, when it has done nothing that counts since the last look, asks it to close
//! gracefully (in-flight requests may finish). If it is still idle at the next look, the
//! connection is closed at once: a client that stopped sending its body or reading its response
//! does not keep its slot for ever.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::slots::Slot;

/// An IO that counts the reads and writes that moved bytes in its connection's
/// [`Activity`](super::activity::Activity), and holds the connection's [`Slot`] for as long as it
/// lives: through an HTTP/1 upgrade too, so a WebSocket keeps counting toward the cap.
///
/// Once the connection has been told to close at once (evicted, or past the shutdown grace), every
/// read and write fails: this is what ends an upgraded connection, which no task drives.
pub(super) struct Counted<I> {
    io: I,
    slot: Slot,
}

impl<I> Counted<I> {
    pub(super) fn new(io: I, slot: Slot) -> Self {
        Self { io, slot }
    }

    fn wrote(&self, bytes: usize) {
        if bytes > 0 {
            self.slot.activity().wrote_bytes();
        }
    }

    fn aborted(&self) -> Option<io::Error> {
        self.slot.activity().is_aborted().then(aborted)
    }
}

/// The error of a read or write on a connection the server closed. Out of line and cold: it
/// comes once in a connection's life, and each read and write would otherwise carry its code.
#[cold]
#[inline(never)]
fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "the server closed the connection",
    )
}

impl<I: AsyncRead + Unpin> AsyncRead for Counted<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(error) = self.aborted() {
            return Poll::Ready(Err(error));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        match polled {
            Poll::Ready(Ok(())) => self.slot.activity().read_bytes(buf.filled().len() - before),
            Poll::Pending => self.slot.activity().parking(cx),
            Poll::Ready(Err(_)) => {}
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Counted<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(error) = self.aborted() {
            return Poll::Ready(Err(error));
        }
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        match polled {
            Poll::Ready(Ok(written)) => self.wrote(written),
            Poll::Pending => self.slot.activity().parking(cx),
            Poll::Ready(Err(_)) => {}
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(error) = self.aborted() {
            return Poll::Ready(Err(error));
        }
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        match polled {
            Poll::Ready(Ok(written)) => self.wrote(written),
            Poll::Pending => self.slot.activity().parking(cx),
            Poll::Ready(Err(_)) => {}
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
