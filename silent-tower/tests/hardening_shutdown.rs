//! Graceful shutdown under load: 200 requests in flight, over HTTP/1 and HTTP/2, half of them
//! still in their handler and half halfway through streaming their body, when the shutdown
//! signal fires. `serve.rs` shows one request finishing; this shows none of 200 is cut short.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::StatusCode;
use http_body::Frame;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use silent_tower::prelude::*;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tower::ServiceBuilder;

const HTTP1_CONNECTIONS: usize = 100;
const HTTP2_CONNECTIONS: usize = 4;
const STREAMS_PER_HTTP2_CONNECTION: usize = 25;
const IN_FLIGHT: usize = HTTP1_CONNECTIONS + HTTP2_CONNECTIONS * STREAMS_PER_HTTP2_CONNECTION;

/// Where a request is held when the shutdown signal fires.
#[derive(Clone, Copy, Debug)]
enum HeldIn {
    /// Its handler waits for the release before it answers.
    Handler,
    /// Its handler has answered; the body sends one chunk, then waits for the release.
    Body,
}

impl HeldIn {
    fn of(id: usize) -> Self {
        if id % 2 == 0 {
            HeldIn::Handler
        } else {
            HeldIn::Body
        }
    }

    fn path(self, id: usize) -> String {
        match self {
            HeldIn::Handler => format!("http://localhost/handler/{id}"),
            HeldIn::Body => format!("http://localhost/body/{id}"),
        }
    }

    fn expected_body(self, id: usize) -> String {
        match self {
            HeldIn::Handler => format!("done {id}"),
            HeldIn::Body => format!("part one of {id}, part two of {id}"),
        }
    }
}

/// A response body fed by a channel: it ends when the sender is dropped.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|chunk| Ok(Frame::data(chunk))))
    }
}

/// What the test controls and observes of the server.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    release: watch::Sender<bool>,
    /// One message per request that entered a handler held in the handler.
    in_handler: mpsc::UnboundedReceiver<usize>,
    serving: JoinHandle<io::Result<()>>,
}

async fn start() -> Server {
    start_with_grace(Duration::from_secs(30)).await
}

async fn start_with_grace(grace: impl Into<Option<Duration>>) -> Server {
    let (release, released) = watch::channel(false);
    let (entered, in_handler) = mpsc::unbounded_channel();
    let released_in_body = released.clone();
    let router = Router::new()
        .route(
            "/handler/<id:u64>",
            get(move |request: Request| {
                let mut released = released.clone();
                let entered = entered.clone();
                async move {
                    let id: u64 = request.param("id").unwrap();
                    entered.send(id as usize).unwrap();
                    released.wait_for(|released| *released).await.unwrap();
                    format!("done {id}")
                }
            }),
        )
        .route(
            "/body/<id:u64>",
            get(move |request: Request| {
                let mut released = released_in_body.clone();
                async move {
                    let id: u64 = request.param("id").unwrap();
                    let (chunks, body) = mpsc::channel(2);
                    chunks
                        .try_send(Bytes::from(format!("part one of {id}, ")))
                        .unwrap();
                    tokio::spawn(async move {
                        released.wait_for(|released| *released).await.unwrap();
                        let _ = chunks.send(Bytes::from(format!("part two of {id}"))).await;
                    });
                    Response::new(Body::new(ChannelBody(body)))
                }
            }),
        );
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(TimeoutLayer::new(Duration::from_secs(30)))
        .service(router);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(
        serve(listener, app)
            .shutdown_grace(grace)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    Server {
        addr,
        stop,
        release,
        in_handler,
        serving,
    }
}

fn get_request(id: usize) -> http::Request<Empty<Bytes>> {
    http::Request::get(HeldIn::of(id).path(id))
        .header(http::header::HOST, "localhost")
        .body(Empty::new())
        .unwrap()
}

/// Sends request `id`, tells `mid_body` once the first chunk of a held body has arrived, and
/// returns the status and the whole body.
async fn exchange(
    response: impl std::future::Future<Output = hyper::Result<http::Response<Incoming>>>,
    id: usize,
    mid_body: mpsc::UnboundedSender<usize>,
) -> (StatusCode, String) {
    let response = response.await.unwrap();
    let status = response.status();
    let mut body = response.into_body();
    let mut received = Vec::new();
    if let HeldIn::Body = HeldIn::of(id) {
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        received.extend_from_slice(&first);
        mid_body.send(id).unwrap();
    }
    received.extend_from_slice(&body.collect().await.unwrap().to_bytes());
    (status, String::from_utf8(received).unwrap())
}

/// Starts all `IN_FLIGHT` requests; each task yields its id, status and body.
async fn send_all(
    addr: SocketAddr,
    mid_body: &mpsc::UnboundedSender<usize>,
) -> Vec<JoinHandle<(usize, StatusCode, String)>> {
    let mut requests = Vec::with_capacity(IN_FLIGHT);
    for id in 0..HTTP1_CONNECTIONS {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mid_body = mid_body.clone();
        requests.push(tokio::spawn(async move {
            let (status, body) = exchange(sender.send_request(get_request(id)), id, mid_body).await;
            (id, status, body)
        }));
    }
    for connection in 0..HTTP2_CONNECTIONS {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection_task) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection_task);
        for stream in 0..STREAMS_PER_HTTP2_CONNECTION {
            let id = HTTP1_CONNECTIONS + connection * STREAMS_PER_HTTP2_CONNECTION + stream;
            let mut sender = sender.clone();
            let mid_body = mid_body.clone();
            requests.push(tokio::spawn(async move {
                let (status, body) =
                    exchange(sender.send_request(get_request(id)), id, mid_body).await;
                (id, status, body)
            }));
        }
    }
    requests
}

