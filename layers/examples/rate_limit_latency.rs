//! What a `RateLimitLayer` adds to each request's latency: in-process buckets against a
//! `RedisStore` on a local Redis over loopback, next to the bare service, in the same run.
//!
//! Starts its own `redis-server` (Debian's package) on a free loopback port, without
//! persistence, and stops it at the end. Every request is admitted (the limits are far above
//! the load), so the figures are the cost of deciding, not of refusing.
//!
//! ```text
//! cargo run --release -p silent-tower-layers --features redis --example rate_limit_latency
//! ```

use std::convert::Infallible;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::{Request, Response};
use silent_tower_layers::rate_limit::{RateLimitLayer, RedisStore};
use tower::{service_fn, ServiceExt};
use tower_layer::Layer;
use tower_service::Service;

const WARM_UP: usize = 2_000;
const REQUESTS: usize = 20_000;
const ROUNDS: usize = 3;

/// A `redis-server` of this run's own, killed on drop.
struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> (RedisServer, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("`redis-server` (Debian's redis-server package) must be installed");
    let server = RedisServer(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (server, port)
}

/// Latencies of `REQUESTS` requests through `service`, in nanoseconds, sorted.
async fn measure<S>(service: &mut S) -> Vec<u64>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    let mut times = Vec::with_capacity(REQUESTS);
    for i in 0..WARM_UP + REQUESTS {
        let start = Instant::now();
        let response = service
            .ready()
            .await
            .unwrap()
            .call(Request::new(()))
            .await
            .unwrap();
        let took = start.elapsed();
        assert_eq!(response.status(), 200);
        if i >= WARM_UP {
            times.push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
        }
    }
    times.sort_unstable();
    times
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_redis, port) = start_redis();
    runtime.block_on(async {
        let hello = || service_fn(|_: Request<()>| async { Ok(Response::new(String::from("ok"))) });
        let mut bare = hello();
        // Limits far above the load: every request is admitted.
        let mut in_process = RateLimitLayer::new(1e9, 1_000_000_000).layer(hello());
        let store = RedisStore::connect(&format!("redis://127.0.0.1:{port}/"))
            .await
            .expect("connect to the local Redis");
        let mut redis = RateLimitLayer::new(1e6, 1_000_000_000)
            .store(store)
            .store_timeout(Duration::from_secs(1))
            .fail_closed()
            .layer(hello());

        let mut rows: [(&str, Vec<u64>, Vec<u64>); 3] = [
            ("bare service", Vec::new(), Vec::new()),
            ("in-process buckets", Vec::new(), Vec::new()),
            ("RedisStore (loopback)", Vec::new(), Vec::new()),
        ];
        for round in 0..ROUNDS {
            // Alternate the order, so that no case always runs first or last.
            let order: [usize; 3] = if round % 2 == 0 { [0, 1, 2] } else { [2, 1, 0] };
            for case in order {
                let times = match case {
                    0 => measure(&mut bare).await,
                    1 => measure(&mut in_process).await,
                    _ => measure(&mut redis).await,
                };
                rows[case].1.push(percentile(&times, 0.50));
                rows[case].2.push(percentile(&times, 0.99));
            }
        }

        println!(
            "{REQUESTS} requests per case and round, {ROUNDS} rounds alternated, medians of the rounds"
        );
        println!(
            "{:<24} {:>10} {:>10} {:>14} {:>14}",
            "case", "p50 ns", "p99 ns", "p50 added ns", "p99 added ns"
        );
        let base50 = median(rows[0].1.clone());
        let base99 = median(rows[0].2.clone());
        for (name, p50s, p99s) in rows {
            let (p50, p99) = (median(p50s), median(p99s));
            println!(
                "{name:<24} {p50:>10} {p99:>10} {:>14} {:>14}",
                p50.saturating_sub(base50),
                p99.saturating_sub(base99)
            );
        }
    });
}
