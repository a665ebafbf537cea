//! Scenarios A (plaintext `GET /`) and B (`GET /users/42?fields=…` → JSON) in-process: bare
//! hyper `service_fn`, ours, axum 0.8, silent 2.16.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use silent_tower_benches::{axum_peer, data, hyper_peer, ours, silent_peer};

fn scenarios(c: &mut Criterion) {
    let rt = common::runtime();
    let _guard = rt.enter();

    let path = common::one("/");
    let mut group = c.benchmark_group("scenario/A");
    let hyper = tower::service_fn(hyper_peer::handle);
    common::tower(&mut group, "hyper", rt, hyper, &path, false);
    common::tower(&mut group, "ours", rt, ours::plaintext(), &path, false);
    common::tower(&mut group, "axum", rt, axum_peer::plaintext(), &path, false);
    let silent = silent_peer::app(silent_peer::plaintext());
    common::silent(&mut group, "silent", rt, silent, &path, false);
    group.finish();

    let path = common::one(data::USER_PATH);
    let mut group = c.benchmark_group("scenario/B");
    let hyper = tower::service_fn(hyper_peer::handle);
    common::tower(&mut group, "hyper", rt, hyper, &path, false);
    common::tower(&mut group, "ours", rt, ours::user_json(), &path, false);
    common::tower(&mut group, "axum", rt, axum_peer::user_json(), &path, false);
    let silent = silent_peer::app(silent_peer::user_json());
    common::silent(&mut group, "silent", rt, silent, &path, false);
    group.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
