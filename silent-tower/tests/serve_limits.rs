//! `serve`'s limits over real sockets on 127.0.0.1: connections, HTTP/2 streams, keep-alive,
//! idle connections and request heads.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Upper bound for anything that should happen at once; never the thing a test measures.
const GENEROUS: Duration = Duration::from_secs(10);

type Body = Full<Bytes>;

/// Answers `/slow` after 600 ms, `/sleep/N` after N ms, `/big` with 32 MiB, a `POST` once it has
/// read the whole request body, anything else at once; with the path as the body.
async fn app(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    use http_body_util::BodyExt;

    let path = request.uri().path().to_owned();
    if path == "/slow" {
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    if let Some(millis) = path.strip_prefix("/sleep/") {
        tokio::time::sleep(Duration::from_millis(millis.parse().unwrap())).await;
    }
    if path == "/big" {
        return Ok(Response::new(Full::new(Bytes::from(vec![b'x'; BIG]))));
    }
    if request.method() == http::Method::POST {
        let _ = request.into_body().collect().await;
    }
    Ok(Response::new(Full::new(Bytes::from(path))))
}

/// The size of `/big`: more than loopback's socket buffers hold, so a client that does not
/// read stalls the server's writes.
const BIG: usize = 32 * 1024 * 1024;

struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

async fn start<S, B>(
    configure: impl FnOnce(silent_tower::Serve<S>) -> silent_tower::Serve<S>,
    service: S,
) -> Server
where
    S: tower::Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = configure(silent_tower::serve(listener, service)).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let task = tokio::spawn(server.into_future());
    Server { addr, stop, task }
}

impl Server {
    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(GENEROUS, self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// An HTTP/1.1 client on a raw socket, so that a test sees exactly what the server sent.
struct Raw {
    stream: TcpStream,
    buffered: Vec<u8>,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        Self {
            stream,
            buffered: Vec::new(),
        }
    }

    async fn send(&mut self, path: &str, extra_headers: &str) {
        let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra_headers}\r\n");
        self.stream.write_all(head.as_bytes()).await.unwrap();
    }

