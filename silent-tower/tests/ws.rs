//! `WebSocketUpgrade` on a real socket: a `Router` behind `serve` on 127.0.0.1, tokio-tungstenite
//! as the client for the handshakes that succeed, hyper's client for the ones that must not.
#![cfg(feature = "ws")]

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::prelude::*;
use silent_tower::ws::{CloseCode, CloseFrame, Error, Message, WebSocket, WebSocketUpgrade};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type WsClient = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Every wait in these tests is bounded by this; none of them asserts on time.
const PATIENCE: Duration = Duration::from_secs(5);

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {PATIENCE:?} waiting for {what}"))
}

/// What the server side of a connection saw, reported to the test.
#[derive(Debug, PartialEq)]
enum Seen {
    Message(Message),
    Error(String),
    End,
}

/// Echoes text and binary messages, reporting everything it receives, until the stream ends.
async fn echo(mut socket: WebSocket, seen: mpsc::UnboundedSender<Seen>) {
    loop {
        match socket.recv().await {
            Some(Ok(message)) => {
                let _ = seen.send(Seen::Message(message.clone()));
                if let Message::Text(_) | Message::Binary(_) = message {
                    socket.send(message).await.unwrap();
                }
            }
            Some(Err(error)) => {
                let _ = seen.send(Seen::Error(error.to_string()));
                break;
            }
            None => {
                let _ = seen.send(Seen::End);
                break;
            }
        }
    }
}

/// Serves, on 127.0.0.1:0:
/// - `/echo`: [`echo`], reporting to the returned receiver;
/// - `/proto`: subprotocols `chat.v2` and `chat.v1`; sends the chosen one as text (or `none`),
///   then closes with `1001 bye`;
/// - `/small`: messages of at most 16 bytes, frames of at most 8; reports like `/echo`;
/// - `/any`: the extractor on every method.
async fn start() -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
    let (addr, rx, _server) = start_with(|s| s).await;
    (addr, rx)
}

