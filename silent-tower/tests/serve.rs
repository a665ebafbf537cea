//! `serve` over real sockets on 127.0.0.1, driven by hyper's client and by raw `TcpStream`s.

#[path = "../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
#[cfg(feature = "http2")]
use hyper_util::rt::TokioExecutor;
use hyper_util::rt::TokioIo;
use silent_tower::serve::PeerAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

type Body = Full<Bytes>;

fn text(body: impl Into<Bytes>) -> Response<Body> {
    Response::new(Full::new(body.into()))
}

/// Answers every request with `<version> <path>`, so a test sees what the server received.
async fn echo(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let version = request.version();
    Ok(text(format!("{version:?} {}", request.uri().path())))
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Starts `server` on its own task; the returned sender stops it gracefully.
fn spawn_until_stopped<S, B>(
    server: silent_tower::Serve<S>,
) -> (oneshot::Sender<()>, JoinHandle<io::Result<()>>)
where
    S: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (stop, stopped) = oneshot::channel::<()>();
    let server = server.with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    (stop, tokio::spawn(server.into_future()))
}

async fn http1(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

fn get(uri: &str) -> Request<Empty<Bytes>> {
    Request::get(uri)
        .header(http::header::HOST, "localhost")
        .body(Empty::new())
        .unwrap()
}

async fn body_text(response: Response<Incoming>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn get_returns_the_services_status_and_body() {
    let (listener, addr) = bind().await;
    let teapot = tower::service_fn(|_request: Request<Incoming>| async {
        let mut response = text("short and stout");
        *response.status_mut() = StatusCode::IM_A_TEAPOT;
        Ok::<_, Infallible>(response)
    });
    let (stop, server) = spawn_until_stopped(silent_tower::serve(listener, teapot));

    let response = http1(addr).await.send_request(get("/")).await.unwrap();

    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(body_text(response).await, "short and stout");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn http1_keep_alive_serves_several_requests_on_one_connection() {
    let (listener, addr) = bind().await;
    let (stop, server) =
        spawn_until_stopped(silent_tower::serve(listener, tower::service_fn(echo)));

    // A `SendRequest` is bound to one connection: if the server closed it, the next send fails.
    let mut connection = http1(addr).await;
    for path in ["/one", "/two", "/three"] {
        connection.ready().await.unwrap();
        let response = connection.send_request(get(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, format!("HTTP/1.1 {path}"));
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[cfg(not(feature = "http2"))]
#[tokio::test]
async fn without_the_http2_feature_the_http2_preface_gets_no_http2_answer() {
    let (listener, addr) = bind().await;
    let (stop, server) =
        spawn_until_stopped(silent_tower::serve(listener, tower::service_fn(echo)));

    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    // No SETTINGS frame: at most an HTTP/1.1 error response, then the close.
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 "),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn h2c_with_prior_knowledge_is_served_as_http2() {
    let (listener, addr) = bind().await;
    let (stop, server) =
        spawn_until_stopped(silent_tower::serve(listener, tower::service_fn(echo)));

    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(get("http://localhost/h2"))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(body_text(response).await, "HTTP/2.0 /h2");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Answers with the `PeerAddr` the request carries, or `none`.
async fn peer_of(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    Ok(text(match request.extensions().get::<PeerAddr>() {
        Some(PeerAddr(addr)) => addr.to_string(),
        None => "none".to_owned(),
    }))
}

#[tokio::test]
async fn with_peer_addr_puts_the_clients_address_in_extensions() {
    let (listener, addr) = bind().await;
    let server = silent_tower::serve(listener, tower::service_fn(peer_of)).with_peer_addr();
    let (stop, server) = spawn_until_stopped(server);

    let stream = TcpStream::connect(addr).await.unwrap();
    let client_addr = stream.local_addr().unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    for _ in 0..2 {
        sender.ready().await.unwrap();
        let response = sender.send_request(get("/")).await.unwrap();
        assert_eq!(body_text(response).await, client_addr.to_string());
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn without_with_peer_addr_requests_carry_no_peer_addr() {
    let (listener, addr) = bind().await;
    let (stop, server) =
        spawn_until_stopped(silent_tower::serve(listener, tower::service_fn(peer_of)));

    let response = http1(addr).await.send_request(get("/")).await.unwrap();

    assert_eq!(body_text(response).await, "none");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_and_refuses_new_connections() {
    let (listener, addr) = bind().await;
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let release = Arc::new(Notify::new());
    let slow = tower::service_fn({
        let release = Arc::clone(&release);
        move |_request: Request<Incoming>| {
            let started_tx = started_tx.clone();
            let release = Arc::clone(&release);
            async move {
                started_tx.send(()).unwrap();
                release.notified().await;
                Ok::<_, Infallible>(text("worth the wait"))
            }
        }
    });
    let (stop, server) = spawn_until_stopped(silent_tower::serve(listener, slow));

    let in_flight = tokio::spawn(http1(addr).await.send_request(get("/slow")));
    started.recv().await.unwrap();
    stop.send(()).unwrap();

    let refused = refused_within(addr, Duration::from_secs(5)).await;
    assert!(
        refused,
        "the listener still accepts after the shutdown signal"
    );
    assert!(
        !server.is_finished(),
        "returned before the in-flight request finished"
    );

    release.notify_one();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "worth the wait");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server did not return after its last request finished")
        .unwrap()
        .unwrap();
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

#[tokio::test]
async fn graceful_shutdown_closes_idle_connections_instead_of_waiting_for_them() {
    let (listener, addr) = bind().await;
    let (stop, server) =
        spawn_until_stopped(silent_tower::serve(listener, tower::service_fn(echo)));

    let mut idle_http1 = http1(addr).await;
    let response = idle_http1.send_request(get("/")).await.unwrap();
    body_text(response).await;
    #[cfg(feature = "http2")]
    let _idle_http2 = {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut idle_http2, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let response = idle_http2
            .send_request(get("http://localhost/"))
            .await
            .unwrap();
        body_text(response).await;
        idle_http2
    };
    let _silent = TcpStream::connect(addr).await.unwrap();

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server waited for idle connections")
        .unwrap()
        .unwrap();
}

/// Connects, sends `sent` and nothing more, and asserts that a server with a 200 ms header read
/// timeout hangs up without answering, no sooner than the timeout.
async fn assert_cut_off(sent: &[u8]) {
    let (listener, addr) = bind().await;
    let timeout = Duration::from_millis(200);
    let server =
        silent_tower::serve(listener, tower::service_fn(echo)).header_read_timeout(timeout);
    let (stop, server) = spawn_until_stopped(server);

    let mut slow_client = TcpStream::connect(addr).await.unwrap();
    let connected = Instant::now();
    slow_client.write_all(sent).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        slow_client.read_to_end(&mut received),
    )
    .await
    .expect("the server kept waiting for the rest of the head");

    assert!(read.is_ok(), "{read:?}");
    assert!(connected.elapsed() >= timeout, "closed before the timeout");
    assert_eq!(received, b"", "the server answered a request it never got");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn header_read_timeout_disconnects_a_client_that_sends_its_head_too_slowly() {
    assert_cut_off(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await;
}

#[tokio::test]
async fn header_read_timeout_disconnects_a_client_that_sends_nothing() {
    assert_cut_off(b"").await;
}

// Without HTTP/2, hyper's HTTP/1 parser closes at once on the preface's request line.
#[cfg(feature = "http2")]
#[tokio::test]
async fn header_read_timeout_disconnects_a_client_that_stalls_in_the_http2_preface() {
    assert_cut_off(b"PRI * HTTP/2.0\r\n").await;
}

#[tokio::test]
async fn header_read_timeout_leaves_a_prompt_client_alone() {
    let (listener, addr) = bind().await;
    let server = silent_tower::serve(listener, tower::service_fn(echo))
        .header_read_timeout(Duration::from_millis(200));
    let (stop, server) = spawn_until_stopped(server);

    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"GET /prompt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).await.unwrap();

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHTTP/1.1 /prompt"), "{response}");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Switches to a protocol that echoes bytes back, as a WebSocket server would after its handshake.
async fn upgrade_to_echo(mut request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    tokio::spawn(async move {
        let upgraded = hyper::upgrade::on(&mut request).await.unwrap();
        let mut upgraded = TokioIo::new(upgraded);
        let mut buf = [0; 4];
        upgraded.read_exact(&mut buf).await.unwrap();
        upgraded.write_all(&buf).await.unwrap();
    });
    let response = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(http::header::CONNECTION, "upgrade")
        .header(http::header::UPGRADE, "echo")
        .body(Full::default())
        .unwrap();
    Ok(response)
}

#[tokio::test]
async fn http1_upgrades_hand_the_connection_to_the_service() {
    let (listener, addr) = bind().await;
    let (stop, server) = spawn_until_stopped(silent_tower::serve(
        listener,
        tower::service_fn(upgrade_to_echo),
    ));

    let mut client = TcpStream::connect(addr).await.unwrap();
    client
        .write_all(
            b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
        )
        .await
        .unwrap();
    let head = read_head(&mut client).await;
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    client.write_all(b"ping").await.unwrap();
    let mut echoed = [0; 4];
    client.read_exact(&mut echoed).await.unwrap();

    assert_eq!(&echoed, b"ping");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Reads a response head byte by byte, so nothing after it is consumed.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(head).unwrap()
}

/// Allocations made on one thread (client, server and runtime together) while `requests` GET
/// requests travel over one warmed-up HTTP/1.1 connection to whatever `start_server` serves.
fn allocations_for<F>(requests: usize, start_server: impl FnOnce(TcpListener) -> F) -> usize
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut connection = runtime.block_on(async {
        let (listener, addr) = bind().await;
        tokio::spawn(start_server(listener));
        let mut connection = http1(addr).await;
        send(&mut connection, 8).await;
        connection
    });
    // Three windows of `requests` each, the smallest count kept: a one-off allocation of the
    // runtime (a timer wheel growing, say) that falls inside a window is not a cost per request.
    // (With two windows, one such allocation landing in each was seen once.)
    let mut window = || {
        let ((), allocations, _bytes) =
            counting_alloc::count(|| runtime.block_on(send(&mut connection, requests)));
        allocations
    };
    window().min(window()).min(window())
}

async fn send(connection: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>, n: usize) {
    for _ in 0..n {
        connection.ready().await.unwrap();
        let response = connection.send_request(get("/")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().collect().await.unwrap();
    }
}

fn hello_service() -> impl tower::Service<
    Request<Incoming>,
    Response = Response<Body>,
    Error = Infallible,
    Future = impl Send,
> + Clone
       + Send
       + 'static {
    tower::service_fn(|_request: Request<Incoming>| async {
        Ok::<_, Infallible>(text(Bytes::from_static(b"hello")))
    })
}

/// What `serve` builds on, with nothing else: the allocation floor. No header read timeout in
/// hyper (it boxes a timer per request head); `serve` keeps its own.
#[cfg(feature = "http2")]
async fn bare_hyper_util(listener: TcpListener) {
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let mut builder = Builder::new(TokioExecutor::new());
    builder.http2().enable_connect_protocol();
    let builder = Arc::new(builder);
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        stream.set_nodelay(true).unwrap();
        let builder = Arc::clone(&builder);
        tokio::spawn(async move {
            let service = TowerToHyperService::new(hello_service());
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Without the `http2` feature `serve` builds on hyper's HTTP/1 builder: the floor is that.
#[cfg(not(feature = "http2"))]
async fn bare_hyper_util(listener: TcpListener) {
    use hyper_util::service::TowerToHyperService;

    let builder = Arc::new(hyper::server::conn::http1::Builder::new());
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        stream.set_nodelay(true).unwrap();
        let builder = Arc::clone(&builder);
        tokio::spawn(async move {
            let service = TowerToHyperService::new(hello_service());
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

const REQUESTS: usize = 16;

#[test]
fn serve_allocates_nothing_per_request_beyond_hyper_util() {
    let bare = allocations_for(REQUESTS, bare_hyper_util);
    let served = allocations_for(REQUESTS, |listener| async {
        silent_tower::serve(listener, hello_service())
            .await
            .unwrap();
    });

    // Not more than hyper-util's own adapter: equal with the `http2` feature (hyper-util's auto
    // builder); on hyper's HTTP/1 builder alone, 11 a request against `TowerToHyperService`'s 13
    // (the client's included), the same 11 as hyper's own `service_fn`, which `serve` now
    // matches by calling the service inside hyper's call.
    assert!(served <= bare, "bare hyper-util: {bare}, serve: {served}");
}

#[test]
fn with_peer_addr_costs_four_allocations_per_request() {
    let without = allocations_for(REQUESTS, |listener| async {
        silent_tower::serve(listener, hello_service())
            .await
            .unwrap();
    });
    let with = allocations_for(REQUESTS, |listener| async {
        let server = silent_tower::serve(listener, hello_service()).with_peer_addr();
        server.await.unwrap();
    });

    // The extensions map's box, its table, the boxed `PeerAddr` and the boxed `ConnectInfo`.
    assert_eq!(
        with,
        without + 4 * REQUESTS,
        "without the peer address: {without}, with: {with}"
    );
}

#[test]
fn the_header_read_timeout_allocates_nothing_per_request() {
    let without = allocations_for(REQUESTS, |listener| async {
        let server = silent_tower::serve(listener, hello_service()).header_read_timeout(None);
        server.await.unwrap();
    });
    let with = allocations_for(REQUESTS, |listener| async {
        let server = silent_tower::serve(listener, hello_service())
            .header_read_timeout(Duration::from_secs(30));
        server.await.unwrap();
    });

    // hyper's own timeout would box a fresh timer for each request head: one per request.
    assert_eq!(with, without, "without: {without}, with: {with}");
}

/// A service that is not ready when hyper hands it a request (a concurrency limit of one, held by
/// a slow request) gets the request once it is: `serve` asks it again with the connection's waker.
#[tokio::test]
async fn a_service_that_is_not_ready_yet_gets_the_request_when_it_is() {
    use tower::Layer as _;

    let (listener, addr) = bind().await;
    let (release, released) = tokio::sync::watch::channel(false);
    let (entered, mut slow_entered) = mpsc::unbounded_channel::<()>();
    let slow_then_quick = tower::service_fn(move |request: Request<Incoming>| {
        let mut released = released.clone();
        let entered = entered.clone();
        async move {
            if request.uri().path() == "/slow" {
                entered.send(()).unwrap();
                released.wait_for(|done| *done).await.unwrap();
            }
            Ok::<_, Infallible>(text(request.uri().path().to_owned()))
        }
    });
    let limited = tower::limit::ConcurrencyLimitLayer::new(1).layer(slow_then_quick);
    let (stop, server) = spawn_until_stopped(silent_tower::serve(listener, limited));

    let mut first = http1(addr).await;
    let slow = tokio::spawn(async move { first.send_request(get("/slow")).await.unwrap() });
    // The slow request holds the one permit before the quick one is sent.
    slow_entered.recv().await.unwrap();
    let mut second = http1(addr).await;
    let quick = tokio::spawn(async move { second.send_request(get("/quick")).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !quick.is_finished(),
        "the limit of one let a second request in"
    );

    release.send(true).unwrap();
    let quick = tokio::time::timeout(Duration::from_secs(5), quick)
        .await
        .expect("the waiting request was never woken")
        .unwrap();
    assert_eq!(quick.status(), StatusCode::OK);
    assert_eq!(body_text(quick).await, "/quick");
    let slow = slow.await.unwrap();
    assert_eq!(body_text(slow).await, "/slow");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// A service whose readiness fails once: when first asked, or, if it `waits_first`, when asked
/// again after a first answer of not ready (the path where the request waits for the service).
#[derive(Clone)]
struct FailsItsReadinessOnce {
    asked: Arc<std::sync::atomic::AtomicU8>,
    waits_first: bool,
}

impl FailsItsReadinessOnce {
    fn new(waits_first: bool) -> Self {
        Self {
            asked: Arc::default(),
            waits_first,
        }
    }
}

impl tower::Service<Request<Incoming>> for FailsItsReadinessOnce {
    type Response = Response<Body>;
    type Error = io::Error;
    type Future = std::future::Ready<Result<Response<Body>, io::Error>>;
    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<io::Result<()>> {
        let asked = self
            .asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let fails_at = u8::from(self.waits_first);
        if self.waits_first && asked == 0 {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        } else if asked == fails_at {
            std::task::Poll::Ready(Err(io::Error::other("not today")))
        } else {
            std::task::Poll::Ready(Ok(()))
        }
    }
    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        std::future::ready(Ok(text(request.uri().path().to_owned())))
    }
}

/// The request whose service failed its readiness gets no answer, and the next connection is
/// served.
async fn a_failed_readiness_ends_its_connection_not_the_server(service: FailsItsReadinessOnce) {
    let (listener, addr) = bind().await;
    let (stop, server) = spawn_until_stopped(silent_tower::serve(listener, service));

    let failed = http1(addr).await.send_request(get("/first")).await;
    assert!(failed.is_err(), "answered: {failed:?}");
    let response = http1(addr)
        .await
        .send_request(get("/second"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "/second");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// A service that fails when asked whether it is ready ends that connection without an answer,
/// as hyper does with a service's error, and the server goes on serving the next one.
#[tokio::test]
async fn a_service_that_fails_its_readiness_ends_the_connection_not_the_server() {
    a_failed_readiness_ends_its_connection_not_the_server(FailsItsReadinessOnce::new(false)).await;
}

/// The same when the service was not ready at first and fails when asked again.
#[tokio::test]
async fn a_service_that_waits_then_fails_its_readiness_ends_the_connection_not_the_server() {
    a_failed_readiness_ends_its_connection_not_the_server(FailsItsReadinessOnce::new(true)).await;
}
