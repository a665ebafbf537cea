//! axum 0.8 over TLS: scenario A's router served by axum-server (`tls-rustls-ring`), which runs
//! hyper-util's auto builder over tokio-rustls. `TCP_NODELAY` on, as silent-tower sets it.

use std::sync::Arc;

use axum_server::accept::{TcpConfigAcceptor, TcpSocketConfig};
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use silent_tower_benches::axum_peer;
use silent_tower_load::{runtime, server_config, tls_args};

fn main() {
    let args = tls_args();
    let config = RustlsConfig::from_config(Arc::new(server_config(&args, &[b"h2", b"http/1.1"])));
    let acceptor = RustlsAcceptor::new(config)
        .acceptor(TcpConfigAcceptor::new(TcpSocketConfig::new().nodelay(true)));
    let router = axum_peer::plaintext();
    runtime().block_on(async {
        let listener = std::net::TcpListener::bind(args.addr).unwrap();
        axum_server::from_tcp(listener)
            .unwrap()
            .acceptor(acceptor)
            .serve(router.into_make_service())
            .await
            .unwrap();
    });
}
