//! Handlers that fail in every way a handler can, served by `serve` through the router and the
//! layers as an application stacks them: each failure gets its documented response, and the
//! connection it happened on, and the server, go on serving.
//!
//! The HTTP/1 tests drive a raw `TcpStream`, writing one request after the other on the same
//! socket: if the server closed the connection after a failure, the next exchange on it fails.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::Frame;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use silent_tower::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceBuilder;

/// Short, so the `/never` tests take a fraction of a second.
const TIMEOUT: Duration = Duration::from_millis(200);

/// Panics in `Service::call` itself, before any future exists: the router calls it while
/// routing, so the panic unwinds through `Router::call` and `Timeout::call`.
#[derive(Clone)]
struct PanicsInCall;

impl<B> tower::Service<Request<B>> for PanicsInCall {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<B>) -> Self::Future {
        panic!("deliberate panic in call");
    }
}

async fn panics_while_polled() -> &'static str {
    panic!("deliberate panic while polled");
}

/// Counts how many `/never` futures were dropped: the timeout must cancel them, not leak them.
struct CountsDrop(Arc<AtomicUsize>);

impl Drop for CountsDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A body that sends one chunk, then panics while hyper polls it for the next one: a failure
/// after the response head is on the wire, which no layer can turn into a response.
struct PanicsMidBody {
    sent_first: bool,
}

impl http_body::Body for PanicsMidBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.sent_first {
            panic!("deliberate panic in the body");
        }
        self.sent_first = true;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"first chunk")))))
    }
}

struct App {
    addr: SocketAddr,
    never_dropped: Arc<AtomicUsize>,
}

/// The router with a route per failure, behind `ExceptionHandlerLayer` and `TimeoutLayer`,
/// served on a free port until the test's runtime ends.
async fn start() -> App {
    start_with_header_read_timeout(Duration::from_secs(30)).await
}

