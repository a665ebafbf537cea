//! [`Transport`]: a connection's bytes, in the clear or under TLS, as one type, and
//! [`TlsSocket`], the socket under a TLS session.
//!
//! Served in the clear, a request's reads and writes go through tokio's `TcpStream::poll_read`
//! and `poll_write_vectored`. rustls reads and writes its socket with the same functions when the
//! `tls` feature is on, and with two callers the optimizer no longer inlines them into the plain
//! ones, which then cost about 120 instructions a request more (BENCHMARKS.md). So TLS reads and
//! writes its socket through [`TlsSocket`], with tokio's readiness API, and the plain path is
//! the only caller left. One [`Transport`] type for both
//! keeps hyper's connection code compiled once, not once per stream type.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The bytes of one connection.
pub(super) enum Transport {
    /// In the clear.
    Plain(TcpStream),
    /// Under TLS, boxed: a TLS session is kilobytes, which a connection in the clear should not
    /// carry in its task.
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::server::TlsStream<TlsSocket>>),
}

/// The socket under a TLS session: a `TcpStream` read and written through tokio's readiness API
/// (`poll_read_ready` and `try_read`, `poll_write_ready` and `try_write`: see the module's docs).
#[cfg(feature = "tls")]
pub(super) struct TlsSocket(pub(super) TcpStream);

#[cfg(feature = "tls")]
impl AsyncRead for TlsSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let socket = &self.get_mut().0;
        loop {
            std::task::ready!(socket.poll_read_ready(cx))?;
            // rustls reads into initialized memory: this fills nothing.
            let room = buf.initialize_unfilled();
            let asked = room.len();
            match socket.try_read(room) {
                Ok(read) => {
                    if 0 < read && read < asked {
                        drained(socket);
                    }
                    buf.advance(read);
                    return Poll::Ready(Ok(()));
                }
                // The readiness was stale: `try_read` cleared it, so the next poll waits.
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

#[cfg(feature = "tls")]
impl AsyncWrite for TlsSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let socket = &self.get_mut().0;
        write_when_ready(socket, cx, || socket.try_write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let socket = &self.get_mut().0;
        write_when_ready(socket, cx, || socket.try_write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A socket has no buffer of its own to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// Forgets that `socket` was readable, after a read that did not fill its buffer: the socket is
/// drained, and the next read waits for the next readiness event rather than finding out with a
/// system call that fails with `WouldBlock` — what tokio's own `TcpStream::poll_read` does. Without
/// it, an HTTP/1 connection over TLS made two `recvfrom` calls a request where bare tokio-rustls
/// makes one (BENCHMARKS.md). `try_io` clears the readiness it saw when its closure says
/// `WouldBlock`, and only that: an event that came in between is kept.
#[cfg(feature = "tls")]
fn drained(socket: &TcpStream) {
    let _ = socket.try_io(tokio::io::Interest::READABLE, || {
        Err::<(), _>(io::Error::from(io::ErrorKind::WouldBlock))
    });
}

/// `write` once the socket is writable; a readiness found stale is waited for again.
#[cfg(feature = "tls")]
fn write_when_ready(
    socket: &TcpStream,
    cx: &mut Context<'_>,
    mut write: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        std::task::ready!(socket.poll_write_ready(cx))?;
        match write() {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            written => return Poll::Ready(written),
        }
    }
}

/// `$call` on the stream inside, whichever it is.
macro_rules! on_stream {
    ($transport:expr, $stream:ident => $call:expr) => {
        match $transport {
            Transport::Plain($stream) => $call,
            #[cfg(feature = "tls")]
            Transport::Tls($stream) => $call,
        }
    };
}

impl AsyncRead for Transport {
    #[inline]
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        on_stream!(self.get_mut(), stream => Pin::new(stream).poll_read(cx, buf))
    }
}

impl AsyncWrite for Transport {
    #[inline]
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        on_stream!(self.get_mut(), stream => Pin::new(stream).poll_write(cx, buf))
    }

    #[inline]
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        on_stream!(self.get_mut(), stream => Pin::new(stream).poll_write_vectored(cx, bufs))
    }

    #[inline]
    fn is_write_vectored(&self) -> bool {
        on_stream!(self, stream => stream.is_write_vectored())
    }

    #[inline]
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_stream!(self.get_mut(), stream => Pin::new(stream).poll_flush(cx))
    }

    #[inline]
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        on_stream!(self.get_mut(), stream => Pin::new(stream).poll_shutdown(cx))
    }
}
