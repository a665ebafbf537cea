//! Bare hyper: HTTP/1 connections straight onto one `service_fn` that matches paths by hand.

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use silent_tower_benches::hyper_peer;
use silent_tower_load::{args, runtime};

fn main() {
    let args = args();
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(hyper_peer::handle))
                    .await;
            });
        }
    });
}