async fn start_with_header_read_timeout(header_read_timeout: Duration) -> App {
    let never_dropped = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::clone(&never_dropped);
    let router = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route_service("/panic-in-call", PanicsInCall)
        .route("/panic-while-polled", get(panics_while_polled))
        .route(
            "/never",
            get(move || {
                let guard = CountsDrop(dropped);
                async move {
                    let _guard = guard;
                    std::future::pending::<&'static str>().await
                }
            }),
        )
        .route(
            "/panic-mid-body",
            get(|| async { Response::new(Body::new(PanicsMidBody { sent_first: false })) }),
        );
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(TimeoutLayer::new(TIMEOUT))
        .service(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = serve(listener, app).header_read_timeout(header_read_timeout);
    tokio::spawn(server.into_future());
    App {
        addr,
        never_dropped,
    }
}

/// Sends `GET path` on `connection` and asserts the exact response: status, empty body for the
/// failures, and no `connection: close`, so the connection stays open for the next request.
async fn assert_answer(connection: &mut RawHttp1, path: &str, status: StatusCode, body: &str) {
    let response = connection.get(path).await;
    assert_eq!(response.status, status, "GET {path}: {response:?}");
    assert_eq!(response.body, body.as_bytes(), "GET {path}: {response:?}");
    assert!(
        !response.closes_connection(),
        "GET {path} closed the connection: {response:?}"
    );
}

#[tokio::test]
async fn a_panic_in_call_answers_500_and_the_connection_serves_the_next_request() {
    quiet_deliberate_panics();
    let app = start().await;
    let mut connection = RawHttp1::connect(app.addr).await;

    for _ in 0..3 {
        assert_answer(
            &mut connection,
            "/panic-in-call",
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
        )
        .await;
        assert_answer(&mut connection, "/ok", StatusCode::OK, "ok").await;
    }
    assert_eq!(connection.exchanges, 6, "all on one socket");
}

#[tokio::test]
async fn a_panic_while_polled_answers_500_and_the_connection_serves_the_next_request() {
    quiet_deliberate_panics();
    let app = start().await;
    let mut connection = RawHttp1::connect(app.addr).await;

    for _ in 0..3 {
        let path = "/panic-while-polled";
        assert_answer(&mut connection, path, StatusCode::INTERNAL_SERVER_ERROR, "").await;
        assert_answer(&mut connection, "/ok", StatusCode::OK, "ok").await;
    }
    assert_eq!(connection.exchanges, 6, "all on one socket");
}

#[tokio::test]
async fn a_handler_that_never_finishes_answers_408_after_the_timeout_and_is_dropped() {
    let app = start().await;
    let mut connection = RawHttp1::connect(app.addr).await;

    for round in 1..=3 {
        let sent = Instant::now();
        assert_answer(&mut connection, "/never", StatusCode::REQUEST_TIMEOUT, "").await;
        let waited = sent.elapsed();
        assert!(
            waited >= TIMEOUT,
            "answered after {waited:?}, before the timeout"
        );
        assert!(waited < TIMEOUT * 10, "answered only after {waited:?}");
        assert_eq!(
            app.never_dropped.load(Ordering::SeqCst),
            round,
            "the timed-out handler future must be dropped when the 408 is sent"
        );
        assert_answer(&mut connection, "/ok", StatusCode::OK, "ok").await;
    }
    assert_eq!(connection.exchanges, 6, "all on one socket");
}

#[tokio::test]
async fn every_failure_in_turn_on_one_connection_then_a_new_connection() {
    quiet_deliberate_panics();
    let app = start().await;
    let mut connection = RawHttp1::connect(app.addr).await;

    let error = StatusCode::INTERNAL_SERVER_ERROR;
    assert_answer(&mut connection, "/panic-in-call", error, "").await;
    assert_answer(&mut connection, "/panic-while-polled", error, "").await;
    assert_answer(&mut connection, "/never", StatusCode::REQUEST_TIMEOUT, "").await;
    assert_answer(&mut connection, "/missing", StatusCode::NOT_FOUND, "").await;
    assert_answer(&mut connection, "/ok", StatusCode::OK, "ok").await;
    assert_eq!(connection.exchanges, 5, "all on one socket");

    let mut fresh = RawHttp1::connect(app.addr).await;
    assert_answer(&mut fresh, "/ok", StatusCode::OK, "ok").await;
}

#[tokio::test]
async fn http2_streams_fail_alone_and_the_connection_keeps_serving() {
    quiet_deliberate_panics();
    let app = start().await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    let connection = tokio::spawn(connection);

    // All at once, multiplexed on the one connection.
    let cases = [
        ("/panic-in-call", StatusCode::INTERNAL_SERVER_ERROR, ""),
        ("/panic-while-polled", StatusCode::INTERNAL_SERVER_ERROR, ""),
        ("/never", StatusCode::REQUEST_TIMEOUT, ""),
        ("/ok", StatusCode::OK, "ok"),
    ];
    let exchanges = cases.iter().map(|&(path, status, body)| {
        let mut sender = sender.clone();
        async move {
            let request = Request::get(format!("http://localhost{path}"))
                .body(Empty::<Bytes>::new())
                .unwrap();
            let response = sender.send_request(request).await.unwrap();
            assert_eq!(response.status(), status, "GET {path}");
            let received = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(received, body, "GET {path}");
        }
    });
    let exchanges: Vec<_> = exchanges.map(tokio::spawn).collect();
    for exchange in exchanges {
        exchange.await.unwrap();
    }

    let mut sender = sender;
    let request = Request::get("http://localhost/ok")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!connection.is_finished(), "the HTTP/2 connection closed");
}

#[tokio::test]
async fn a_body_that_panics_mid_stream_ends_only_its_own_connection() {
    quiet_deliberate_panics();
    let app = start().await;
    let mut bystander = RawHttp1::connect(app.addr).await;
    assert_answer(&mut bystander, "/ok", StatusCode::OK, "ok").await;

    // Once the body is being polled the status is decided: no response can be made any more,
    // so hyper's connection task unwinds and the socket closes. Whatever hyper had flushed by
    // then (maybe nothing, maybe the head and the first chunk), the body never looks complete.
    let mut victim = RawHttp1::connect(app.addr).await;
    let truncated = victim.get_until_closed("/panic-mid-body").await;
    assert!(
        truncated.is_empty() || truncated.starts_with("HTTP/1.1 200 OK\r\n"),
        "{truncated}"
    );
    assert!(
        !truncated.ends_with("\r\n0\r\n\r\n"),
        "a truncated chunked body must not end with the last chunk: {truncated}"
    );

    // Other connections, open before or after, are untouched.
    assert_answer(&mut bystander, "/ok", StatusCode::OK, "ok").await;
    let mut fresh = RawHttp1::connect(app.addr).await;
    assert_answer(&mut fresh, "/ok", StatusCode::OK, "ok").await;
}