/// A running server of [`start`]'s routes: stop it with the sender, await it with the handle.
struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Like [`start`], with `configure` applied to the server, and `/quick-ping`: [`echo`] with a
/// ping interval of 200 ms.
async fn start_with(
    configure: impl FnOnce(silent_tower::Serve<Router>) -> silent_tower::Serve<Router>,
) -> (SocketAddr, mpsc::UnboundedReceiver<Seen>, Running) {
    let (tx, rx) = mpsc::unbounded_channel();
    let small_tx = tx.clone();
    let ping_tx = tx.clone();
    let push_tx = tx.clone();
    let app = Router::new()
        .route(
            "/echo",
            get(move |ws: WebSocketUpgrade| {
                let tx = tx.clone();
                async move { ws.on_upgrade(move |socket| echo(socket, tx)) }
            }),
        )
        .route(
            "/proto",
            get(|ws: WebSocketUpgrade| async move {
                let ws = ws.protocols(["chat.v2", "chat.v1"]);
                let chosen = ws.selected_protocol().cloned();
                ws.on_upgrade(move |mut socket| async move {
                    assert_eq!(socket.protocol(), chosen.as_ref());
                    let name = match socket.protocol() {
                        Some(name) => name.to_str().unwrap().to_owned(),
                        None => "none".to_owned(),
                    };
                    socket.send(Message::text(name)).await.unwrap();
                    let bye = CloseFrame {
                        code: CloseCode::Away,
                        reason: "bye".into(),
                    };
                    socket.close(Some(bye)).await.unwrap();
                    while socket.recv().await.is_some() {}
                })
            }),
        )
        .route(
            "/small",
            get(move |ws: WebSocketUpgrade| {
                let tx = small_tx.clone();
                async move {
                    let ws = ws.max_message_size(16).max_frame_size(8);
                    ws.on_upgrade(move |socket| async move {
                        assert_eq!(socket.config().max_message_size, Some(16));
                        assert_eq!(socket.config().max_frame_size, Some(8));
                        echo(socket, tx).await
                    })
                }
            }),
        )
        .route(
            "/quick-ping",
            get(move |ws: WebSocketUpgrade| {
                let tx = ping_tx.clone();
                async move {
                    ws.ping_interval(QUICK_PING)
                        .on_upgrade(move |socket| echo(socket, tx))
                }
            }),
        )
        .route("/plain", get(|| async { "plain" }))
        .route(
            // Sends 64 KiB messages until a send fails, and reports the failure.
            "/push",
            get(move |ws: WebSocketUpgrade| {
                let tx = push_tx.clone();
                async move {
                    ws.ping_interval(QUICK_PING)
                        .on_upgrade(move |mut socket| async move {
                            let message = Message::binary(vec![7u8; 64 * 1024]);
                            loop {
                                if let Err(error) = socket.send(message.clone()).await {
                                    let _ = tx.send(Seen::Error(error.to_string()));
                                    break;
                                }
                            }
                        })
                }
            }),
        )
        .route(
            "/any",
            any(|ws: WebSocketUpgrade| async move { ws.on_upgrade(|_| async {}) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        configure(serve(listener, app))
            .with_graceful_shutdown(async {
                // Only a sent stop stops it; a dropped sender (a test that does not stop the
                // server) leaves it running.
                if stopped.await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .into_future(),
    );
    (addr, rx, Running { stop, task })
}

const QUICK_PING: Duration = Duration::from_millis(200);

async fn connect(addr: SocketAddr, path: &str) -> WsClient {
    let (client, response) = within("the handshake", connect_async(format!("ws://{addr}{path}")))
        .await
        .unwrap();
    // tungstenite has checked `Sec-WebSocket-Accept` against the key it sent.
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(response.headers()[header::UPGRADE], "websocket");
    assert_eq!(response.headers()[header::CONNECTION], "upgrade");
    assert!(!response
        .headers()
        .contains_key(header::SEC_WEBSOCKET_PROTOCOL));
    client
}

async fn next(client: &mut WsClient) -> Option<Message> {
    within("a message", client.next())
        .await
        .map(|message| message.unwrap())
}

async fn seen(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    within("the server's report", rx.recv()).await.unwrap()
}

#[tokio::test]
async fn text_and_binary_messages_echo_and_the_close_handshake_completes() {
    let (addr, mut rx) = start().await;
    let mut client = connect(addr, "/echo").await;

    client.send(Message::text("hello, ünïcödé")).await.unwrap();
    assert_eq!(
        next(&mut client).await,
        Some(Message::text("hello, ünïcödé"))
    );
    assert_eq!(
        seen(&mut rx).await,
        Seen::Message(Message::text("hello, ünïcödé"))
    );

    let bytes = vec![0u8, 1, 2, 254, 255];
    client.send(Message::binary(bytes.clone())).await.unwrap();
    assert_eq!(
        next(&mut client).await,
        Some(Message::binary(bytes.clone()))
    );
    assert_eq!(seen(&mut rx).await, Seen::Message(Message::binary(bytes)));

    // The client closes; the server sees the close frame, tungstenite echoes it, and both
    // streams end.
    let bye = CloseFrame {
        code: CloseCode::Normal,
        reason: "done".into(),
    };
    within("the close", client.close(Some(bye.clone())))
        .await
        .unwrap();
    assert_eq!(
        next(&mut client).await,
        Some(Message::Close(Some(bye.clone())))
    );
    assert_eq!(next(&mut client).await, None);
    assert_eq!(
        seen(&mut rx).await,
        Seen::Message(Message::Close(Some(bye)))
    );
    assert_eq!(seen(&mut rx).await, Seen::End);
}

#[tokio::test]
async fn the_server_closes_with_its_code_and_reason() {
    let (addr, _rx) = start().await;
    let mut client = connect(addr, "/proto").await;
    assert_eq!(next(&mut client).await, Some(Message::text("none")));
    assert_eq!(
        next(&mut client).await,
        Some(Message::Close(Some(CloseFrame {
            code: CloseCode::Away,
            reason: "bye".into(),
        })))
    );
    // tungstenite answers the close on the client's next read; then the stream ends.
    assert_eq!(next(&mut client).await, None);
}

#[tokio::test]
async fn the_clients_first_supported_subprotocol_is_chosen() {
    let (addr, _rx) = start().await;
    let mut request = format!("ws://{addr}/proto").into_client_request().unwrap();
    request.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static("other, chat.v1, chat.v2"),
    );
    let (mut client, response) = within("the handshake", connect_async(request))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(
        response.headers()[header::SEC_WEBSOCKET_PROTOCOL],
        "chat.v1"
    );
    assert_eq!(next(&mut client).await, Some(Message::text("chat.v1")));
}

/// A data frame of `text`, the first of its message if `first`, the last if `last`.
fn text_frame(text: &'static str, first: bool, last: bool) -> Message {
    let data = if first { Data::Text } else { Data::Continue };
    Message::Frame(Frame::message(text, OpCode::Data(data), last))
}

#[tokio::test]
async fn a_message_over_its_limit_ends_the_connection_with_an_error() {
    let (addr, mut rx) = start().await;
    let mut client = connect(addr, "/small").await;

    // 16 bytes in two frames of 8: both limits met.
    client
        .send(text_frame("01234567", true, false))
        .await
        .unwrap();
    client
        .send(text_frame("89abcdef", false, true))
        .await
        .unwrap();
    let fits = Message::text("0123456789abcdef");
    assert_eq!(seen(&mut rx).await, Seen::Message(fits.clone()));
    assert_eq!(next(&mut client).await, Some(fits));

    // 17 bytes in frames of 8, 8 and 1: each frame fits, the message does not.
    client
        .send(text_frame("01234567", true, false))
        .await
        .unwrap();
    client
        .send(text_frame("89abcdef", false, false))
        .await
        .unwrap();
    client.send(text_frame("g", false, true)).await.unwrap();
    let too_long = Error::Capacity(CapacityError::MessageTooLong {
        size: 17,
        max_size: 16,
    });
    assert_eq!(seen(&mut rx).await, Seen::Error(too_long.to_string()));
}

#[tokio::test]
async fn a_frame_over_its_limit_ends_the_connection_with_an_error() {
    let (addr, mut rx) = start().await;
    let mut client = connect(addr, "/small").await;
    client.send(Message::text("012345678")).await.unwrap();
    let too_long = Error::Capacity(CapacityError::MessageTooLong {
        size: 9,
        max_size: 8,
    });
    assert_eq!(seen(&mut rx).await, Seen::Error(too_long.to_string()));
}

/// A plain HTTP request: (status, headers, body).
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
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

const KEY: (&str, &str) = ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
const VERSION: (&str, &str) = ("sec-websocket-version", "13");
const CONNECTION: (&str, &str) = ("connection", "keep-alive, Upgrade");
const UPGRADE: (&str, &str) = ("upgrade", "WebSocket");

#[tokio::test]
async fn a_handshake_without_a_common_subprotocol_names_none() {
    let (addr, _rx) = start().await;
    let offer = ("sec-websocket-protocol", "other");
    let (status, headers, body) = http(
        addr,
        "GET",
        "/proto",
        &[CONNECTION, UPGRADE, VERSION, KEY, offer],
    )
    .await;
    assert_eq!(status, StatusCode::SWITCHING_PROTOCOLS);
    // RFC 6455's own example of a key and its accept value.
    assert_eq!(
        headers[header::SEC_WEBSOCKET_ACCEPT],
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert!(!headers.contains_key(header::SEC_WEBSOCKET_PROTOCOL));
    assert_eq!(body, "");
}

#[tokio::test]
async fn tokens_are_found_in_lists_across_header_lines_in_any_case() {
    let (addr, _rx) = start().await;
    let headers = [
        ("connection", "keep-alive"),
        ("connection", "UPGRADE"),
        ("upgrade", "foo/1, WebSocket"),
        VERSION,
        KEY,
    ];
    let (status, headers, _) = http(addr, "GET", "/proto", &headers).await;
    assert_eq!(status, StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(
        headers[header::SEC_WEBSOCKET_ACCEPT],
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

/// A request's method and headers, and the status and body it must get.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    StatusCode,
    &'static str,
);

#[tokio::test]
async fn requests_that_are_not_handshakes_are_refused_saying_why() {
    let (addr, _rx) = start().await;
    const BAD_VERSION: (&str, &str) = ("sec-websocket-version", "8");
    let cases: [Case; 10] = [
        (
            "POST",
            &[CONNECTION, UPGRADE, VERSION, KEY],
            StatusCode::METHOD_NOT_ALLOWED,
            "not a WebSocket handshake: the method must be `GET`",
        ),
        (
            "GET",
            &[],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Connection` must include `upgrade`",
        ),
        (
            "GET",
            &[("connection", "keep-alive"), UPGRADE, VERSION, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Connection` must include `upgrade`",
        ),
        (
            "GET",
            &[CONNECTION, VERSION, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Upgrade` must be `websocket`",
        ),
        (
            "GET",
            &[CONNECTION, ("upgrade", "h2c"), VERSION, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Upgrade` must be `websocket`",
        ),
        (
            "GET",
            &[CONNECTION, UPGRADE, KEY],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Sec-WebSocket-Version` is missing",
        ),
        (
            "GET",
            &[CONNECTION, UPGRADE, BAD_VERSION, KEY],
            StatusCode::UPGRADE_REQUIRED,
            "unsupported WebSocket version: `Sec-WebSocket-Version` must be `13`",
        ),
        (
            "GET",
            &[CONNECTION, UPGRADE, VERSION],
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake: `Sec-WebSocket-Key` is missing",
        ),
        (
            "GET",
            &[CONNECTION, UPGRADE, VERSION, ("sec-websocket-key", "short")],
            StatusCode::BAD_REQUEST,
            "invalid `Sec-WebSocket-Key`: expected 16 bytes in base64",
        ),
        (
            "GET",
            &[
                CONNECTION,
                UPGRADE,
                VERSION,
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ!!"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid `Sec-WebSocket-Key`: expected 16 bytes in base64",
        ),
    ];
    for (method, headers, expected_status, why) in cases {
        let (status, response_headers, body) = http(addr, method, "/any", headers).await;
        let case = format!("{method} {headers:?}");
        assert_eq!(status, expected_status, "{case}");
        assert_eq!(body, why, "{case}");
        assert_eq!(
            response_headers[header::CONTENT_TYPE],
            "text/plain; charset=utf-8",
            "{case}"
        );
        assert!(
            !response_headers.contains_key(header::SEC_WEBSOCKET_ACCEPT),
            "{case}"
        );
        assert_eq!(
            response_headers
                .get(header::ALLOW)
                .map(|v| v.to_str().unwrap()),
            (status == StatusCode::METHOD_NOT_ALLOWED).then_some("GET"),
            "{case}"
        );
        let version_is_missing_or_wrong = why.contains("Version");
        assert_eq!(
            response_headers
                .get(header::SEC_WEBSOCKET_VERSION)
                .map(|v| v.to_str().unwrap()),
            version_is_missing_or_wrong.then_some("13"),
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_handshake_that_did_not_come_through_a_hyper_server_is_a_500() {
    let app = Router::<(), ()>::with_body().route(
        "/ws",
        get(|ws: WebSocketUpgrade| async move { ws.on_upgrade(|_| async {}) }),
    );
    let mut request = http::Request::get("/ws");
    for (name, value) in [CONNECTION, UPGRADE, VERSION, KEY] {
        request = request.header(name, value);
    }
    let response = app.oneshot(request.body(()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        body,
        "this connection cannot be upgraded: the request did not come from a server that \
         serves HTTP/1 upgrades"
    );
}

#[tokio::test]
async fn by_default_a_message_may_be_64_kib() {
    let (addr, mut rx) = start().await;
    let mut client = connect(addr, "/echo").await;

    let fits = Message::binary(vec![1u8; 64 * 1024]);
    client.send(fits.clone()).await.unwrap();
    assert_eq!(seen(&mut rx).await, Seen::Message(fits.clone()));
    assert_eq!(next(&mut client).await, Some(fits));

    client
        .send(Message::binary(vec![1u8; 64 * 1024 + 1]))
        .await
        .unwrap();
    let too_long = Error::Capacity(CapacityError::MessageTooLong {
        size: 64 * 1024 + 1,
        max_size: 64 * 1024,
    });
    assert_eq!(seen(&mut rx).await, Seen::Error(too_long.to_string()));
}

#[tokio::test]
async fn a_silent_client_is_pinged_and_one_that_reads_stays() {
    let (addr, mut rx) = start().await;
    let mut client = connect(addr, "/quick-ping").await;

    // Reading answers the server's pings (tungstenite sends the pong): three intervals pass
    // and the connection stays, with a ping seen each interval.
    let mut pings = 0;
    let reading = tokio::time::timeout(3 * QUICK_PING, async {
        while let Some(Ok(message)) = client.next().await {
            if let Message::Ping(_) = message {
                pings += 1;
            }
        }
    })
    .await;
    assert!(
        reading.is_err(),
        "the connection ended while the client read"
    );
    assert!(pings >= 1, "no ping in three intervals");
    // Each pong the server got is a message it saw.
    assert!(matches!(
        seen(&mut rx).await,
        Seen::Message(Message::Pong(_))
    ));

    // A client that stops reading answers no ping: two intervals later the server gives up.
    let given_up = within("the server gives up", async {
        loop {
            match rx.recv().await.unwrap() {
                Seen::Message(_) => continue,
                other => break other,
            }
        }
    })
    .await;
    match given_up {
        Seen::Error(error) => assert!(error.contains("answered no ping"), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn at_max_connections_a_websocket_is_closed_to_make_room_when_nothing_else_is_idle() {
    let (addr, mut rx, _server) = start_with(|s| s.max_connections(1)).await;
    let mut client = connect(addr, "/echo").await;
    client.send(Message::text("hi")).await.unwrap();
    assert_eq!(next(&mut client).await, Some(Message::text("hi")));
    assert_eq!(seen(&mut rx).await, Seen::Message(Message::text("hi")));

    // The WebSocket holds the only slot, idle: a client that answers pings must not be able to
    // lock everyone out, so the new connection takes its slot.
    let (status, _, body) = http(addr, "GET", "/plain", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "plain");
    // The handler, parked in `recv`, sees its read fail; the client sees the end.
    assert!(matches!(seen(&mut rx).await, Seen::Error(_)));
    let end = within("the connection ends", client.next()).await;
    assert!(!matches!(end, Some(Ok(Message::Text(_)))), "{end:?}");
}

#[tokio::test]
async fn at_max_connections_an_idle_http_connection_is_closed_before_a_websocket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (addr, mut rx, _server) = start_with(|s| s.max_connections(2)).await;
    let mut client = connect(addr, "/echo").await;
    client.send(Message::text("first")).await.unwrap();
    assert_eq!(next(&mut client).await, Some(Message::text("first")));
    assert_eq!(seen(&mut rx).await, Seen::Message(Message::text("first")));

    // A keep-alive connection, idle since its answer, and quiet for longer than the WebSocket
    // will be: even so it goes first.
    let mut keep_alive = TcpStream::connect(addr).await.unwrap();
    keep_alive
        .write_all(b"GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0; 1024];
    let read = within("the keep-alive answer", keep_alive.read(&mut answer))
        .await
        .unwrap();
    assert!(answer[..read].starts_with(b"HTTP/1.1 200 OK\r\n"));
    client.send(Message::text("second")).await.unwrap();
    assert_eq!(next(&mut client).await, Some(Message::text("second")));
    assert_eq!(seen(&mut rx).await, Seen::Message(Message::text("second")));

    let (status, _, body) = http(addr, "GET", "/plain", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "plain");
    let mut rest = Vec::new();
    let closed = within(
        "the keep-alive connection closes",
        keep_alive.read_to_end(&mut rest),
    )
    .await;
    assert!(closed.is_err() || rest.is_empty(), "{closed:?} {rest:?}");
    // The WebSocket goes on.
    client.send(Message::text("third")).await.unwrap();
    assert_eq!(next(&mut client).await, Some(Message::text("third")));
}

#[tokio::test]
async fn a_websocket_is_closed_when_the_server_stops() {
    let (addr, mut rx, server) = start_with(|s| s).await;
    let mut client = connect(addr, "/echo").await;
    client.send(Message::text("hi")).await.unwrap();
    assert_eq!(next(&mut client).await, Some(Message::text("hi")));
    assert_eq!(seen(&mut rx).await, Seen::Message(Message::text("hi")));

    server.stop.send(()).unwrap();
    within("the server stops", server.task)
        .await
        .unwrap()
        .unwrap();
    // The handler, parked in `recv`, is woken by a failed read; the client sees the end.
    assert!(matches!(seen(&mut rx).await, Seen::Error(_)));
    let end = within("the connection ends", client.next()).await;
    assert!(!matches!(end, Some(Ok(Message::Text(_)))), "{end:?}");
}

#[tokio::test]
async fn a_client_that_never_reads_fails_the_servers_send_after_two_ping_intervals() {
    let (addr, mut rx) = start().await;
    // Connected, then never read: the socket buffers fill and the server's sends stall.
    let _client = connect(addr, "/push").await;
    match seen(&mut rx).await {
        Seen::Error(error) => assert!(error.contains("read nothing"), "{error}"),
        other => panic!("{other:?}"),
    }
}
