//! The chat app served on a real socket: two real WebSocket clients talk through it, a plain HTTP
//! client fetches the page and sends handshakes that are not (the status and body of each are
//! `WebSocketUpgrade`'s; `silent-tower/tests/ws.rs` checks them all).

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Request, StatusCode};
use silent_tower_examples::websocket_chat::{self, Room, MAX_MESSAGE_BYTES};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Member = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every wait in these tests is bounded by this.
const PATIENCE: Duration = Duration::from_secs(5);

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {PATIENCE:?} waiting for {what}"))
}

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, websocket_chat::app(Room::new())).into_future());
    addr
}

async fn join(addr: SocketAddr) -> Member {
    let (member, response) = within("the handshake", connect_async(format!("ws://{addr}/ws")))
        .await
        .unwrap();
    // tungstenite has already checked `Sec-WebSocket-Accept` against the key it sent.
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(response.headers()[header::UPGRADE], "websocket");
    member
}

/// The next text line `member` receives.
async fn next_line(member: &mut Member) -> String {
    match within("a chat line", member.next()).await {
        Some(Ok(Message::Text(text))) => text.to_string(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

async fn say(member: &mut Member, text: &str) {
    within("a send", member.send(Message::text(text)))
        .await
        .unwrap();
}

#[tokio::test]
async fn two_members_see_each_others_lines() {
    let addr = start().await;

    let mut alice = join(addr).await;
    assert_eq!(next_line(&mut alice).await, "guest-1 joined");
    let mut bob = join(addr).await;
    assert_eq!(next_line(&mut bob).await, "guest-2 joined");
    assert_eq!(next_line(&mut alice).await, "guest-2 joined");

    say(&mut alice, "hello from alice").await;
    assert_eq!(next_line(&mut bob).await, "guest-1: hello from alice");
    assert_eq!(next_line(&mut alice).await, "guest-1: hello from alice");

    say(&mut bob, "hi alice, ünïcödé 👋").await;
    assert_eq!(next_line(&mut alice).await, "guest-2: hi alice, ünïcödé 👋");
    assert_eq!(next_line(&mut bob).await, "guest-2: hi alice, ünïcödé 👋");

    within("bob's close", bob.close(None)).await.unwrap();
    assert_eq!(next_line(&mut alice).await, "guest-2 left");
}

#[tokio::test]
async fn an_oversized_message_ends_only_its_senders_connection() {
    let addr = start().await;
    let mut alice = join(addr).await;
    assert_eq!(next_line(&mut alice).await, "guest-1 joined");
    let mut mallory = join(addr).await;
    assert_eq!(next_line(&mut mallory).await, "guest-2 joined");
    assert_eq!(next_line(&mut alice).await, "guest-2 joined");

    say(&mut mallory, &"x".repeat(MAX_MESSAGE_BYTES + 1)).await;
    assert_eq!(next_line(&mut alice).await, "guest-2 left");
    // The room goes on for everybody else.
    say(&mut alice, "still here").await;
    assert_eq!(next_line(&mut alice).await, "guest-1: still here");
}

async fn get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = Request::get(format!("http://{addr}{path}"));
    for &(name, value) in headers {
        request = request.header(name, value);
    }
    let response = within(
        "a response",
        client.request(request.body(Empty::new()).unwrap()),
    )
    .await
    .unwrap();
    let (parts, body) = response.into_parts();
    let body = within("a body", body.collect()).await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn the_page_is_served_at_the_root() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_LENGTH],
        websocket_chat::PAGE.len().to_string()
    );
    assert!(body.contains("<title>silent-tower chat</title>"), "{body}");
    assert!(
        body.contains(r#"new WebSocket(scheme + location.host + "/ws")"#),
        "{body}"
    );
}

/// A handshake's headers, and the status and body it must get.
type Case = (
    &'static [(&'static str, &'static str)],
    StatusCode,
    &'static str,
);

#[tokio::test]
async fn requests_that_are_not_handshakes_are_refused_saying_why() {
    let addr = start().await;
    const KEY: (&str, &str) = ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    const VERSION: (&str, &str) = ("sec-websocket-version", "13");
    const CONNECTION: (&str, &str) = ("connection", "keep-alive, Upgrade");
    const UPGRADE: (&str, &str) = ("upgrade", "websocket");
    let cases: [Case; 7] = [
        (
            &[],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Connection` must include `upgrade`",
        ),
        (
            &[UPGRADE, VERSION, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Connection` must include `upgrade`",
        ),
        (
            &[CONNECTION, VERSION, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Upgrade` must be `websocket`",
        ),
        (
            &[CONNECTION, UPGRADE, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Sec-WebSocket-Version` is missing",
        ),
        (
            &[CONNECTION, UPGRADE, ("sec-websocket-version", "8"), KEY],
            StatusCode::UPGRADE_REQUIRED,
            "unsupported WebSocket version: `Sec-WebSocket-Version` must be `13`",
        ),
        (
            &[CONNECTION, UPGRADE, VERSION],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Sec-WebSocket-Key` is missing",
        ),
        (
            &[CONNECTION, UPGRADE, VERSION, ("sec-websocket-key", "short")],
            StatusCode::BAD_REQUEST,
            "invalid `Sec-WebSocket-Key`: expected 16 bytes in base64",
        ),
    ];
    for (headers, expected_status, why) in cases {
        let (status, response_headers, body) = get(addr, "/ws", headers).await;
        assert_eq!(status, expected_status, "{headers:?}");
        assert_eq!(body, why, "{headers:?}");
        assert_eq!(
            response_headers[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert!(!response_headers.contains_key(header::SEC_WEBSOCKET_ACCEPT));
    }
}
