//! A chat room over WebSocket: `GET /` serves a page whose script joins the room at `/ws`; every
//! line a member sends reaches every member, the sender included.
//!
//! The upgrade is done by hand, in an ordinary handler, so that it shows what a WebSocket
//! handshake is on top of hyper: check the request's `Upgrade`, `Connection`,
//! `Sec-WebSocket-Version` and `Sec-WebSocket-Key` headers, answer `101 Switching Protocols` with
//! the derived `Sec-WebSocket-Accept`, and once hyper has sent that answer take the connection
//! from [`hyper::upgrade::on`] and hand it to tokio-tungstenite. The router does not know or care
//! that the route upgrades.
//!
//! What members see, in order:
//!
//! - `guest-N joined` when someone joins (the newcomer sees their own line: it tells them their
//!   name);
//! - `guest-N: text` for every text message a member sends;
//! - `guest-N left` when someone's connection closes;
//! - `(missed N messages)` if a member reads so slowly that the room's buffer overtook them.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use silent_tower::http::header::{self, HeaderMap, HeaderValue};
use silent_tower::prelude::*;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use tower_service::Service;

/// How many lines the room buffers for its slowest member before that member starts missing some.
const ROOM_CAPACITY: usize = 256;

/// The longest message a member may send; a longer one closes their connection.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The page served at `/`: a message list, a form, and a script that joins `/ws`.
pub const PAGE: &str = include_str!("websocket_chat.html");

/// The chat room: a broadcast channel every member's connection subscribes to, and a counter that
/// names the members.
///
/// Cloning is two reference-count increments; all clones are the same room.
#[derive(Clone, Debug)]
pub struct Room {
    lines: broadcast::Sender<Utf8Bytes>,
    members: Arc<AtomicU64>,
}

impl Default for Room {
    fn default() -> Self {
        Self::new()
    }
}

impl Room {
    /// An empty room.
    pub fn new() -> Self {
        Self {
            lines: broadcast::channel(ROOM_CAPACITY).0,
            members: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends `line` to every member. Nobody listening is not an error: the room is just empty.
    fn say(&self, line: impl Into<Utf8Bytes>) {
        let _ = self.lines.send(line.into());
    }

    /// Runs one member's connection until it closes.
    async fn host<S>(self, socket: WebSocketStream<S>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let name = format!("guest-{}", self.members.fetch_add(1, Ordering::Relaxed) + 1);
        // Subscribe before announcing, so that the newcomer hears their own `joined` line.
        let mut lines = self.lines.subscribe();
        self.say(format!("{name} joined"));
        let (mut to_member, mut from_member) = socket.split();
        loop {
            tokio::select! {
                message = from_member.next() => match message {
                    Some(Ok(Message::Text(text))) => self.say(format!("{name}: {text}")),
                    // Pings are answered by tungstenite itself; binary frames have no place here.
                    Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_) | Message::Frame(_)) | Err(_)) | None => break,
                },
                line = lines.recv() => {
                    let line = match line {
                        Ok(line) => line,
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            Utf8Bytes::from(format!("(missed {missed} messages)"))
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    };
                    if to_member.send(Message::Text(line)).await.is_err() {
                        break;
                    }
                }
            }
        }
        self.say(format!("{name} left"));
    }
}

/// `GET /`: the page.
pub async fn page() -> (HeaderMap, &'static str) {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (headers, PAGE)
}

/// `GET /ws`: checks the WebSocket handshake, answers `101 Switching Protocols`, and hosts the
/// member on the upgraded connection in a task of its own. A request that is not a valid
/// handshake gets `400 Bad Request` with a body naming what is wrong.
pub async fn join(mut request: Request, room: Room) -> Response {
    let accept = match check_handshake(request.headers()) {
        Ok(key) => derive_accept_key(key.as_bytes()),
        Err(problem) => return (StatusCode::BAD_REQUEST, problem).into_response(),
    };
    // Resolves once hyper has written the 101 below and hands over the connection.
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        match upgrade.await {
            Ok(upgraded) => {
                let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
                let socket = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                room.host(socket).await;
            }
            Err(error) => tracing::debug!(%error, "websocket upgrade failed"),
        }
    });
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(
        header::SEC_WEBSOCKET_ACCEPT,
        HeaderValue::try_from(accept).expect("base64 is a valid header value"),
    );
    response
}

/// The request's `Sec-WebSocket-Key` if the headers make an RFC 6455 opening handshake, else
/// what is wrong with them.
fn check_handshake(headers: &HeaderMap) -> Result<&HeaderValue, &'static str> {
    let has_token = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|value| {
            value
                .as_bytes()
                .split(|&byte| byte == b',')
                .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        })
    };
    if !has_token(header::CONNECTION, "upgrade") {
        return Err("not a WebSocket handshake: `Connection` must include `upgrade`\n");
    }
    if !has_token(header::UPGRADE, "websocket") {
        return Err("not a WebSocket handshake: `Upgrade` must be `websocket`\n");
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .map(HeaderValue::as_bytes)
        != Some(b"13")
    {
        return Err("unsupported WebSocket version: `Sec-WebSocket-Version` must be `13`\n");
    }
    match headers.get(header::SEC_WEBSOCKET_KEY) {
        // 16 random bytes, base64-encoded: 24 characters.
        Some(key) if key.len() == 24 => Ok(key),
        Some(_) => Err("invalid `Sec-WebSocket-Key`: expected 16 bytes in base64\n"),
        None => Err("not a WebSocket handshake: `Sec-WebSocket-Key` is missing\n"),
    }
}

/// The chat app: the page at `/`, the room at `/ws`.
pub fn app(
    room: Room,
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    Router::new()
        .route("/", get(page))
        .route("/ws", get(move |request: Request| join(request, room)))
}