const SLOW_CLIENTS: usize = 50;
const HEADER_READ_TIMEOUT: Duration = Duration::from_millis(500);
/// Well under the timeout: a timeout restarted by every byte read would never fire.
const TRICKLE_INTERVAL: Duration = Duration::from_millis(100);

/// How a slow client ended.
struct CutOff {
    after: Duration,
    bytes_sent: usize,
    received: Vec<u8>,
}

/// Connects and sends `head` one byte per `TRICKLE_INTERVAL` until the server hangs up.
async fn trickle(addr: SocketAddr, head: &'static [u8]) -> CutOff {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let connected = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let mut bytes_sent = 0;
        for byte in head {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            bytes_sent += 1;
            tokio::time::sleep(TRICKLE_INTERVAL).await;
        }
        bytes_sent
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut received))
        .await
        .expect("the server kept a slow client for 10 s");
    if let Err(error) = read {
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    }
    let after = connected.elapsed();
    writing.abort();
    let bytes_sent = writing.await.unwrap_or(0);
    CutOff {
        after,
        bytes_sent,
        received,
    }
}

/// One worker thread for everything, server and clients: a slow client that held it would
/// stall all the rest.
#[tokio::test(flavor = "current_thread")]
async fn slow_clients_are_cut_off_at_the_header_read_timeout_and_hold_up_nobody() {
    let app = start_with_header_read_timeout(HEADER_READ_TIMEOUT).await;
    // Half trickle an HTTP/1 head, half the HTTP/2 preface (cut off while the protocol is
    // still being detected); each head is long enough to outlast the timeout.
    let http1_head: &'static [u8] = b"GET /ok HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
    let http2_preface: &'static [u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let slow_clients: Vec<_> = (0..SLOW_CLIENTS)
        .map(|i| {
            let head = if i % 2 == 0 {
                http1_head
            } else {
                http2_preface
            };
            tokio::spawn(trickle(app.addr, head))
        })
        .collect();

    // All 50 are connected and trickling; a client that knows what it wants is served at once.
    tokio::time::sleep(TRICKLE_INTERVAL).await;
    let mut prompt = RawHttp1::connect(app.addr).await;
    let sent = Instant::now();
    assert_answer(&mut prompt, "/ok", StatusCode::OK, "ok").await;
    let latency = sent.elapsed();
    let still_connected = slow_clients.iter().filter(|c| !c.is_finished()).count();
    assert_eq!(
        still_connected, SLOW_CLIENTS,
        "the prompt request took {latency:?}: the slow clients were cut off before it was served"
    );
    assert!(
        latency < HEADER_READ_TIMEOUT / 2,
        "the prompt request took {latency:?}"
    );

    let mut cut_off_after = Vec::with_capacity(SLOW_CLIENTS);
    for slow_client in slow_clients {
        let cut_off = slow_client.await.unwrap();
        cut_off_after.push(cut_off.after);
        assert!(
            cut_off.after >= HEADER_READ_TIMEOUT,
            "cut off after {:?}, before the timeout",
            cut_off.after
        );
        assert!(
            cut_off.after < HEADER_READ_TIMEOUT * 3,
            "cut off only after {:?}",
            cut_off.after
        );
        assert!(
            cut_off.bytes_sent < http2_preface.len(),
            "sent its whole head ({} bytes) before being cut off",
            cut_off.bytes_sent
        );
        assert_eq!(cut_off.received, b"", "a slow client got an answer");
    }
    // The prompt connection has been idle for about the timeout by now, so it may be gone: the
    // server is asked on a new one.
    let mut after = RawHttp1::connect(app.addr).await;
    assert_answer(&mut after, "/ok", StatusCode::OK, "ok").await;
    println!(
        "prompt request answered in {latency:?} beside {SLOW_CLIENTS} slow clients, \
         cut off after {:?} to {:?}",
        cut_off_after.iter().min().unwrap(),
        cut_off_after.iter().max().unwrap(),
    );
}

