//! silent-tower's router over bare TLS: tokio-rustls's `TlsAcceptor`, then hyper's HTTP/2 or
//! HTTP/1 connection (as ALPN agreed, as `tls-bare` does) onto the router through hyper-util's
//! `TowerToHyperService`, without `serve`: what the router costs over TLS apart from `serve`'s
//! protections.

use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use silent_tower_benches::ours;
use silent_tower_load::{serve_tls, tls_args};

fn main() {
    let app = ours::plaintext();
    serve_tls(&tls_args(), move |stream, h2| {
        let io = TokioIo::new(stream);
        let service = TowerToHyperService::new(app.clone());
        async move {
            let _ = if h2 {
                http2::Builder::new(TokioExecutor::new())
                    .serve_connection(io, service)
                    .await
            } else {
                http1::Builder::new().serve_connection(io, service).await
            };
        }
    });
}
