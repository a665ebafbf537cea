//! `RateLimitLayer` with its buckets in a real Redis: two server instances on loopback, each with
//! its own layer and its own Redis connection, share one limit; and when Redis stalls or stops,
//! each request gets the documented answer within the store's timeout, with one warning.
//!
//! The tests start `redis-server` (Debian's `redis-server` package, which `.ci/test` installs) on
//! a free loopback port, without persistence, and kill it when they end.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use silent_tower_layers::rate_limit::{RateLimitLayer, RedisStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::service_fn;
use tower_layer::Layer;
use tower_service::Service;

#[path = "support/redis_server.rs"]
mod redis_server;
use redis_server::RedisServer;

type Body = Full<Bytes>;

/// `200 ok` for every request.
fn hello(
) -> impl Service<Request<Incoming>, Response = Response<Body>, Error = Infallible, Future = impl Send>
       + Clone
       + Send
       + 'static {
    service_fn(|_: Request<Incoming>| async {
        Ok::<_, Infallible>(Response::new(Full::from("ok")))
    })
}

/// Serves `service` over HTTP/1.1 on a loopback port of its own: one server instance.
async fn spawn_server<S>(service: S) -> SocketAddr
where
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// One `GET /` with `headers`, on a connection of its own: the status and `Retry-After`.
async fn get(addr: SocketAddr, headers: &str) -> (u16, Option<String>) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!("GET / HTTP/1.1\r\nhost: test\r\nconnection: close\r\n{headers}\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        String::from_utf8(response).unwrap()
    };
    let response = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("an answer within 10 s");
    let status = response[9..12].parse().unwrap();
    let retry_after = response
        .lines()
        .find_map(|line| line.strip_prefix("retry-after: "))
        .map(str::to_owned);
    (status, retry_after)
}

const OK: (u16, Option<String>) = (200, None);

fn limited(secs: &str) -> (u16, Option<String>) {
    (429, Some(secs.to_owned()))
}

/// The keys of the test's buckets, straight from Redis.
async fn redis_keys(url: &str, pattern: &str) -> Vec<(String, i64)> {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut connection)
        .await
        .unwrap();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        out.push((key, ttl));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_limit_through_one_redis() {
    let redis = RedisServer::start();

    // One request a minute, a burst of 3, for everyone together.
    let instance = |prefix: &'static str| {
        let url = redis.url();
        async move {
            let store = RedisStore::connect(&url).await.unwrap().prefix(prefix);
            let layer = RateLimitLayer::new(1.0 / 60.0, 3).store(store);
            spawn_server(layer.layer(hello())).await
        }
    };
    let a = instance("global-test:").await;
    let b = instance("global-test:").await;

    assert_eq!(get(a, "").await, OK);
    assert_eq!(get(b, "").await, OK);
    assert_eq!(get(a, "").await, OK);
    // The burst is spent across both: each instance alone would have admitted these.
    assert_eq!(get(b, "").await, limited("60"));
    assert_eq!(get(a, "").await, limited("60"));

    // One bucket, which expires once it would be full again: three tokens, a minute each.
    let keys = redis_keys(&redis.url(), "global-test:*").await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].0, "global-test:global");
    assert!(
        (178_000..=180_000).contains(&keys[0].1),
        "PTTL {}",
        keys[0].1
    );

    // Per client, by a header, on both instances.
    let keyed = |prefix: &'static str| {
        let url = redis.url();
        async move {
            let store = RedisStore::connect(&url).await.unwrap().prefix(prefix);
            let layer = RateLimitLayer::new(1.0 / 60.0, 2)
                .keyed_by(|parts: &Parts| parts.headers.get("x-client").cloned())
                .store(store);
            spawn_server(layer.layer(hello())).await
        }
    };
    let a = keyed("keyed-test:").await;
    let b = keyed("keyed-test:").await;
    let alice = "x-client: alice\r\n";
    let bob = "x-client: bob\r\n";

    assert_eq!(get(a, alice).await, OK);
    assert_eq!(get(b, alice).await, OK);
    assert_eq!(get(a, alice).await, limited("60"));
    assert_eq!(get(b, alice).await, limited("60"));
    assert_eq!(get(b, bob).await, OK);
    assert_eq!(get(a, bob).await, OK);
    assert_eq!(get(a, bob).await, limited("60"));
    // No key: the shared bucket, apart from alice's and bob's.
    assert_eq!(get(a, "").await, OK);
    let names: Vec<_> = redis_keys(&redis.url(), "keyed-test:*")
        .await
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(
        names,
        [
            "keyed-test:key:alice",
            "keyed-test:key:bob",
            "keyed-test:shared"
        ]
    );
}