/// Keeps the test output readable: the panics these tests cause on purpose are caught and
/// answered, so the default hook's report of each would only be noise. Any other panic, a failed
/// assertion say, is still reported.
fn quiet_deliberate_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or_default();
            if !message.starts_with("deliberate panic") {
                report(info);
            }
        }));
    });
}

/// An HTTP/1.1 client on one raw socket, one request at a time, that reads exactly one response
/// per request (by `Content-Length`), so a second exchange proves the connection was reused.
struct RawHttp1 {
    stream: TcpStream,
    /// Complete request/response exchanges on this socket.
    exchanges: usize,
}

#[derive(Debug)]
struct RawResponse {
    status: StatusCode,
    head: String,
    body: Vec<u8>,
}

impl RawResponse {
    fn closes_connection(&self) -> bool {
        self.head
            .to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n")
    }
}

impl RawHttp1 {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            exchanges: 0,
        }
    }

    fn request(path: &str) -> String {
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n")
    }

    async fn get(&mut self, path: &str) -> RawResponse {
        self.stream
            .write_all(Self::request(path).as_bytes())
            .await
            .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            match self.stream.read_u8().await {
                Ok(byte) => head.push(byte),
                Err(error) => panic!(
                    "GET {path}: the connection ended after {} exchanges and {:?}: {error}",
                    self.exchanges,
                    String::from_utf8_lossy(&head),
                ),
            }
        }
        let head = String::from_utf8(head).unwrap();
        let status = head
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse::<StatusCode>().ok())
            .unwrap_or_else(|| panic!("GET {path}: not an HTTP/1.1 response: {head}"));
        let length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().unwrap())
            })
            .unwrap_or_else(|| panic!("GET {path}: no content-length: {head}"));
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        self.exchanges += 1;
        RawResponse { status, head, body }
    }

    /// Sends `GET path` and reads until the server closes the socket (or resets it).
    async fn get_until_closed(&mut self, path: &str) -> String {
        self.stream
            .write_all(Self::request(path).as_bytes())
            .await
            .unwrap();
        let mut received = Vec::new();
        let read = tokio::time::timeout(
            Duration::from_secs(5),
            self.stream.read_to_end(&mut received),
        )
        .await
        .expect("the server kept the connection open");
        if let Err(error) = read {
            assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
        }
        String::from_utf8_lossy(&received).into_owned()
    }
}

/// The router alone, without the exception layer: a panic is nobody's to answer.
async fn start_without_exception_layer() -> SocketAddr {
    let router = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/panic-while-polled", get(panics_while_polled));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, router).max_connections(2).into_future());
    addr
}

#[tokio::test]
async fn without_an_exception_layer_a_panic_closes_its_connection_and_the_server_goes_on() {
    quiet_deliberate_panics();
    // A cap of two: if a panicking connection leaked its slot, the third round would wait.
    let addr = start_without_exception_layer().await;
    for _ in 0..3 {
        let mut connection = RawHttp1::connect(addr).await;
        assert_answer(&mut connection, "/ok", StatusCode::OK, "ok").await;
        // HTTP/1: the task serving the connection unwinds; the client sees it close, unanswered.
        let rest = connection.get_until_closed("/panic-while-polled").await;
        assert_eq!(rest, "");
    }

    // HTTP/2: the stream's task unwinds and the stream is reset; the connection goes on.
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let get = |path: &str| {
        Request::get(format!("http://localhost{path}"))
            .body(Empty::<Bytes>::new())
            .unwrap()
    };
    let failed = tokio::time::timeout(
        Duration::from_secs(5),
        sender.send_request(get("/panic-while-polled")),
    )
    .await
    .expect("the panicking stream ends");
    assert!(failed.is_err(), "{failed:?}");
    let response = sender.send_request(get("/ok")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "ok"
    );
}
