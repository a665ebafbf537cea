//! Bare hyper-util over TLS: tokio-rustls's `TlsAcceptor`, then hyper-util's `auto` builder (the
//! serving API hyper-util offers, which `server-hyper-util` runs in the clear) straight onto
//! `tls-bare`'s `service_fn`, as ALPN agreed (`http1_only` or `http2_only`, as `serve` does).

use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use silent_tower_benches::hyper_peer;
use silent_tower_load::{serve_tls, tls_args};

fn main() {
    let http1 = Arc::new(Builder::new(TokioExecutor::new()).http1_only());
    let http2 = Arc::new(Builder::new(TokioExecutor::new()).http2_only());
    serve_tls(&tls_args(), move |stream, h2| {
        let builder = Arc::clone(if h2 { &http2 } else { &http1 });
        async move {
            let _ = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    service_fn(hyper_peer::handle),
                )
                .await;
        }
    });
}
