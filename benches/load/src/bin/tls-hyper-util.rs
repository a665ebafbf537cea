//! Bare hyper-util over TLS: tokio-rustls's `TlsAcceptor`, then hyper-util's `auto` builder (the
//! serving API hyper-util offers, which `server-hyper-util` runs in the clear) straight onto
//! `tls-bare`'s `service_fn`, as ALPN agreed (`http1_only` or `http2_only`, as `serve` does).

use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use silent_tower_benches::hyper_peer;
use silent_tower_load::{runtime, server_config, tls_args};
use tokio_rustls::TlsAcceptor;

fn main() {
    let args = tls_args();
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&args, &[b"h2", b"http/1.1"])));
    let http1 = Arc::new(Builder::new(TokioExecutor::new()).http1_only());
    let http2 = Arc::new(Builder::new(TokioExecutor::new()).http2_only());
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            let (http1, http2) = (Arc::clone(&http1), Arc::clone(&http2));
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                let builder = if h2 { http2 } else { http1 };
                let _ = builder
                    .serve_connection_with_upgrades(
                        TokioIo::new(stream),
                        service_fn(hyper_peer::handle),
                    )
                    .await;
            });
        }
    });
}
