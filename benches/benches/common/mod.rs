//! What every criterion bench here shares: how a peer is called, how requests are made.
//!
//! Requests are built in criterion's setup (`iter_batched`), outside the timing; the routine
//! calls the service, drives its future with a no-op waker (see `drive`) and drops the response.
//! A group over the GitHub table serves all 130 paths per iteration and reports time per request.
#![allow(dead_code)]

use std::fmt::Debug;
use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup};
use http::{Request, Response};
use http_body_util::Empty;
use silent_tower_benches::cases::{request, ReqBody};
use silent_tower_benches::drive;
use silent_tower_benches::silent_peer::SilentApp;
use tokio::runtime::Runtime;
use tower::Service;

/// The runtime the benches enter (never run: the futures are polled by hand).
pub fn runtime() -> &'static Runtime {
    drive::runtime()
}

/// Benches a tower service on `paths`, all of them per iteration.
pub fn tower<S, RB>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    rt: &'static Runtime,
    mut service: S,
    paths: &[String],
    origin: bool,
) where
    S: Service<Request<ReqBody>, Response = Response<RB>>,
    S::Error: Debug,
{
    for path in paths {
        let response = drive::call(rt, &mut service, request(path, origin, Empty::new()));
        assert!(
            response.expect("infallible").status().is_success(),
            "{id}: {path} failed"
        );
    }
    group.bench_function(id, |b| {
        b.iter_batched(
            || requests(paths, origin, Empty::new),
            |requests| {
                for request in requests {
                    let response = drive::call(rt, &mut service, black_box(request));
                    black_box(response.expect("infallible").status());
                }
            },
            BatchSize::SmallInput,
        )
    });
}

/// Benches a silent app on `paths`, all of them per iteration.
pub fn silent<H: silent::Handler + Clone>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    rt: &'static Runtime,
    app: SilentApp<H>,
    paths: &[String],
    origin: bool,
) {
    for path in paths {
        let response = drive::ready(rt, app.call(request(path, origin, ())));
        assert!(
            response.expect("infallible").status().is_success(),
            "{id}: {path} failed"
        );
    }
    group.bench_function(id, |b| {
        b.iter_batched(
            || requests(paths, origin, || ()),
            |requests| {
                for request in requests {
                    let response = drive::ready(rt, app.call(black_box(request)));
                    black_box(response.expect("infallible").status());
                }
            },
            BatchSize::SmallInput,
        )
    });
}

fn requests<B>(paths: &[String], origin: bool, body: impl Fn() -> B) -> Vec<Request<B>> {
    paths
        .iter()
        .map(|path| request(path, origin, body()))
        .collect()
}

/// One path, as the helpers take them.
pub fn one(path: &str) -> Vec<String> {
    vec![path.to_owned()]
}
