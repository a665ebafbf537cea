//! A deadline for the bytes hyper-util reads to tell HTTP/1 from HTTP/2.
//!
//! hyper-util's `auto` connection first reads until it has seen either a byte that is not part of
//! the HTTP/2 preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`) or the whole preface. Only then does
//! it build the HTTP/1 connection, whose header read timer starts there, so a client that
//! connects and sends nothing, or a prefix of the preface, would be kept forever
//! (<https://github.com/hyperium/hyper/issues/3756>).
//!
//! [`DetectionDeadline`] applies hyper-util's test to the bytes it reads, and a read that would
//! wait after the deadline fails with [`io::ErrorKind::TimedOut`] instead, which ends the
//! connection. It holds no timer: the task serving the connection keeps the same deadline (the
//! first request head's, see [`deadlines`](super::deadlines)) and closes the connection when it
//! passes with no request started. When detection ends with the HTTP/2 preface, the connection's
//! [`Activity`] is told, so that no request head is timed on it. Once detection has ended, reads
//! are only forwarded.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::activity::Activity;

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

pub(super) struct DetectionDeadline<I> {
    io: I,
    /// `Some` until detection ends.
    detecting: Option<Detecting>,
    /// Told when the client sent the HTTP/2 preface.
    activity: Arc<Activity>,
}

#[derive(Clone, Copy)]
struct Detecting {
    deadline: Instant,
    /// How many of the bytes read so far match the start of the HTTP/2 preface.
    preface_matched: usize,
}

impl<I> DetectionDeadline<I> {
    /// Detection must end by `deadline`; `None` forwards from the start.
    pub(super) fn new(io: I, deadline: Option<Instant>, activity: Arc<Activity>) -> Self {
        Self {
            io,
            detecting: deadline.map(|deadline| Detecting {
                deadline,
                preface_matched: 0,
            }),
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

impl<I: AsyncRead + Unpin> AsyncRead for DetectionDeadline<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let Some(detecting) = &mut this.detecting else {
            return Pin::new(&mut this.io).poll_read(cx, buf);
        };
        let before = buf.filled().len();
        let had_room = buf.remaining() > 0;
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = &buf.filled()[before..];
                // A read into a full buffer says nothing, not even end of stream.
                if had_room && detection_ends(&mut detecting.preface_matched, read) {
                    if detecting.preface_matched == H2_PREFACE.len() {
                        this.activity.mark_http2();
                    }
                    this.detecting = None;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if Instant::now() >= detecting.deadline => {
                this.detecting = None;
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no request head before the header read timeout",
                )))
            }
            other => other,
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for DetectionDeadline<I> {
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
