use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future of a running server, made by `.await` on a [`Serve`](super::Serve).
///
/// It is boxed: its accept loop is an `async fn`, whose type cannot be named in
/// [`IntoFuture::IntoFuture`](std::future::IntoFuture::IntoFuture). That is one allocation when
/// the server starts, never one per connection or per request.
///
/// It resolves to `Ok(())` after a graceful shutdown has finished. Accept errors are retried, not
/// returned, so today it never resolves to an `Err`.
#[must_use = "a server does nothing unless polled"]
pub struct ServeFuture {
    inner: Pin<Box<dyn Future<Output = io::Result<()>> + Send>>,
}

impl ServeFuture {
    pub(super) fn new(server: impl Future<Output = io::Result<()>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(server),
        }
    }
}

impl Future for ServeFuture {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ServeFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeFuture").finish_non_exhaustive()
    }
}
