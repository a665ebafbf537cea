//! Bare hyper-util: the accept loop `serve` builds on (hyper-util's `auto` builder, HTTP/1 and
//! h2c, `TCP_NODELAY`), onto bare hyper's `service_fn` that matches paths by hand. No limit,
//! timeout or shutdown: the floor `serve` is measured against.

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use silent_tower_benches::hyper_peer;
use silent_tower_load::{args, runtime};

fn main() {
    let args = args();
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        let builder = std::sync::Arc::new(Builder::new(TokioExecutor::new()));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let builder = std::sync::Arc::clone(&builder);
            tokio::spawn(async move {
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