/// Log lines, captured.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// A request's answer, and how long it took.
async fn timed_get(addr: SocketAddr) -> ((u16, Option<String>), Duration) {
    let start = Instant::now();
    let answer = get(addr, "").await;
    (answer, start.elapsed())
}

// On the test's own thread, so that the server tasks' log lines reach the captured subscriber.
#[tokio::test(flavor = "current_thread")]
async fn with_redis_stalled_or_down_requests_fail_open_or_closed_within_the_timeout() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("silent_tower::rate_limit=info")
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut redis = RedisServer::start();
    let port = redis.port();
    const TIMEOUT: Duration = Duration::from_millis(300);
    let open_store = RedisStore::connect(&redis.url())
        .await
        .unwrap()
        .prefix("open:");
    let open = RateLimitLayer::new(1.0 / 60.0, 1)
        .store(open_store)
        .store_timeout(TIMEOUT);
    let open = spawn_server(open.layer(hello())).await;
    let closed_store = RedisStore::connect(&redis.url())
        .await
        .unwrap()
        .prefix("closed:");
    let closed = RateLimitLayer::new(1.0 / 60.0, 1)
        .store(closed_store)
        .store_timeout(TIMEOUT)
        .fail_closed();
    let closed = spawn_server(closed.layer(hello())).await;

    // Redis up: the limit holds.
    assert_eq!(get(open, "").await, OK);
    assert_eq!(get(open, "").await, limited("60"));
    assert_eq!(get(closed, "").await, OK);
    assert_eq!(get(closed, "").await, limited("60"));
    assert!(captured.lines().is_empty(), "{:?}", captured.lines());

    // Redis frozen, its connections open: no answer ever comes, the timeout decides.
    redis.signal("STOP");
    for _ in 0..3 {
        let (answer, took) = timed_get(open).await;
        assert_eq!(answer, OK, "fail open");
        assert!(
            took >= TIMEOUT && took < TIMEOUT + Duration::from_secs(1),
            "{took:?}"
        );
        let (answer, took) = timed_get(closed).await;
        assert_eq!(answer, (503, Some("1".to_owned())), "fail closed");
        assert!(
            took >= TIMEOUT && took < TIMEOUT + Duration::from_secs(1),
            "{took:?}"
        );
    }

    // Redis gone: the same answers, never later than the timeout.
    redis.stop();
    for _ in 0..3 {
        let (answer, took) = timed_get(open).await;
        assert_eq!(answer, OK, "fail open");
        assert!(took < TIMEOUT + Duration::from_secs(1), "{took:?}");
        let (answer, took) = timed_get(closed).await;
        assert_eq!(answer, (503, Some("1".to_owned())), "fail closed");
        assert!(took < TIMEOUT + Duration::from_secs(1), "{took:?}");
    }

    // One warning per layer for the whole outage, saying what happens to requests.
    let lines = captured.lines();
    let warnings: Vec<_> = lines
        .iter()
        .filter(|line| line.contains(" WARN "))
        .collect();
    assert_eq!(warnings.len(), 2, "{lines:#?}");
    assert!(
        warnings[0].contains("the rate-limit store failed; admitting requests without a limit (fail open) until it answers again"),
        "{lines:#?}"
    );
    assert!(
        warnings[1].contains("the rate-limit store failed; refusing requests with 503 (fail closed) until it answers again"),
        "{lines:#?}"
    );
    assert!(
        warnings
            .iter()
            .all(|line| line.contains("silent_tower::rate_limit")),
        "{lines:#?}"
    );

    // Redis back (empty: its buckets are full again): the connections come back on their own
    // and the limit holds again.
    let _redis = RedisServer::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(closed, "").await != OK {
        assert!(
            Instant::now() < deadline,
            "the store did not reconnect within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get(closed, "").await, limited("60"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(open, "").await != limited("60") {
        assert!(
            Instant::now() < deadline,
            "the store did not reconnect within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lines = captured.lines();
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.contains(" INFO ")
                && line.contains("the rate-limit store answers again"))
            .count(),
        2,
        "{lines:#?}"
    );
}
