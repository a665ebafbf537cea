//! Server-sent events: [`Sse`], a response that streams [`Event`]s as `text/event-stream`,
//! with an optional [`KeepAlive`].
//!
//! The response body is a named type holding the event stream and, with a keep-alive, one
//! `tokio::time::Sleep` inline; it is boxed once, as every streaming [`Body`] is. Each event is
//! one data frame. An `Err` from the stream ends the body with that error (hyper aborts the
//! response, so the client sees the stream cut rather than a clean end); nothing is polled after.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use http::Response;
use http_body::Frame;
use pin_project::pin_project;
use tokio::time::{Instant, Sleep};

use super::IntoResponse;
use crate::body::{Body, BoxError};

mod event;

pub use event::{Event, InvalidEventField, KeepAlive};

/// A server-sent events response: `S` yields `Result<Event, E>`; the response has
/// `content-type: text/event-stream` and `cache-control: no-cache`.
///
/// Building the response needs no runtime. With a keep-alive ([`Sse::keep_alive`]), polling
/// the body while the stream is idle needs a tokio runtime with its timer enabled (the one
/// `serve` runs on): the timer is made there, at the first idle poll.
///
/// ```
/// use std::convert::Infallible;
/// use std::time::Duration;
/// use http_body_util::BodyExt;
/// use silent_tower_router::sse::{Event, KeepAlive, Sse};
/// use silent_tower_router::IntoResponse;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let events = futures_util::stream::iter([
///     Ok::<_, Infallible>(Event::default().data("hello")),
///     Ok(Event::default().event("bye").data("see you")),
/// ]);
/// let response = Sse::new(events).keep_alive(KeepAlive::new()).into_response();
/// assert_eq!(response.headers()["content-type"], "text/event-stream");
///
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "data: hello\n\nevent: bye\ndata: see you\n\n");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Sse<S> {
    events: S,
    keep_alive: Option<KeepAlive>,
}

impl<S> Sse<S> {
    /// A response streaming `events`, with no keep-alive.
    pub fn new(events: S) -> Self {
        Sse {
            events,
            keep_alive: None,
        }
    }

    /// Sends `keep_alive`'s comment whenever the stream has been silent for its interval.
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = Some(keep_alive);
        self
    }
}

impl<S, E> IntoResponse for Sse<S>
where
    S: Stream<Item = Result<Event, E>> + Send + 'static,
    E: Into<BoxError>,
{
    fn into_response(self) -> Response<Body> {
        let body = SseBody {
            events: self.events,
            keep_alive: self.keep_alive,
            timer: None,
            done: false,
        };
        let mut response = Response::new(Body::new(body));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// The body of an [`Sse`] response.
#[pin_project]
struct SseBody<S> {
    #[pin]
    events: S,
    keep_alive: Option<KeepAlive>,
    /// Made at the first idle poll (so building the response needs no runtime), then reset.
    #[pin]
    timer: Option<Sleep>,
    done: bool,
}

impl<S, E> http_body::Body for SseBody<S>
where
    S: Stream<Item = Result<Event, E>>,
    E: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.events.poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => {
                if let (Some(keep_alive), Some(timer)) =
                    (this.keep_alive.as_ref(), this.timer.as_pin_mut())
                {
                    timer.reset(Instant::now() + keep_alive.interval);
                }
                Poll::Ready(Some(Ok(Frame::data(event.into_bytes()))))
            }
            Poll::Ready(Some(Err(error))) => {
                *this.done = true;
                Poll::Ready(Some(Err(error.into())))
            }
            Poll::Ready(None) => {
                *this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(keep_alive) = this.keep_alive.as_ref() else {
                    return Poll::Pending;
                };
                if this.timer.is_none() {
                    this.timer
                        .set(Some(tokio::time::sleep(keep_alive.interval)));
                }
                let Some(mut timer) = this.timer.as_pin_mut() else {
                    return Poll::Pending;
                };
                ready!(timer.as_mut().poll(cx));
                timer.reset(Instant::now() + keep_alive.interval);
                Poll::Ready(Some(Ok(Frame::data(keep_alive.comment.clone()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}
