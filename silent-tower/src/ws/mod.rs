//! WebSocket routes (feature `ws`): the [`WebSocketUpgrade`] extractor checks a request's opening
//! handshake, and [`on_upgrade`](WebSocketUpgrade::on_upgrade) answers `101 Switching Protocols`
//! and runs a function of yours on the upgraded connection, a [`WebSocket`].
//!
//! The connection is hyper's HTTP/1 upgrade (the server must serve upgrades, as
//! [`serve`](fn@crate::serve) does) and the WebSocket protocol is tokio-tungstenite's. A request
//! that is not a handshake is answered by a [`WebSocketUpgradeRejection`] — `405`, `400`, `426` or
//! `500`, with a body that names the fault — and the handler is not called.
//!
//! An echo server:
//!
//! ```no_run
//! use silent_tower::prelude::*;
//! use silent_tower::ws::{Message, WebSocket, WebSocketUpgrade};
//!
//! async fn echo(mut socket: WebSocket) {
//!     while let Some(Ok(message)) = socket.recv().await {
//!         if let Message::Text(_) | Message::Binary(_) = message {
//!             if socket.send(message).await.is_err() {
//!                 break;
//!             }
//!         }
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let app = Router::new().route(
//!         "/ws",
//!         get(|ws: WebSocketUpgrade| async move {
//!             ws.protocols(["echo.v1"]).max_message_size(64 * 1024).on_upgrade(echo)
//!         }),
//!     );
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     serve(listener, app).await
//! }
//! ```
//!
//! The extractor alone, without a server: a request that is not a handshake gets its rejection.
//!
//! ```
//! use silent_tower::prelude::*;
//! use silent_tower::ws::WebSocketUpgrade;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let app = Router::<(), ()>::with_body().route(
//!     "/ws",
//!     get(|ws: WebSocketUpgrade| async move { ws.on_upgrade(|_socket| async {}) }),
//! );
//! let request = http::Request::get("/ws").body(()).unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), StatusCode::BAD_REQUEST);
//! # }
//! ```

mod rejection;
mod socket;

use std::future::Future;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};
use hyper::upgrade::OnUpgrade;
use silent_tower_router::extract::{FromRequestParts, RequestContext};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::{Body, Response};

pub use rejection::WebSocketUpgradeRejection;
pub use socket::WebSocket;
pub use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
pub use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
pub use tokio_tungstenite::tungstenite::{Bytes, Error, Message, Utf8Bytes};

/// A WebSocket opening handshake, checked: the argument of a handler that upgrades. Its
/// [`on_upgrade`](Self::on_upgrade) is the handler's answer.
///
/// It takes a `GET` with `Connection: upgrade` and `Upgrade: websocket` (tokens in a list,
/// any case), `Sec-WebSocket-Version: 13` and a `Sec-WebSocket-Key` of 16 bytes in base64, on a
/// connection hyper can hand over; else it answers a [`WebSocketUpgradeRejection`].
///
/// HTTP/1.1 only: WebSocket over HTTP/2 (RFC 8441, an extended `CONNECT`) is not supported
/// yet, and such a request is answered `405`.
///
/// Limits, unless set, sized for a web app's messages (chat lines, JSON updates), not for file
/// transfers: 64 KiB per message and per frame ([`DEFAULT_MAX_MESSAGE_SIZE`]), a read buffer of
/// 16 KiB, and at most 1 MiB of outgoing data buffered while the client does not read. A client
/// that sends more has its connection closed (the callback's [`WebSocket`] yields an error).
/// tokio-tungstenite's own defaults (64 MiB per message, 16 MiB per frame, 128 KiB read buffer
/// allocated up front, no bound on buffered output) would let 10 000 connections hold
/// gigabytes.
///
/// Idle connections: unless set otherwise with [`ping_interval`](Self::ping_interval), a client
/// that sends nothing for 30 s is sent a `Ping`, and if it still sends nothing (its `Pong`
/// counts) 30 s later, [`WebSocket::recv`] yields an error and the connection should be
/// dropped; a [`WebSocket::send`] that a client who stopped reading holds up for two intervals
/// fails the same way. The connection counts toward the server's `max_connections` until it
/// closes, and is closed when the server's future returns.
#[derive(Debug)]
pub struct WebSocketUpgrade {
    config: WebSocketConfig,
    ping_interval: Option<Duration>,
    key: HeaderValue,
    offered_protocols: Vec<HeaderValue>,
    protocol: Option<HeaderValue>,
    on_upgrade: OnUpgrade,
}

impl<S: Sync> FromRequestParts<S> for WebSocketUpgrade {
    type Rejection = WebSocketUpgradeRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, WebSocketUpgradeRejection> {
        let key = check_handshake(&parts.method, &parts.headers)?.clone();
        // hyper puts it there for HTTP/1 requests that ask for an upgrade, on connections served
        // with upgrades.
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(WebSocketUpgradeRejection::ConnectionNotUpgradable)?;
        let offered_protocols = parts
            .headers
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .cloned()
            .collect();
        Ok(WebSocketUpgrade {
            config: default_config(),
            ping_interval: Some(DEFAULT_PING_INTERVAL),
            key,
            offered_protocols,
            protocol: None,
            on_upgrade,
        })
    }
}

