//! A chat room over WebSocket: `GET /` serves a page whose script joins the room at `/ws`; every
//! line a member sends reaches every member, the sender included.
//!
//! The route takes a [`WebSocketUpgrade`]: it checks the handshake (a request that is not one is
//! answered `400`, `405` or `426` with a body naming the fault) and its `on_upgrade` answers
//! `101 Switching Protocols` and hosts the member on the upgraded connection, in a task of its own.
//! The room is the router's state.
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
use silent_tower::http::header::{self, HeaderMap, HeaderValue};
use silent_tower::prelude::*;
use silent_tower::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use tokio::sync::broadcast;
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
    async fn host(self, socket: WebSocket) {
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

/// `GET /ws`: joins the room. [`WebSocketUpgrade`] has checked the handshake; the member is
/// hosted on the upgraded connection, where a message longer than [`MAX_MESSAGE_BYTES`] closes
/// it.
pub async fn join(ws: WebSocketUpgrade, State(room): State<Room>) -> Response {
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| room.host(socket))
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
        .route("/ws", get(join))
        .with_state(room)
}
