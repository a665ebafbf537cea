//! Router lookup on the GitHub API table (scenario E): ours against matchit 0.9.
//!
//! matchit's `at` is a lookup and nothing else; `ours` is its like: `Router::__lookup` (hidden,
//! for benchmarks) runs the radix-tree walk with its captures, exactly what `call` does before it
//! dispatches. `ours (full call)` adds the rest of a request for scale: `PathParams` into the
//! request's extensions on the 94 routes with parameters, dispatch through the endpoint tree, the
//! empty response and its drop (the same measurement as `dispatch/E/ours`).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use silent_tower_benches::{cases, data, ours};

fn lookup(c: &mut Criterion) {
    let rt = common::runtime();
    let _guard = rt.enter();
    let routes = data::github_routes();
    let paths = cases::github_paths();

    let mut matchit = matchit::Router::new();
    for (index, route) in routes.iter().enumerate() {
        matchit.insert(route.as_str(), index).expect("valid route");
    }
    for path in &paths {
        assert!(matchit.at(path).is_ok(), "matchit: {path} not found");
    }

    let mut group = c.benchmark_group("lookup/E");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("matchit", |b| {
        b.iter(|| {
            for path in &paths {
                let matched = matchit.at(black_box(path)).expect("found");
                black_box(matched.value);
                black_box(&matched.params);
            }
        })
    });
    let mut ours_lookup = ours::github_lookup();
    for path in &paths {
        assert!(ours_lookup(path), "ours: {path} not found");
    }
    group.bench_function("ours", |b| {
        b.iter(|| {
            for path in &paths {
                black_box(ours_lookup(black_box(path)));
            }
        })
    });
    common::tower(
        &mut group,
        "ours (full call)",
        rt,
        ours::github(),
        &paths,
        false,
    );
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