impl WebSocketUpgrade {
    /// The subprotocols this route speaks. The first of the client's `Sec-WebSocket-Protocol`
    /// (in the client's order of preference) that is one of these is chosen: the `101` names it
    /// and [`WebSocket::protocol`] returns it. Names are compared exactly. None in common, or
    /// none offered: the `101` names none, and the client decides whether to go on.
    pub fn protocols<I>(mut self, protocols: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ours: Vec<I::Item> = protocols.into_iter().collect();
        self.protocol = self
            .offered_protocols
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|list| list.split(','))
            .map(str::trim)
            .find(|offered| ours.iter().any(|p| p.as_ref() == *offered))
            .and_then(|chosen| HeaderValue::from_str(chosen).ok());
        self
    }

    /// The subprotocol chosen by [`protocols`](Self::protocols), if any.
    pub fn selected_protocol(&self) -> Option<&HeaderValue> {
        self.protocol.as_ref()
    }

    /// How long the client may stay silent before it is sent a `Ping`, and then before the
    /// connection is given up (30 s unless set); `None` leaves idle connections alone.
    ///
    /// Only a connection whose [`WebSocket`] is being read (with [`WebSocket::recv`] or as a
    /// `Stream`) is watched: the timer runs inside that read.
    pub fn ping_interval(mut self, interval: impl Into<Option<Duration>>) -> Self {
        self.ping_interval = interval.into();
        self
    }

    /// The longest message the client may send, in bytes (64 KiB unless set).
    pub fn max_message_size(mut self, max: usize) -> Self {
        self.config = self.config.max_message_size(Some(max));
        self
    }

    /// The longest frame the client may send, in bytes (64 KiB unless set).
    pub fn max_frame_size(mut self, max: usize) -> Self {
        self.config = self.config.max_frame_size(Some(max));
        self
    }

    /// Answers `101 Switching Protocols` and, once hyper has sent it and handed over the
    /// connection, runs `callback` on it in a task of its own (`tokio::spawn`). If the connection
    /// fails before that, the callback is not called and the failure is logged at `debug`.
    pub fn on_upgrade<C, Fut>(self, callback: C) -> Response
    where
        C: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let WebSocketUpgrade {
            config,
            ping_interval,
            key,
            protocol,
            on_upgrade,
            ..
        } = self;
        let mut response = Response::new(Body::default());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(
            header::SEC_WEBSOCKET_ACCEPT,
            HeaderValue::try_from(derive_accept_key(key.as_bytes()))
                .expect("base64 is a valid header value"),
        );
        if let Some(protocol) = &protocol {
            headers.insert(header::SEC_WEBSOCKET_PROTOCOL, protocol.clone());
        }
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let socket =
                        WebSocket::from_upgraded(upgraded, config, protocol, ping_interval).await;
                    callback(socket).await;
                }
                Err(error) => tracing::debug!(%error, "websocket upgrade failed"),
            }
        });
        response
    }
}

/// The default of [`WebSocketUpgrade::max_message_size`] and
/// [`WebSocketUpgrade::max_frame_size`]: 64 KiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// The default of [`WebSocketUpgrade::ping_interval`].
const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(30);

/// tokio-tungstenite's configuration with this crate's defaults (see [`WebSocketUpgrade`]).
fn default_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(DEFAULT_MAX_MESSAGE_SIZE))
        .max_frame_size(Some(DEFAULT_MAX_MESSAGE_SIZE))
        .read_buffer_size(16 * 1024)
        // Must stay above `write_buffer_size` (128 KiB): sends fail past it instead of growing.
        .max_write_buffer_size(1024 * 1024)
}

/// The request's `Sec-WebSocket-Key` if its method and headers make an RFC 6455 opening
/// handshake, else the first fault.
fn check_handshake<'h>(
    method: &Method,
    headers: &'h HeaderMap,
) -> Result<&'h HeaderValue, WebSocketUpgradeRejection> {
    if method != Method::GET {
        return Err(WebSocketUpgradeRejection::MethodNotGet);
    }
    if !has_token(headers, header::CONNECTION, "upgrade") {
        return Err(WebSocketUpgradeRejection::InvalidConnectionHeader);
    }
    if !has_token(headers, header::UPGRADE, "websocket") {
        return Err(WebSocketUpgradeRejection::InvalidUpgradeHeader);
    }
    match headers.get(header::SEC_WEBSOCKET_VERSION) {
        None => return Err(WebSocketUpgradeRejection::MissingVersion),
        Some(version) if version.as_bytes().trim_ascii() != b"13" => {
            return Err(WebSocketUpgradeRejection::UnsupportedVersion)
        }
        Some(_) => {}
    }
    match headers.get(header::SEC_WEBSOCKET_KEY) {
        Some(key) if is_base64_of_16_bytes(key.as_bytes()) => Ok(key),
        Some(_) => Err(WebSocketUpgradeRejection::InvalidKey),
        None => Err(WebSocketUpgradeRejection::MissingKey),
    }
}

/// Whether any `name` header holds `token` in its comma-separated list, in any case.
fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .as_bytes()
            .split(|&byte| byte == b',')
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// 16 bytes in padded base64: 22 characters of the alphabet, then `==`.
fn is_base64_of_16_bytes(key: &[u8]) -> bool {
    key.len() == 24
        && key.ends_with(b"==")
        && key[..22]
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/')
}
