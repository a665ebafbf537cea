use std::convert::Infallible;
use std::future::{ready, Ready};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;
use tower_layer::Layer;
use tower_service::Service;

use super::gcra::Gcra;
use super::table::Table;
use super::{peer_ip, RateLimitLayer, DEFAULT_MAX_KEYS};
use crate::request_time_logger::PeerAddr;

/// Answers `200 ok` and counts its calls.
#[derive(Clone, Default)]
struct Counting {
    calls: Arc<AtomicUsize>,
}

impl Service<Request<()>> for Counting {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::Relaxed);
        ready(Ok(Response::new(Full::from("ok"))))
    }
}

impl Counting {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

/// The status and `Retry-After` of one request through `service`.
async fn ask<S>(service: &mut S, request: Request<()>) -> (StatusCode, Option<String>)
where
    S: Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible>,
{
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    (response.status(), retry_after)
}

fn from(addr: &str) -> Request<()> {
    let mut request = Request::new(());
    request
        .extensions_mut()
        .insert(PeerAddr(addr.parse().unwrap()));
    request
}

const OK: (StatusCode, Option<String>) = (StatusCode::OK, None);

fn limited(secs: &str) -> (StatusCode, Option<String>) {
    (StatusCode::TOO_MANY_REQUESTS, Some(secs.to_owned()))
}

#[tokio::test(start_paused = true)]
async fn a_burst_is_admitted_then_429_with_an_empty_body_and_no_inner_call() {
    let inner = Counting::default();
    let mut service = RateLimitLayer::new(1.0, 3).layer(inner.clone());

    for _ in 0..3 {
        assert_eq!(ask(&mut service, Request::new(())).await, OK);
    }
    let response = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers().len(), 1);
    assert_eq!(response.headers()["retry-after"], "1");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "");
    assert_eq!(inner.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_the_wait_in_whole_seconds_rounded_up() {
    // One request every 10 s.
    let mut service = RateLimitLayer::new(0.1, 1).layer(Counting::default());

    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, limited("10"));
    tokio::time::advance(Duration::from_millis(3_500)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, limited("7"));
    tokio::time::advance(Duration::from_millis(5_499)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, limited("2"));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    // Rejected requests take no token: the next one is due 10 s after the last admitted one.
    tokio::time::advance(Duration::from_secs(9)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
}

#[tokio::test(start_paused = true)]
async fn tokens_come_back_at_the_rate_and_never_beyond_the_burst() {
    let mut service = RateLimitLayer::new(4.0, 2).layer(Counting::default());

    // An hour idle still leaves only the burst.
    tokio::time::advance(Duration::from_secs(3600)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    tokio::time::advance(Duration::from_millis(250)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
}

#[tokio::test(start_paused = true)]
async fn services_and_clones_of_one_layer_share_its_bucket() {
    let layer = RateLimitLayer::new(1.0, 2);
    let mut route_a = layer.layer(Counting::default());
    let mut route_b = layer.clone().layer(Counting::default());
    let mut other_layer = RateLimitLayer::new(1.0, 2).layer(Counting::default());

    assert_eq!(ask(&mut route_a, Request::new(())).await, OK);
    assert_eq!(ask(&mut route_b, Request::new(())).await, OK);
    assert_eq!(ask(&mut route_a, Request::new(())).await, limited("1"));
    assert_eq!(ask(&mut route_b, Request::new(())).await, limited("1"));
    assert_eq!(ask(&mut other_layer, Request::new(())).await, OK);
}

/// Many tasks ask as fast as they can for 10 s of Tokio's paused clock; what gets through is
/// the burst plus the rate times the time.
#[tokio::test(start_paused = true)]
async fn under_concurrent_load_the_admitted_rate_is_the_configured_one() {
    const RATE: f64 = 200.0;
    const BURST: usize = 20;
    const TASKS: usize = 32;
    let window = Duration::from_secs(10);
    let admitted = Arc::new(AtomicUsize::new(0));
    let asked = Arc::new(AtomicUsize::new(0));
    let service = RateLimitLayer::new(RATE, BURST).layer(Counting::default());
    let end = tokio::time::Instant::now() + window;

    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let mut service = service.clone();
            let (admitted, asked) = (Arc::clone(&admitted), Arc::clone(&asked));
            tokio::spawn(async move {
                // Tasks start at different offsets within the first millisecond.
                tokio::time::sleep(Duration::from_micros(31 * task as u64)).await;
                while tokio::time::Instant::now() < end {
                    let (status, _) = ask(&mut service, Request::new(())).await;
                    asked.fetch_add(1, Ordering::Relaxed);
                    if status == StatusCode::OK {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let expected = BURST as f64 + RATE * window.as_secs_f64();
    let admitted = admitted.load(Ordering::Relaxed) as f64;
    assert!(
        (admitted - expected).abs() <= expected * 0.05,
        "admitted {admitted}, expected {expected} ± 5 %"
    );
    // The load was well over the limit, or the test would prove nothing.
    assert!(asked.load(Ordering::Relaxed) as f64 > 10.0 * expected);
}

/// Threads race on the bucket with the clock frozen: exactly `burst` requests get through, then
/// exactly `rate` per second of clock moved — no token is lost or granted twice by the
/// compare-and-swap loop or the table's lock.
#[test]
fn racing_threads_take_exactly_the_tokens_there_are() {
    const THREADS: usize = 4;
    const ATTEMPTS: usize = 2_000;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let handle = runtime.handle().clone();
    let _entered = runtime.enter();

    let global = RateLimitLayer::new(100.0, 500).layer(Counting::default());
    let keyed = RateLimitLayer::new(100.0, 500)
        .keyed_by(peer_ip)
        .layer(Counting::default());

    let race = || {
        let admitted = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let (handle, admitted) = (&handle, Arc::clone(&admitted));
                let (mut global, mut keyed) = (global.clone(), keyed.clone());
                scope.spawn(move || {
                    let _entered = handle.enter();
                    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                    for attempt in 0..ATTEMPTS {
                        let response = if attempt % 2 == 0 {
                            let mut future = std::pin::pin!(global.call(Request::new(())));
                            future.as_mut().poll(&mut cx)
                        } else {
                            // Two clients, each raced for by two threads.
                            let peer = format!("10.0.0.{}:{}", thread % 2, 1000 + attempt);
                            let mut future = std::pin::pin!(keyed.call(from(&peer)));
                            future.as_mut().poll(&mut cx)
                        };
                        let std::task::Poll::Ready(Ok(response)) = response else {
                            panic!("answers at once");
                        };
                        if response.status() == StatusCode::OK {
                            admitted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        admitted.load(Ordering::Relaxed)
    };

    // The global bucket's 500 and each client's 500.
    assert_eq!(race(), 500 + 2 * 500);
    runtime.block_on(tokio::time::advance(Duration::from_secs(3)));
    assert_eq!(race(), 300 + 2 * 300);
}

use std::future::Future;

#[tokio::test(start_paused = true)]
async fn each_peer_ip_has_its_own_bucket_and_keyless_requests_share_one() {
    let layer = RateLimitLayer::new(1.0, 1).keyed_by(peer_ip);
    let mut service = layer.layer(Counting::default());

    assert_eq!(ask(&mut service, from("10.0.0.1:1000")).await, OK);
    assert_eq!(ask(&mut service, from("10.0.0.1:1001")).await, limited("1"));
    assert_eq!(ask(&mut service, from("[2001:db8::1]:443")).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, OK);
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    let mut bare_addr = Request::new(());
    bare_addr
        .extensions_mut()
        .insert::<SocketAddr>("10.0.0.9:80".parse().unwrap());
    assert_eq!(ask(&mut service, bare_addr).await, OK);
    assert_eq!(layer.tracked_keys(), 3);
    assert_eq!(layer.max_tracked_keys(), DEFAULT_MAX_KEYS);
}

#[test]
fn peer_ip_prefers_peer_addr_and_drops_the_port() {
    let parts = |request: Request<()>| -> Parts { request.into_parts().0 };
    let mut both = from("10.0.0.7:1");
    both.extensions_mut()
        .insert::<SocketAddr>("10.0.0.8:2".parse().unwrap());
    assert_eq!(peer_ip(&parts(both)), Some(IpAddr::from([10, 0, 0, 7])));
    assert_eq!(peer_ip(&parts(Request::new(()))), None);
}

#[tokio::test(start_paused = true)]
async fn a_key_function_over_headers_works_too() {
    let layer = RateLimitLayer::new(1.0, 1)
        .keyed_by(|parts: &Parts| parts.headers.get("x-api-key").cloned());
    let mut service = layer.layer(Counting::default());
    let with_key = |key: &'static str| Request::get("/").header("x-api-key", key).body(()).unwrap();

    assert_eq!(ask(&mut service, with_key("a")).await, OK);
    assert_eq!(ask(&mut service, with_key("b")).await, OK);
    assert_eq!(ask(&mut service, with_key("a")).await, limited("1"));
}

#[tokio::test(start_paused = true)]
async fn a_hundred_thousand_distinct_keys_leave_the_table_at_its_bound() {
    const MAX_KEYS: usize = 1_000;
    // 1 per second, burst 2: a bucket emptied at t is full again at t + 2 s.
    let layer = RateLimitLayer::new(1.0, 2)
        .keyed_by(|parts: &Parts| parts.uri.path()[1..].parse::<u32>().ok())
        .max_keys(MAX_KEYS);
    let mut service = layer.layer(Counting::default());
    let path = |key: u32| Request::get(format!("/{key}")).body(()).unwrap();

    // Sends keys `first..first + 100_000`, the clock moving 1 ms every 100 keys (1 s in all);
    // returns how many were admitted.
    async fn flood<S>(service: &mut S, layer: &impl Fn() -> usize, first: u32) -> usize
    where
        S: Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible>,
    {
        let mut admitted = 0;
        for key in first..first + 100_000 {
            let request = Request::get(format!("/{key}")).body(()).unwrap();
            if ask(service, request).await.0 == StatusCode::OK {
                admitted += 1;
            }
            if key % 100 == 99 {
                tokio::time::advance(Duration::from_millis(1)).await;
            }
            assert!(layer() <= MAX_KEYS);
        }
        admitted
    }
    let tracked = || layer.tracked_keys();

    // A client empties its bucket before the flood…
    assert_eq!(ask(&mut service, path(u32::MAX)).await, OK);
    assert_eq!(ask(&mut service, path(u32::MAX)).await, OK);
    assert_eq!(ask(&mut service, path(u32::MAX)).await, limited("1"));

    let admitted = flood(&mut service, &tracked, 0).await;
    assert_eq!(tracked(), MAX_KEYS);
    // 999 keys got a bucket each; the others drew from the shared bucket, its burst of 2.
    assert_eq!(admitted, 999 + 2);

    // …and is still limited after it: one token has come back in the second the flood took,
    // not the two a fresh bucket would have.
    assert_eq!(ask(&mut service, path(u32::MAX)).await, OK);
    assert_eq!(ask(&mut service, path(u32::MAX)).await, limited("1"));

    // Once every bucket has refilled, a new flood replaces the keys one by one, and the table
    // still holds no more than its bound.
    tokio::time::advance(Duration::from_secs(3)).await;
    let admitted = flood(&mut service, &tracked, 200_000).await;
    assert_eq!(tracked(), MAX_KEYS);
    assert!(admitted >= MAX_KEYS, "{admitted}");
}

#[test]
fn a_full_table_evicts_only_its_least_recently_used_key_and_only_once_refilled() {
    // 1 request per second, burst 1: a bucket used at t refills at t + 1 s.
    let gcra = Gcra::new(1.0, 1);
    const S: u64 = 1_000_000_000;
    let mut table = Table::new(2);

    assert_eq!(table.acquire("a", gcra, 0), Some(Ok(())));
    assert_eq!(table.acquire("b", gcra, 0), Some(Ok(())));
    // Full, and the least recently used bucket ("a") has not refilled: no room for "c".
    assert_eq!(table.acquire("c", gcra, S / 2), None);
    assert_eq!(table.keys_newest_first(), [&"b", &"a"]);

    // Using "a" makes "b" the least recently used.
    assert_eq!(table.acquire("a", gcra, S / 2), Some(Err(S / 2)));
    assert_eq!(table.keys_newest_first(), [&"a", &"b"]);
    // At 1 s "b" has refilled ("a" has not: its TAT is 1 s too, refilled exactly then — both
    // are full; "b" goes because it is the older).
    assert_eq!(table.acquire("c", gcra, S), Some(Ok(())));
    assert_eq!(table.keys_newest_first(), [&"c", &"a"]);
    assert_eq!(table.len(), 2);
    // "b" comes back with a full bucket, taking "a"'s slot.
    assert_eq!(table.acquire("b", gcra, S), Some(Ok(())));
    assert_eq!(table.keys_newest_first(), [&"b", &"c"]);
    assert_eq!(table.len(), 2);
}

#[test]
fn the_bucket_arithmetic_is_a_token_bucket() {
    // 2 per second, burst 3: interval 0.5 s, tolerance 1 s.
    let gcra = Gcra::new(2.0, 3);
    const MS: u64 = 1_000_000;
    let mut tat = 0;
    for _ in 0..3 {
        tat = gcra.decide(tat, 0).unwrap();
    }
    assert_eq!(tat, 1_500 * MS);
    assert_eq!(gcra.decide(tat, 0), Err(500 * MS));
    assert_eq!(gcra.decide(tat, 499 * MS), Err(MS));
    assert_eq!(gcra.decide(tat, 500 * MS), Ok(2_000 * MS));
    assert_eq!(gcra.longest_wait_secs(), 1);
    assert_eq!(Gcra::new(0.1, 1).longest_wait_secs(), 10);
}

#[test]
fn bad_configurations_are_refused_when_built() {
    let refused = |build: fn()| std::panic::catch_unwind(build).unwrap_err();
    let message = |payload: Box<dyn std::any::Any + Send>| match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => (*payload.downcast::<&str>().unwrap()).to_owned(),
    };
    assert_eq!(
        message(refused(|| drop(RateLimitLayer::new(0.0, 1)))),
        "rate limit: the rate must be a number of requests per second above 0 and at most 1e9, \
         not 0"
    );
    assert!(message(refused(|| drop(RateLimitLayer::new(f64::NAN, 1)))).ends_with("not NaN"));
    assert_eq!(
        message(refused(|| drop(RateLimitLayer::new(1.0, 0)))),
        "rate limit: the burst must be at least 1"
    );
    assert_eq!(
        message(refused(|| drop(
            RateLimitLayer::new(1.0, 1).keyed_by(peer_ip).max_keys(0)
        ))),
        "rate limit: `max_keys` must be at least 1"
    );
}

#[tokio::test(start_paused = true)]
async fn per_second_bursts_one_seconds_worth() {
    let mut service = RateLimitLayer::per_second(2.5).layer(Counting::default());
    for _ in 0..3 {
        assert_eq!(ask(&mut service, Request::new(())).await, OK);
    }
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));

    let mut slow = RateLimitLayer::per_second(0.5).layer(Counting::default());
    assert_eq!(ask(&mut slow, Request::new(())).await, OK);
    assert_eq!(ask(&mut slow, Request::new(())).await, limited("2"));
}

/// A key whose hash panics on demand.
#[derive(Clone, PartialEq, Eq)]
struct Touchy(&'static str);

impl std::hash::Hash for Touchy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        assert_ne!(self.0, "panic", "this key panics when hashed");
        self.0.hash(state);
    }
}

impl super::RateLimitKey for Touchy {
    fn key_len(&self) -> usize {
        self.0.len()
    }

    fn write_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

#[tokio::test(start_paused = true)]
async fn keys_over_the_byte_bound_share_the_keyless_bucket_and_are_not_kept() {
    use super::DEFAULT_MAX_KEY_BYTES;

    let layer = RateLimitLayer::new(1.0, 1)
        .keyed_by(|parts: &Parts| parts.headers.get("x-api-key").cloned());
    let mut service = layer.layer(Counting::default());
    let with_key = |key: &str| Request::get("/").header("x-api-key", key).body(()).unwrap();
    let long = |fill: char| fill.to_string().repeat(64 * 1024);
    let at_bound = "k".repeat(DEFAULT_MAX_KEY_BYTES);
    let over_bound = "k".repeat(DEFAULT_MAX_KEY_BYTES + 1);

    // A key at the bound has a bucket of its own.
    assert_eq!(ask(&mut service, with_key(&at_bound)).await, OK);
    assert_eq!(ask(&mut service, with_key(&at_bound)).await, limited("1"));
    assert_eq!(layer.tracked_keys(), 1);

    // Longer keys are not tracked: they all draw from the one bucket of keyless requests.
    assert_eq!(ask(&mut service, with_key(&long('a'))).await, OK);
    assert_eq!(ask(&mut service, with_key(&long('b'))).await, limited("1"));
    assert_eq!(ask(&mut service, with_key(&over_bound)).await, limited("1"));
    assert_eq!(ask(&mut service, Request::new(())).await, limited("1"));
    assert_eq!(layer.tracked_keys(), 1);

    // A thousand distinct 64 KiB keys leave the table as it was.
    for i in 0..1000 {
        let key = format!("{i:04}{}", long('x'));
        ask(&mut service, with_key(&key)).await;
    }
    assert_eq!(layer.tracked_keys(), 1);

    // The bound is the layer's to set.
    let layer = RateLimitLayer::new(1.0, 1)
        .keyed_by(|parts: &Parts| parts.headers.get("x-api-key").cloned())
        .max_key_bytes(3);
    let mut service = layer.layer(Counting::default());
    assert_eq!(ask(&mut service, with_key("abc")).await, OK);
    assert_eq!(ask(&mut service, with_key("abcd")).await, OK);
    assert_eq!(ask(&mut service, with_key("abcde")).await, limited("1"));
    assert_eq!(layer.tracked_keys(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_key_that_panics_inside_the_table_resets_it_instead_of_breaking_it() {
    let layer = RateLimitLayer::new(1.0, 1).keyed_by(|parts: &Parts| {
        let key = parts.headers.get("key")?.to_str().ok()?;
        Some(Touchy(if key == "panic" { "panic" } else { "calm" }))
    });
    let mut service = layer.layer(Counting::default());
    let with_key = |key: &'static str| Request::get("/").header("key", key).body(()).unwrap();

    assert_eq!(ask(&mut service, with_key("calm")).await, OK);
    assert_eq!(ask(&mut service, with_key("calm")).await, limited("1"));
    let mut panicking = service.clone();
    let panicked = tokio::spawn(async move { ask(&mut panicking, with_key("panic")).await });
    assert!(panicked.await.unwrap_err().is_panic());

    // The table starts again, empty: the calm key has a full bucket.
    assert_eq!(layer.tracked_keys(), 0);
    assert_eq!(ask(&mut service, with_key("calm")).await, OK);
    assert_eq!(layer.tracked_keys(), 1);
}
