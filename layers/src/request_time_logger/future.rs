//! The response future of [`RequestTimeLogger`](super::RequestTimeLogger).

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::uri::PathAndQuery;
use http::{Method, Request, Response, StatusCode, Version};
use pin_project::{pin_project, pinned_drop};
use tokio::time::Instant;
use tracing::Level;

use super::{PeerAddr, TARGET};
use crate::request_id::RequestId;

/// Response future of [`RequestTimeLogger`](super::RequestTimeLogger).
///
/// Resolves to the inner service's result unchanged. It emits the request's event when the inner
/// future completes, or — if it is dropped before that — when it is dropped.
#[pin_project(PinnedDrop)]
pub struct ResponseFuture<F> {
    #[pin]
    inner: F,
    /// `None` when no event could be enabled at `call` time, and once the event has been emitted.
    request: Option<RequestLine>,
}

impl<F> ResponseFuture<F> {
    pub(super) fn new(inner: F, request: Option<RequestLine>) -> Self {
        Self { inner, request }
    }

    /// Whether this future holds the request's details, waiting to log them.
    #[cfg(test)]
    pub(super) fn is_recording(&self) -> bool {
        self.request.is_some()
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("recording", &self.request.is_some())
            .finish_non_exhaustive()
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    E: fmt::Display,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(request) = this.request.as_mut() {
            // Cleared below once the inner poll returns: still set at drop time means it unwound.
            request.inner_poll_in_progress = true;
        }
        let poll = this.inner.poll(cx);
        if let Some(request) = this.request.as_mut() {
            request.inner_poll_in_progress = false;
        }
        let result = ready!(poll);
        if let Some(request) = this.request.take() {
            match &result {
                Ok(response) => request.log_response(response.status()),
                Err(error) => request.log_error(error),
            }
        }
        Poll::Ready(result)
    }
}

#[pinned_drop]
impl<F> PinnedDrop for ResponseFuture<F> {
    fn drop(self: Pin<&mut Self>) {
        if let Some(request) = self.project().request.take() {
            request.log_unfinished();
        }
    }
}

/// Emits one event of [`TARGET`] at a constant level (a callsite's level is static), with the
/// request line first and the outcome's own fields after it.
///
/// `tracing::event!` asks its callsite whether it is enabled before it evaluates any field, so a
/// disabled level costs neither the clock read behind `latency_us` nor any formatting.
macro_rules! request_event {
    ($level:expr, $request:ident, $($outcome:tt)+) => {
        tracing::event!(
            target: TARGET,
            $level,
            method = %$request.method,
            path = $request.path().map(tracing::field::display),
            version = %version_str($request.version),
            latency_us = $request.latency_us(),
            peer = $request.peer.map(tracing::field::display),
            request_id = $request.request_id.as_ref().map(tracing::field::display),
            $($outcome)+
        )
    };
}

/// What the event needs from the request, taken in `call` before the request moves on.
pub(super) struct RequestLine {
    method: Method,
    path: Option<PathAndQuery>,
    version: Version,
    peer: Option<SocketAddr>,
    /// A clone of the request's [`RequestId`] extension: an atomic increment at most.
    request_id: Option<RequestId>,
    /// Whether `path` is logged with its query string.
    log_query: bool,
    /// `tokio`'s clock, so that a paused test clock gives exact latencies.
    start: Instant,
    inner_poll_in_progress: bool,
}

impl RequestLine {
    /// Captures the request line, or returns `None` without touching the request (or the clock)
    /// when no event of this target could be enabled.
    ///
    /// `ERROR` is the least verbose level an event may have, so if it is disabled every outcome is;
    /// if it is enabled the outcome decides later, when the status is known.
    pub(super) fn capture<B>(request: &Request<B>, log_query: bool) -> Option<Self> {
        if !tracing::enabled!(target: TARGET, Level::ERROR) {
            return None;
        }
        let extensions = request.extensions();
        let peer = match extensions.get::<PeerAddr>() {
            Some(PeerAddr(addr)) => Some(*addr),
            None => extensions.get::<SocketAddr>().copied(),
        };
        Some(Self {
            method: request.method().clone(),
            path: request.uri().path_and_query().cloned(),
            version: request.version(),
            peer,
            request_id: extensions.get::<RequestId>().cloned(),
            log_query,
            start: Instant::now(),
            inner_poll_in_progress: false,
        })
    }

    /// The `path` field: the path alone, or with its query string when asked for.
    fn path(&self) -> Option<&str> {
        let path = self.path.as_ref()?;
        Some(if self.log_query {
            path.as_str()
        } else {
            path.path()
        })
    }

    fn latency_us(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn log_response(self, status: StatusCode) {
        let status = status.as_u16();
        match status {
            500.. => request_event!(Level::ERROR, self, status = status, outcome = %"completed"),
            400..=499 => request_event!(Level::WARN, self, status = status, outcome = %"completed"),
            _ => request_event!(Level::INFO, self, status = status, outcome = %"completed"),
        }
    }

    fn log_error(self, error: &impl fmt::Display) {
        request_event!(Level::ERROR, self, error = %error, outcome = %"failed");
    }

    fn log_unfinished(self) {
        if self.inner_poll_in_progress {
            request_event!(Level::ERROR, self, outcome = %"panicked");
        } else {
            request_event!(Level::WARN, self, outcome = %"cancelled");
        }
    }
}

/// `Version` has no `Display` (its `Debug` is the protocol name); this keeps every field of the
/// request line a `Display` value, which `fmt` subscribers print unquoted.
fn version_str(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_11 => "HTTP/1.1",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        // `Version`'s variants are private, so the match needs a fallback; no version reaches it.
        _ => "HTTP/?",
    }
}
