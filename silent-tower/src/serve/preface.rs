//! Telling, from the bytes hyper-util reads to choose between HTTP/1 and HTTP/2, whether the
//! client sent the HTTP/2 preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`).
//!
//! The header read timeout is kept by the task serving the connection (see
//! [`deadlines`](super::deadlines)): a request head is due a timeout after accept, which also
//! bounds hyper-util's protocol detection, which has no timeout of its own
//! (<https://github.com/hyperium/hyper/issues/3756>): a client that connects and sends nothing,
//! or a prefix of the preface, starts no request and is closed then. But an HTTP/2 connection
//! may idle between requests, so its heads are not timed: [`PrefaceWatch`] applies hyper-util's
//! test to the bytes it reads and tells the connection's [`Activity`] when the preface is in.
//! Once detection has ended, reads are only forwarded.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::activity::Activity;

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

pub(super) struct PrefaceWatch<I> {
    io: I,
    /// How many of the bytes read so far match the start of the HTTP/2 preface; `None` once
    /// detection has ended.
    preface_matched: Option<usize>,
    /// Told when the client sent the HTTP/2 preface.
    activity: Arc<Activity>,
}

impl<I> PrefaceWatch<I> {
    /// Watches the first bytes of `io` when `watch`; otherwise only forwards.
    pub(super) fn new(io: I, watch: bool, activity: Arc<Activity>) -> Self {
        Self {
            io,
            preface_matched: watch.then_some(0),
            activity,
        }
    }
}

/// Whether `read` (the bytes following the `matched` bytes already seen) ends protocol detection.
fn detection_ends(matched: &mut usize, read: &[u8]) -> bool {
    if read.is_empty() {
        return true; // end of stream
    }
    let expected = &H2_PREFACE[*matched..];
    let compared = read.len().min(expected.len());
    if read[..compared] != expected[..compared] {
        return true; // HTTP/1
    }
    *matched += compared;
    *matched == H2_PREFACE.len() // HTTP/2
}

impl<I: AsyncRead + Unpin> AsyncRead for PrefaceWatch<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let had_room = buf.remaining() > 0;
        // One call of the inner read for both cases: each call site inlines the whole stack of
        // reads below (the count, the transport, tokio's), which every request goes through.
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if this.preface_matched.is_some() {
            // A read into a full buffer says nothing, not even end of stream.
            if let (Poll::Ready(Ok(())), true) = (&polled, had_room) {
                this.watch(&buf.filled()[before..]);
            }
        }
        polled
    }
}

impl<I> PrefaceWatch<I> {
    /// Looks at the bytes of a read while the protocol is not told yet. Out of line and cold:
    /// only a connection's first reads come here.
    #[cold]
    #[inline(never)]
    fn watch(&mut self, read: &[u8]) {
        let Some(matched) = &mut self.preface_matched else {
            return;
        };
        if detection_ends(matched, read) {
            if *matched == H2_PREFACE.len() {
                self.activity.mark_multiplexed();
            }
            self.preface_matched = None;
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for PrefaceWatch<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
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

#[cfg(test)]
mod tests {
    use super::{detection_ends, H2_PREFACE};

    #[test]
    fn detection_ends_where_hyper_util_decides_the_protocol() {
        let cases: &[(&[&[u8]], bool)] = &[
            (&[b"GET / HTTP/1.1\r\n"], true),
            (&[b"P"], false),
            (&[b"PRI * HTTP/2.0\r\n"], false),
            (&[b"PRI * HTTP/2.0\r\n", b"\r\nSM\r\n\r\n"], true),
            (&[b"PRI", b" * HTTP/2.0\r\n\r\nSM\r\n\r\n and frames"], true),
            (&[b"PRI * HTTP/2.0\r\n", b"X"], true),
            (&[b"POST"], true),
            (&[b"PR", b""], true),
            (&[H2_PREFACE], true),
        ];
        for (reads, ends) in cases {
            let mut matched = 0;
            let ended = reads
                .iter()
                .map(|read| detection_ends(&mut matched, read))
                .last()
                .unwrap();
            assert_eq!(ended, *ends, "{reads:?}");
        }
    }
}
