//! Full `Service::call` dispatch, ours against axum 0.8 and silent 2.16: the GitHub API table
//! (scenario E, all 130 paths per iteration) and ten nested routers (scenario C), static and
//! with a parameter at each level. Every handler answers at once with an empty body.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use silent_tower_benches::{axum_peer, cases, data, ours, silent_peer};

fn github(c: &mut Criterion) {
    let rt = common::runtime();
    let _guard = rt.enter();
    let routes = data::github_routes();
    let paths = cases::github_paths();
    let mut group = c.benchmark_group("dispatch/E");
    group.throughput(Throughput::Elements(paths.len() as u64));
    common::tower(&mut group, "ours", rt, ours::github(), &paths, false);
    common::tower(
        &mut group,
        "axum",
        rt,
        axum_peer::github(&routes),
        &paths,
        false,
    );
    let silent = silent_peer::app(silent_peer::github(&routes));
    common::silent(&mut group, "silent", rt, silent, &paths, false);
    group.finish();
}

fn deep(c: &mut Criterion) {
    let rt = common::runtime();
    let _guard = rt.enter();
    let path = common::one(data::DEEP_STATIC_PATH);
    let mut group = c.benchmark_group("dispatch/C-static");
    common::tower(&mut group, "ours", rt, ours::deep_static(), &path, false);
    common::tower(
        &mut group,
        "axum",
        rt,
        axum_peer::deep_static(),
        &path,
        false,
    );
    let silent = silent_peer::app(silent_peer::deep_static());
    common::silent(&mut group, "silent", rt, silent, &path, false);
    group.finish();

    let path = common::one(data::DEEP_PARAM_PATH);
    let mut group = c.benchmark_group("dispatch/C-param");
    common::tower(&mut group, "ours", rt, ours::deep_param(), &path, false);
    common::tower(
        &mut group,
        "axum",
        rt,
        axum_peer::deep_param(),
        &path,
        false,
    );
    let silent = silent_peer::app(silent_peer::deep_param());
    common::silent(&mut group, "silent", rt, silent, &path, false);
    group.finish();
}

criterion_group!(benches, github, deep);
criterion_main!(benches);
