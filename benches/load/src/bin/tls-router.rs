//! silent-tower's router over bare TLS: tokio-rustls's `TlsAcceptor`, then hyper's HTTP/2 or
//! HTTP/1 connection (as ALPN agreed, as `tls-bare` does) onto the router through hyper-util's
//! `TowerToHyperService`, without `serve`: what the router costs over TLS apart from `serve`'s
//! protections.

use std::sync::Arc;

use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use silent_tower_benches::ours;
use silent_tower_load::{runtime, server_config, tls_args};
use tokio_rustls::TlsAcceptor;

fn main() {
    let args = tls_args();
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&args, &[b"h2", b"http/1.1"])));
    let app = ours::plaintext();
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            let service = TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                let io = TokioIo::new(stream);
                let _ = if h2 {
                    http2::Builder::new(TokioExecutor::new())
                        .serve_connection(io, service)
                        .await
                } else {
                    http1::Builder::new().serve_connection(io, service).await
                };
            });
        }
    });
}
