//! Telling an idle connection from a busy one, for [`Serve::idle_timeout`](super::Serve::idle_timeout).
//!
//! hyper has no idle timeout of its own for HTTP/2, and for HTTP/1 only the header read timeout.
//! [`Counted`] counts the reads and writes that moved bytes on a connection; the task serving it
//! looks at the count every `idle_timeout` and, when it has not changed since the last look,
//! asks the connection to close gracefully. So a connection closes between one and two
//! `idle_timeout`s after its last byte, and never in the middle of a request: a graceful close
//! lets in-flight requests finish.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many reads and writes moved bytes; shared by the IO and the task that watches it.
#[derive(Clone, Debug, Default)]
pub(super) struct Activity(Arc<AtomicU64>);

impl Activity {
    pub(super) fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn bump(&self) {
        // Only the IO writes, so a load and a store (no locked instruction) cannot lose counts.
        self.0
            .store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }
}

/// An IO that bumps an [`Activity`] count on every read or write that moved bytes.
pub(super) struct Counted<I> {
    io: I,
    activity: Option<Activity>,
}

impl<I> Counted<I> {
    /// `None` counts nothing and only forwards.
    pub(super) fn new(io: I, activity: Option<Activity>) -> Self {
        Self { io, activity }
    }

    fn moved(&self, bytes: usize) {
        if bytes > 0 {
            if let Some(activity) = &self.activity {
                activity.bump();
            }
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Counted<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.moved(buf.filled().len() - before);
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
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = polled {
            self.moved(written);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(written)) = polled {
            self.moved(written);
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
