//! [`WebSocket`]: one upgraded connection, as a stream and a sink of [`Message`]s.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_sink::Sink;
use http::HeaderValue;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::{Bytes, Error, Message};

/// A deadline that does not come: about thirty years away.
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

/// An upgraded connection: a [`Stream`] of the messages the client sends and a [`Sink`] of the
/// ones the server sends, plus [`recv`](Self::recv), [`send`](Self::send) and
/// [`close`](Self::close) for code that does not want `futures-util`. Split it in two halves
/// with `futures_util::StreamExt::split`.
///
/// Pings are answered by tokio-tungstenite on its own (the `Ping` is still yielded), and a
/// client's close is echoed: after it, [`recv`](Self::recv) returns `None`.
///
/// It is a thin wrapper around tokio-tungstenite's `WebSocketStream`: it keeps the subprotocol
/// the handshake chose ([`protocol`](Self::protocol)), and keeps hyper's and hyper-util's I/O
/// types out of handlers' signatures.
#[derive(Debug)]
pub struct WebSocket {
    inner: WebSocketStream<TokioIo<Upgraded>>,
    protocol: Option<HeaderValue>,
    keepalive: Option<Keepalive>,
}

/// The idle policy of [`WebSocketUpgrade::ping_interval`](super::WebSocketUpgrade::ping_interval).
#[derive(Debug)]
struct Keepalive {
    interval: Duration,
    /// When the client, silent since, is pinged (or, once pinged, given up).
    deadline: Pin<Box<tokio::time::Sleep>>,
    pinged: bool,
}

impl Keepalive {
    fn heard_from_client(&mut self) {
        self.pinged = false;
        let next = tokio::time::Instant::now() + self.interval;
        self.deadline.as_mut().reset(next);
    }
}

impl WebSocket {
    pub(super) async fn from_upgraded(
        upgraded: Upgraded,
        config: WebSocketConfig,
        protocol: Option<HeaderValue>,
        ping_interval: Option<Duration>,
    ) -> Self {
        let inner = WebSocketStream::from_raw_socket(
            TokioIo::new(upgraded),
            tokio_tungstenite::tungstenite::protocol::Role::Server,
            Some(config),
        )
        .await;
        let keepalive = ping_interval.map(|interval| Keepalive {
            interval,
            deadline: Box::pin(tokio::time::sleep(interval)),
            pinged: false,
        });
        WebSocket {
            inner,
            protocol,
            keepalive,
        }
    }

    /// The next message from the client; `None` once the connection is closed.
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Sends `message` and flushes it.
    ///
    /// With a [`ping_interval`](super::WebSocketUpgrade::ping_interval) (30 s unless set), a
    /// send that cannot complete within two intervals (the client stopped reading, its socket
    /// is full) fails with an I/O error of kind `TimedOut`: drop the socket then.
    pub async fn send(&mut self, message: Message) -> Result<(), Error> {
        let deadline = self
            .keepalive
            .as_ref()
            .map(|keepalive| keepalive.interval.saturating_mul(2));
        let sending = self.send_now(message);
        match deadline {
            None => sending.await,
            Some(deadline) => match tokio::time::timeout(deadline, sending).await {
                Ok(sent) => sent,
                Err(_) => Err(Error::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client read nothing while a message waited to be sent",
                ))),
            },
        }
    }

    async fn send_now(&mut self, message: Message) -> Result<(), Error> {
        let mut message = Some(message);
        poll_fn(|cx| {
            let mut inner = Pin::new(&mut self.inner);
            if message.is_some() {
                // The message stays ours until the sink is ready for it.
                std::task::ready!(inner.as_mut().poll_ready(cx))?;
                if let Some(message) = message.take() {
                    inner.as_mut().start_send(message)?;
                }
            }
            inner.poll_flush(cx)
        })
        .await
    }

    /// Starts the close handshake with `frame` (a code and a reason) or none, and flushes it.
    /// Keep calling [`recv`](Self::recv) until it returns `None` to see the client's answer.
    pub async fn close(&mut self, frame: Option<CloseFrame>) -> Result<(), Error> {
        self.inner.close(frame).await
    }

    /// The subprotocol the handshake chose (see
    /// [`WebSocketUpgrade::protocols`](super::WebSocketUpgrade::protocols)), if any.
    pub fn protocol(&self) -> Option<&HeaderValue> {
        self.protocol.as_ref()
    }

    /// The limits and buffer sizes in force on this connection.
    pub fn config(&self) -> &WebSocketConfig {
        self.inner.get_config()
    }
}

impl Stream for WebSocket {
    type Item = Result<Message, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        let Some(keepalive) = &mut this.keepalive else {
            return polled;
        };
        if polled.is_ready() {
            keepalive.heard_from_client();
            return polled;
        }
        while keepalive.deadline.as_mut().poll(cx).is_ready() {
            if keepalive.pinged {
                keepalive.deadline.as_mut().reset(far_future());
                return Poll::Ready(Some(Err(Error::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client answered no ping",
                )))));
            }
            keepalive.pinged = true;
            let next = tokio::time::Instant::now() + keepalive.interval;
            keepalive.deadline.as_mut().reset(next);
            // Queued if the sink has room, sent by this flush or the next; a client whose
            // socket is full is not answering anyway, and the next deadline ends it.
            let mut inner = Pin::new(&mut this.inner);
            if let Poll::Ready(Ok(())) = inner.as_mut().poll_ready(cx) {
                if inner
                    .as_mut()
                    .start_send(Message::Ping(Bytes::new()))
                    .is_ok()
                {
                    let _ = inner.poll_flush(cx);
                }
            }
        }
        Poll::Pending
    }
}

impl Sink<Message> for WebSocket {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.inner).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        Pin::new(&mut self.inner).start_send(message)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}