    /// Reads one response: its head, lower-cased, and its body (by `content-length`).
    async fn response(&mut self) -> (String, String) {
        loop {
            if let Some(end) = find(&self.buffered, b"\r\n\r\n") {
                let head = String::from_utf8(self.buffered[..end].to_vec())
                    .unwrap()
                    .to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .map_or(0, |length| length.trim().parse().unwrap());
                let total = end + 4 + length;
                if self.buffered.len() >= total {
                    let body = String::from_utf8(self.buffered[end + 4..total].to_vec()).unwrap();
                    self.buffered.drain(..total);
                    return (head, body);
                }
            }
            let mut chunk = [0; 4096];
            let read = self.stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "closed mid-response: {:?}", self.buffered);
            self.buffered.extend_from_slice(&chunk[..read]);
        }
    }

    async fn get(&mut self, path: &str, extra_headers: &str) -> (String, String) {
        self.send(path, extra_headers).await;
        tokio::time::timeout(GENEROUS, self.response())
            .await
            .expect("a response")
    }

    /// Waits for the server to close: end of stream with nothing more sent, or a reset.
    async fn closed(&mut self) {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(GENEROUS, self.stream.read_to_end(&mut rest))
            .await
            .expect("the server closes the connection");
        if let Err(error) = read {
            assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
        }
        assert_eq!(rest, b"", "{:?}", String::from_utf8_lossy(&rest));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[tokio::test]
async fn at_max_connections_the_longest_idle_connection_makes_room() {
    let server = start(|s| s.max_connections(2), tower::service_fn(app)).await;

    let mut first = Raw::connect(server.addr).await;
    assert_eq!(first.get("/1", "").await.1, "/1");
    let mut second = Raw::connect(server.addr).await;
    assert_eq!(second.get("/2", "").await.1, "/2");

    // Both are idle; the first has been the longest. A third client is served at once...
    let mut third = Raw::connect(server.addr).await;
    assert_eq!(third.get("/3", "").await.1, "/3");
    // ...and the first was closed to make room, unanswered, while the second goes on.
    first.closed().await;
    assert_eq!(second.get("/2-again", "").await.1, "/2-again");
    drop((second, third));
    server.stop().await;
}

#[tokio::test]
async fn at_max_connections_busy_connections_stay_and_a_new_client_waits_for_one() {
    let server = start(|s| s.max_connections(2), tower::service_fn(app)).await;

    // Both slots serve a request (600 ms each) when the third client comes.
    let mut first = Raw::connect(server.addr).await;
    let mut second = Raw::connect(server.addr).await;
    first.send("/slow", "").await;
    second.send("/slow", "").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = Raw::connect(server.addr).await;
    third.send("/3", "").await;
    let waited = tokio::time::timeout(Duration::from_millis(300), third.response()).await;
    assert!(waited.is_err(), "served a third connection: {waited:?}");

    // Neither busy connection was cut; once one is done and idle, the third is served.
    let (head, body) = tokio::time::timeout(GENEROUS, first.response())
        .await
        .expect("the first request finishes");
    assert!(head.starts_with("http/1.1 200 ok"), "{head}");
    assert_eq!(body, "/slow");
    assert_eq!(second.response().await.1, "/slow");
    let (head, body) = tokio::time::timeout(GENEROUS, third.response())
        .await
        .expect("served once a connection was idle");
    assert!(head.starts_with("http/1.1 200 ok"), "{head}");
    assert_eq!(body, "/3");
    drop((first, second, third));
    server.stop().await;
}

#[tokio::test]
async fn max_connections_per_ip_closes_an_idle_one_of_that_address_or_refuses() {
    let server = start(|s| s.max_connections_per_ip(2), tower::service_fn(app)).await;

    // Two idle connections from 127.0.0.1: a third pushes out the older one.
    let mut first = Raw::connect(server.addr).await;
    assert_eq!(first.get("/1", "").await.1, "/1");
    let mut second = Raw::connect(server.addr).await;
    assert_eq!(second.get("/2", "").await.1, "/2");
    let mut third = Raw::connect(server.addr).await;
    assert_eq!(third.get("/3", "").await.1, "/3");
    first.closed().await;

    // Both of the address's connections busy: a fourth is closed at once, unanswered, while
    // the two finish their requests.
    second.send("/slow", "").await;
    third.send("/slow", "").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fourth = Raw::connect(server.addr).await;
    fourth.send("/4", "").await;
    let refused_at = Instant::now();
    fourth.closed().await;
    assert!(refused_at.elapsed() < Duration::from_millis(400));
    assert_eq!(second.response().await.1, "/slow");
    assert_eq!(third.response().await.1, "/slow");
    drop((second, third));
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_off_closes_after_each_response() {
    let server = start(|s| s.keep_alive(false), tower::service_fn(app)).await;

    let mut client = Raw::connect(server.addr).await;
    let (head, body) = client.get("/once", "").await;
    assert!(head.contains("\r\nconnection: close"), "{head}");
    assert_eq!(body, "/once");
    client.closed().await;
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_on_by_default() {
    let server = start(|s| s, tower::service_fn(app)).await;

    let mut client = Raw::connect(server.addr).await;
    for path in ["/1", "/2", "/3"] {
        let (head, body) = client.get(path, "").await;
        assert!(!head.contains("connection: close"), "{head}");
        assert_eq!(body, path);
    }
    drop(client);
    server.stop().await;
}

const IDLE: Duration = Duration::from_millis(200);

#[tokio::test]
async fn an_idle_http1_connection_is_closed_after_the_idle_timeout() {
    // No header read timeout, so that only the idle timeout can close the connection.
    let server = start(
        |s| s.idle_timeout(IDLE).header_read_timeout(None),
        tower::service_fn(app),
    )
    .await;

    let mut client = Raw::connect(server.addr).await;
    assert_eq!(client.get("/", "").await.1, "/");
    let answered = Instant::now();
    client.closed().await;
    assert!(answered.elapsed() >= IDLE);
    server.stop().await;
}

#[tokio::test]
async fn the_idle_timeout_lets_a_request_silent_for_less_than_two_timeouts_finish() {
    // The handler sends nothing for a second: the idle check at 400 ms sees the request start,
    // the one at 800 ms asks for a graceful close, and the response at 1 s still goes out
    // whole before the connection closes (a cut would come at 1.2 s at the earliest).
    let server = start(
        |s| {
            s.idle_timeout(Duration::from_millis(400))
                .header_read_timeout(None)
        },
        tower::service_fn(app),
    )
    .await;

    let mut client = Raw::connect(server.addr).await;
    let (head, body) = client.get("/sleep/1000", "").await;
    assert!(head.starts_with("http/1.1 200 ok"), "{head}");
    assert_eq!(body, "/sleep/1000");
    client.closed().await;
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_sending_its_body_is_cut_after_two_idle_timeouts() {
    let server = start(
        |s| s.idle_timeout(IDLE).header_read_timeout(None),
        tower::service_fn(app),
    )
    .await;

    let mut client = Raw::connect(server.addr).await;
    client
        .stream
        .write_all(
            b"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789",
        )
        .await
        .unwrap();
    let sent = Instant::now();
    // The first look sees the request start, the next finds it idle and asks for a graceful
    // close, which a request waiting for its body never completes: the one after cuts it.
    client.closed().await;
    assert!(sent.elapsed() >= 2 * IDLE, "{:?}", sent.elapsed());
    server.stop().await;
}

/// Sends a `POST` of `total` bytes, `step` bytes every `every`, then reads until the server closes
/// or answers; returns how long after the head it was cut off, or the response's first line.
async fn post_at_a_pace(
    addr: SocketAddr,
    total: usize,
    step: usize,
    every: Duration,
) -> (Duration, String) {
    let (mut reader, mut writer) = TcpStream::connect(addr).await.unwrap().into_split();
    let head =
        format!("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: {total}\r\n\r\n");
    writer.write_all(head.as_bytes()).await.unwrap();
    let sent = Instant::now();
    let sender = tokio::spawn(async move {
        let chunk = vec![b'x'; step];
        let mut left = total;
        while left > 0 {
            tokio::time::sleep(every).await;
            let now = left.min(step);
            if writer.write_all(&chunk[..now]).await.is_err() {
                return;
            }
            left -= now;
        }
        // Keep the write half open until the reader is done: a shutdown would end the body.
        std::future::pending::<()>().await;
    });
    let mut received = Vec::new();
    let read = tokio::time::timeout(GENEROUS, reader.read_to_end(&mut received))
        .await
        .expect("the server answers or closes");
    sender.abort();
    if let Err(error) = read {
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
    }
    let first_line = String::from_utf8_lossy(&received)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (sent.elapsed(), first_line)
}

#[tokio::test]
async fn a_client_that_trickles_its_body_is_cut_one_that_uploads_slowly_is_not() {
    let server = start(
        |s| s.idle_timeout(IDLE).header_read_timeout(None),
        tower::service_fn(app),
    )
    .await;
    // A byte every 20 ms: 10 bytes per idle timeout, far under the 1 KiB that counts. Without the
    // minimum every look would see bytes moved and the upload would hold its slot for ever.
    let trickled = tokio::spawn(post_at_a_pace(
        server.addr,
        1_000_000,
        1,
        Duration::from_millis(20),
    ));
    // 2 KiB every 50 ms, for 1.5 s (7.5 idle timeouts): slow but real, answered whole.
    let (_, answer) = post_at_a_pace(server.addr, 60 * 1024, 2048, Duration::from_millis(50)).await;
    assert_eq!(answer, "HTTP/1.1 200 OK");

    let (cut_after, answer) = trickled.await.unwrap();
    assert_eq!(answer, "", "a trickled upload was answered");
    assert!(cut_after >= 2 * IDLE, "{cut_after:?}");
    server.stop().await;
}

#[tokio::test]
async fn each_http1_request_head_is_due_a_header_read_timeout_after_the_last_response() {
    const HEAD: Duration = Duration::from_millis(300);
    let server = start(
        |s| s.header_read_timeout(HEAD).idle_timeout(None),
        tower::service_fn(app),
    )
    .await;

    let mut client = Raw::connect(server.addr).await;
    // A request in flight for more than the timeout is not cut: no head is due while it runs.
    assert_eq!(client.get("/sleep/700", "").await.1, "/sleep/700");
    // The next head, sent within the timeout of that response, is served.
    tokio::time::sleep(HEAD / 2).await;
    assert_eq!(client.get("/2", "").await.1, "/2");
    let answered = Instant::now();
    // None follows: closed, unanswered, a timeout after the last response.
    client.closed().await;
    assert!(answered.elapsed() >= HEAD, "{:?}", answered.elapsed());
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_a_large_response_is_cut() {
    let server = start(
        |s| s.idle_timeout(IDLE).header_read_timeout(None),
        tower::service_fn(app),
    )
    .await;

    let mut client = Raw::connect(server.addr).await;
    client.send("/big", "").await;
    // Read nothing while the server's writes fill the socket buffers and stall.
    tokio::time::sleep(6 * IDLE).await;
    let mut received = Vec::new();
    let read = tokio::time::timeout(GENEROUS, client.stream.read_to_end(&mut received))
        .await
        .expect("the server closed the connection");
    if let Err(error) = read {
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
    }
    assert!(
        received.len() < BIG,
        "the whole response arrived: {} bytes",
        received.len()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_request_head_over_max_header_size_gets_431_and_the_connection_closes() {
    let server = start(|s| s.max_header_size(16 * 1024), tower::service_fn(app)).await;

    let mut under = Raw::connect(server.addr).await;
    let header = format!("x-big: {}\r\n", "a".repeat(8 * 1024));
    let (head, body) = under.get("/under", &header).await;
    assert!(head.starts_with("http/1.1 200 ok"), "{head}");
    assert_eq!(body, "/under");

    // Twice the limit: refused however hyper's reads split it (see `max_header_size`).
    let mut over = Raw::connect(server.addr).await;
    let header = format!("x-big: {}\r\n", "a".repeat(32 * 1024));
    let (head, _) = over.get("/over", &header).await;
    assert!(
        head.starts_with("http/1.1 431 request header fields too large"),
        "{head}"
    );
    over.closed().await;
    // The other connection is not affected.
    assert_eq!(under.get("/still", "").await.1, "/still");
    drop(under);
    server.stop().await;
}

#[tokio::test]
async fn the_default_max_header_size_is_64_kib() {
    let server = start(|s| s, tower::service_fn(app)).await;

    let mut under = Raw::connect(server.addr).await;
    let header = format!("x-big: {}\r\n", "a".repeat(60 * 1024));
    assert_eq!(under.get("/under", &header).await.1, "/under");
    let mut over = Raw::connect(server.addr).await;
    let header = format!("x-big: {}\r\n", "a".repeat(128 * 1024));
    let (head, _) = over.get("/over", &header).await;
    assert!(
        head.starts_with("http/1.1 431 request header fields too large"),
        "{head}"
    );
    over.closed().await;
    drop(under);
    server.stop().await;
}

#[tokio::test]
async fn more_headers_than_max_headers_gets_431() {
    let server = start(|s| s.max_headers(10), tower::service_fn(app)).await;
    // `Host` is one of them.
    let headers = |count: usize| {
        (1..count)
            .map(|i| format!("x-{i}: {i}\r\n"))
            .collect::<String>()
    };

    let mut client = Raw::connect(server.addr).await;
    assert_eq!(client.get("/ten", &headers(10)).await.1, "/ten");
    let (head, _) = client.get("/eleven", &headers(11)).await;
    assert!(
        head.starts_with("http/1.1 431 request header fields too large"),
        "{head}"
    );
    client.closed().await;
    server.stop().await;
}

#[test]
#[should_panic(expected = "max_header_size must be at least 8192 bytes, got 4096")]
fn max_header_size_below_hypers_minimum_panics() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let _ = silent_tower::serve(listener, tower::service_fn(app)).max_header_size(4096);
    });
}

#[cfg(feature = "http2")]
mod http2 {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use hyper_util::rt::{TokioExecutor, TokioIo};

    use super::*;

    /// The settings the server sends first on an h2c connection, as (identifier, value) pairs.
    async fn server_settings(addr: SocketAddr) -> Vec<(u16, u32)> {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .unwrap();
        // An empty SETTINGS frame: length 0, type 4, flags 0, stream 0.
        stream
            .write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
            .await
            .unwrap();
        loop {
            let mut header = [0; 9];
            tokio::time::timeout(GENEROUS, stream.read_exact(&mut header))
                .await
                .expect("a frame")
                .unwrap();
            let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            let mut payload = vec![0; length];
            stream.read_exact(&mut payload).await.unwrap();
            let (kind, flags) = (header[3], header[4]);
            if kind == 4 && flags & 1 == 0 {
                return payload
                    .chunks(6)
                    .map(|s| {
                        let id = u16::from_be_bytes([s[0], s[1]]);
                        (id, u32::from_be_bytes([s[2], s[3], s[4], s[5]]))
                    })
                    .collect();
            }
        }
    }

    const MAX_CONCURRENT_STREAMS: u16 = 0x3;
    const MAX_HEADER_LIST_SIZE: u16 = 0x6;

    #[tokio::test]
    async fn the_limits_are_advertised_in_the_servers_settings() {
        let server = start(|s| s, tower::service_fn(app)).await;
        let defaults = server_settings(server.addr).await;
        assert!(
            defaults.contains(&(MAX_CONCURRENT_STREAMS, 200)),
            "{defaults:?}"
        );
        assert!(
            defaults.contains(&(MAX_HEADER_LIST_SIZE, 64 * 1024)),
            "{defaults:?}"
        );
        server.stop().await;

        let server = start(
            |s| s.http2_max_concurrent_streams(1).max_header_size(16 * 1024),
            tower::service_fn(app),
        )
        .await;
        let set = server_settings(server.addr).await;
        assert!(set.contains(&(MAX_CONCURRENT_STREAMS, 1)), "{set:?}");
        assert!(set.contains(&(MAX_HEADER_LIST_SIZE, 16 * 1024)), "{set:?}");
        server.stop().await;
    }

    async fn h2c(
        addr: SocketAddr,
    ) -> (
        hyper::client::conn::http2::SendRequest<http_body_util::Empty<Bytes>>,
        JoinHandle<hyper::Result<()>>,
    ) {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .unwrap();
        (sender, tokio::spawn(connection))
    }

    fn get(path: &str) -> Request<http_body_util::Empty<Bytes>> {
        Request::get(format!("http://localhost{path}"))
            .body(http_body_util::Empty::new())
            .unwrap()
    }

    #[tokio::test]
    async fn with_one_stream_allowed_requests_on_a_connection_run_one_at_a_time() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let counting = {
            let (in_flight, most) = (Arc::clone(&in_flight), Arc::clone(&most));
            tower::service_fn(move |_request: Request<Incoming>| {
                let (in_flight, most) = (Arc::clone(&in_flight), Arc::clone(&most));
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
                }
            })
        };
        let server = start(|s| s.http2_max_concurrent_streams(1), counting).await;

        let (mut sender, _connection) = h2c(server.addr).await;
        // Once a response is in, so are the server's SETTINGS: the client knows the cap, and
        // queues streams past it instead of opening them (a stream opened past the cap before
        // the SETTINGS arrive is refused with REFUSED_STREAM).
        let first = sender.send_request(get("/first")).await.unwrap();
        assert_eq!(first.status(), http::StatusCode::OK);
        let requests = (0..3).map(|i| {
            let mut sender = sender.clone();
            tokio::spawn(async move { sender.send_request(get(&format!("/{i}"))).await })
        });
        for request in requests.collect::<Vec<_>>() {
            let response = tokio::time::timeout(GENEROUS, request)
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            assert_eq!(response.status(), http::StatusCode::OK);
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        drop(sender);
        server.stop().await;
    }

    #[tokio::test]
    async fn the_header_read_timeout_does_not_close_an_idle_http2_connection() {
        let server = start(
            |s| {
                s.header_read_timeout(Duration::from_millis(200))
                    .idle_timeout(None)
            },
            tower::service_fn(app),
        )
        .await;

        let (mut sender, connection) = h2c(server.addr).await;
        let response = sender.send_request(get("/1")).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        // Idle for three header read timeouts: HTTP/2 connections are meant to idle.
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(!connection.is_finished());
        let response = sender.send_request(get("/2")).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        drop(sender);
        server.stop().await;
    }

    #[tokio::test]
    async fn an_idle_http2_connection_is_closed_after_the_idle_timeout() {
        let server = start(|s| s.idle_timeout(IDLE), tower::service_fn(app)).await;

        let (mut sender, connection) = h2c(server.addr).await;
        let response = sender.send_request(get("/")).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        let answered = Instant::now();
        // GOAWAY, then the close, end the client's connection task cleanly.
        tokio::time::timeout(GENEROUS, connection)
            .await
            .expect("the server closes the connection")
            .unwrap()
            .unwrap();
        assert!(answered.elapsed() >= IDLE);
        assert!(sender.is_closed());
        server.stop().await;
    }

    #[tokio::test]
    async fn an_http2_connection_that_only_pings_is_idle() {
        let server = start(|s| s.idle_timeout(IDLE), tower::service_fn(app)).await;
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
            .await
            .unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // A PING every 50 ms: four per idle timeout, none of them activity.
        let pinger = tokio::spawn(async move {
            let ping = [0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
            while writer.write_all(&ping).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        let started = Instant::now();
        let mut frames = Vec::new();
        let mut received = Vec::new();
        let read = tokio::time::timeout(GENEROUS, reader.read_to_end(&mut received)).await;
        assert!(read.is_ok(), "the server kept a connection that only pings");
        let mut rest = &received[..];
        while rest.len() >= 9 {
            let length = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]) as usize;
            frames.push(rest[3]);
            rest = &rest[(9 + length).min(rest.len())..];
        }
        // PING acknowledgements, then GOAWAY (type 7).
        assert!(frames.contains(&6), "{frames:?}");
        assert!(frames.contains(&7), "{frames:?}");
        assert!(started.elapsed() >= IDLE);
        pinger.abort();
        server.stop().await;
    }

    #[tokio::test]
    async fn an_http2_request_over_max_header_size_gets_431_and_the_connection_goes_on() {
        let server = start(|s| s.max_header_size(16 * 1024), tower::service_fn(app)).await;

        let (mut sender, _connection) = h2c(server.addr).await;
        let mut big = get("/over");
        big.headers_mut()
            .insert("x-big", "a".repeat(20 * 1024).parse().unwrap());
        let response = tokio::time::timeout(GENEROUS, sender.send_request(big))
            .await
            .unwrap();
        let status = response.map(|response| response.status());
        assert_eq!(
            status.as_ref().ok(),
            Some(&http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
            "{status:?}"
        );
        sender.ready().await.unwrap();
        let response = sender.send_request(get("/next")).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        drop(sender);
        server.stop().await;
    }
}