/// Whether connecting to `addr` gets refused before `limit` passes.
async fn refused_within(addr: SocketAddr, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        match TcpStream::connect(addr).await {
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => return true,
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_completes_200_in_flight_requests_with_their_bodies() {
    let mut server = start().await;
    let (mid_body_tx, mut mid_body) = mpsc::unbounded_channel();
    let requests = send_all(server.addr, &mid_body_tx).await;

    // Every request is in flight: half in their handler, half halfway through their body.
    let mut held = [false; IN_FLIGHT];
    let wait = async {
        for _ in 0..IN_FLIGHT {
            let id = tokio::select! {
                Some(id) = server.in_handler.recv() => id,
                Some(id) = mid_body.recv() => id,
            };
            assert!(!held[id], "request {id} held twice");
            held[id] = true;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("not all requests got in flight");

    server.stop.send(()).unwrap();
    assert!(
        refused_within(server.addr, Duration::from_secs(5)).await,
        "the listener still accepts after the shutdown signal"
    );
    // Give the server time to do the wrong thing: drop a connection, end a body early, return.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !server.serving.is_finished(),
        "serve returned with requests in flight"
    );
    let finished_early: Vec<_> = requests
        .iter()
        .enumerate()
        .filter(|(_, request)| request.is_finished())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        finished_early,
        Vec::<usize>::new(),
        "requests ended before their release"
    );

    server.release.send(true).unwrap();
    for request in requests {
        let (id, status, body) = tokio::time::timeout(Duration::from_secs(10), request)
            .await
            .expect("an in-flight request never completed")
            .expect("an in-flight request failed");
        assert_eq!(status, StatusCode::OK, "request {id}");
        assert_eq!(body, HeldIn::of(id).expected_body(id), "request {id}");
    }
    tokio::time::timeout(Duration::from_secs(5), server.serving)
        .await
        .expect("serve did not return after its last request finished")
        .unwrap()
        .unwrap();
    // Long gone, but for the record: nothing listens any more.
    assert!(refused_within(server.addr, Duration::from_millis(100)).await);
}

/// The shutdown grace of the test below: short, so the test is.
const GRACE: Duration = Duration::from_secs(1);

/// Reads until the server closes the connection (end of stream or reset) and returns what came.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&chunk[..read]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_finish_delay_the_shutdown_by_the_grace_at_most() {
    use tokio::io::AsyncWriteExt;

    // `/hang` never answers; `/` does at once.
    let app = tower::service_fn(|request: http::Request<Incoming>| async move {
        if request.uri().path() == "/hang" {
            std::future::pending::<()>().await;
        }
        Ok::<_, Infallible>(http::Response::new(http_body_util::Full::new(
            Bytes::from_static(b"ok"),
        )))
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(
        serve(listener, app)
            .shutdown_grace(GRACE)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );

    // An HTTP/2 connection that sends its preface and an empty SETTINGS, then nothing: it never
    // acknowledges the server's SETTINGS nor answers the PING that follows GOAWAY.
    let mut silent_http2 = TcpStream::connect(addr).await.unwrap();
    silent_http2
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    // An HTTP/1 request head that never ends (well within the 30 s header read timeout).
    let mut stalled_head = TcpStream::connect(addr).await.unwrap();
    stalled_head
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    // A request whose handler never finishes.
    let mut hanging = TcpStream::connect(addr).await.unwrap();
    hanging
        .write_all(b"GET /hang HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    // Let the server take all three in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!serving.is_finished());

    let signalled = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(GRACE + Duration::from_secs(3), serving)
        .await
        .expect("serve waited past its shutdown grace")
        .unwrap()
        .unwrap();
    let waited = signalled.elapsed();
    assert!(
        waited >= GRACE - Duration::from_millis(50),
        "returned before the grace: {waited:?}"
    );

    // Each connection was closed: the stalled and the hanging ones with no response at all.
    let (h2, head, hang) = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::join!(
            read_until_closed(&mut silent_http2),
            read_until_closed(&mut stalled_head),
            read_until_closed(&mut hanging),
        )
    })
    .await
    .expect("every connection is closed");
    // The server's SETTINGS, then GOAWAY (type 7) among its frames.
    assert!(h2.len() >= 9 && h2[3] == 4, "{h2:?}");
    assert_eq!(head, b"", "{:?}", String::from_utf8_lossy(&head));
    assert_eq!(hang, b"", "{:?}", String::from_utf8_lossy(&hang));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_grace_the_shutdown_waits_for_a_request_in_flight() {
    let mut server = start_with_grace(None).await;
    let (mid_body_tx, _mid_body) = mpsc::unbounded_channel();
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request =
        tokio::spawn(
            async move { exchange(sender.send_request(get_request(0)), 0, mid_body_tx).await },
        );
    tokio::time::timeout(Duration::from_secs(10), server.in_handler.recv())
        .await
        .expect("the request reaches its handler");

    server.stop.send(()).unwrap();
    // Far past what a grace would allow, had there been one this short.
    tokio::time::sleep(GRACE + Duration::from_millis(500)).await;
    assert!(!server.serving.is_finished());
    server.release.send(true).unwrap();
    let (status, body) = request.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "done 0");
    tokio::time::timeout(Duration::from_secs(5), server.serving)
        .await
        .expect("serve returns once the request is done")
        .unwrap()
        .unwrap();
}

/// A server whose future is dropped (aborted, or the loser of a `select!`) is gone: nothing will
/// bound a drain any more, so its connections close at once — and none of their tasks may spin
/// in the meantime, which would stall every other task of its runtime.
#[test]
fn dropping_the_server_closes_its_connections_and_leaves_its_runtime_running() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    // The server alone on a current-thread runtime, beside a heartbeat: a connection's task
    // that spun instead of waiting would stop the heartbeat.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let beats = Arc::new(AtomicU64::new(0));
    let (drop_server, server_dropped) = oneshot::channel::<()>();
    let (finish, finished) = oneshot::channel::<()>();
    let heart = Arc::clone(&beats);
    // Not joined unless the test passes: a spinning runtime never returns.
    let server_thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    heart.fetch_add(1, Ordering::Relaxed);
                }
            });
            let app = Router::new().route("/", get(|| async { "hello" }));
            tokio::select! {
                result = serve(listener, app).into_future() => panic!("the server ended: {result:?}"),
                _ = server_dropped => {}
            }
            // The server's future is dropped; its connection's task lives on in this runtime.
            let _ = finished.await;
        });
    });

    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    client
        .write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .unwrap();
    let mut head = [0; 1024];
    let read = client.read(&mut head).unwrap();
    let response = String::from_utf8_lossy(&head[..read]).into_owned();
    assert!(
        response.starts_with("HTTP/1.1 200 OK\r\n") && response.ends_with("\r\n\r\nhello"),
        "{response:?}"
    );

    drop_server.send(()).unwrap();
    let mut rest = Vec::new();
    let closed = client.read_to_end(&mut rest);
    assert!(
        matches!(closed, Ok(0)),
        "the connection of a dropped server stayed open: {closed:?}, {rest:?}"
    );
    let before = beats.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        beats.load(Ordering::Relaxed) > before,
        "the server's runtime stopped running its other tasks"
    );
    finish.send(()).unwrap();
    server_thread.join().unwrap();
}
