//! [`WebSocket`]: one upgraded connection, as a stream and a sink of [`Message`]s.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use http::HeaderValue;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::{Error, Message};

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
}

impl WebSocket {
    pub(super) async fn from_upgraded(
        upgraded: Upgraded,
        config: WebSocketConfig,
        protocol: Option<HeaderValue>,
    ) -> Self {
        let inner = WebSocketStream::from_raw_socket(
            TokioIo::new(upgraded),
            tokio_tungstenite::tungstenite::protocol::Role::Server,
            Some(config),
        )
        .await;
        WebSocket { inner, protocol }
    }

    /// The next message from the client; `None` once the connection is closed.
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        poll_fn(|cx| Pin::new(&mut self.inner).poll_next(cx)).await
    }

    /// Sends `message` and flushes it.
    pub async fn send(&mut self, message: Message) -> Result<(), Error> {
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

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
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
