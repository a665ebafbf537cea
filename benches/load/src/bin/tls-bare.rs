//! Bare hyper over TLS: tokio-rustls's `TlsAcceptor`, then hyper's HTTP/2 or HTTP/1 connection
//! (as ALPN agreed) straight onto one `service_fn`. The limit the TLS servers are held to.

use std::sync::Arc;

use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use silent_tower_benches::hyper_peer;
use silent_tower_load::{runtime, server_config, tls_args};
use tokio_rustls::TlsAcceptor;

fn main() {
    let args = tls_args();
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&args, &[b"h2", b"http/1.1"])));
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                let io = TokioIo::new(stream);
                let service = service_fn(hyper_peer::handle);
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
