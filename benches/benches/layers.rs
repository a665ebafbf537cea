//! Scenario A behind four middlewares: ours (CORS, timeout, exception handler, request-time
//! logger) against tower-http's (Cors, Timeout, CatchPanic, Trace) around axum 0.8, and silent
//! 2.16's own (Cors, Timeout, ExceptionHandler, RequestTimeLogger). Each request carries an
//! allowed `Origin`, so every CORS layer does its work. No `tracing` subscriber is installed: the
//! loggers' disabled path is what is measured.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use silent_tower_benches::{axum_peer, cases, ours, silent_peer};

fn layers(c: &mut Criterion) {
    let rt = common::runtime();
    let _guard = rt.enter();
    let path = common::one("/");
    let mut group = c.benchmark_group("layers/A");
    let ours = cases::ours_layered(ours::plaintext());
    common::tower(&mut group, "ours", rt, ours, &path, true);
    let axum = cases::axum_layered(axum_peer::plaintext());
    common::tower(&mut group, "axum + tower-http", rt, axum, &path, true);
    let silent = silent_peer::app(cases::silent_layered(silent_peer::plaintext()));
    common::silent(&mut group, "silent", rt, silent, &path, true);
    group.finish();
}

criterion_group!(benches, layers);
criterion_main!(benches);
