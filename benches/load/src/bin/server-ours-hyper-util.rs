//! silent-tower's router on bare hyper-util's accept loop (the `auto` builder and
//! `TowerToHyperService`, as `server-hyper-util` runs it), without `serve`: what the router costs
//! apart from `serve`'s protections.

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use silent_tower_benches::ours::{self, App};
use silent_tower_load::{args, runtime, unknown};
use tokio::net::TcpListener;

async fn run<A>(listener: TcpListener, app: A)
where
    A: App<Incoming>,
    A::Future: Send,
{
    let builder = std::sync::Arc::new(Builder::new(TokioExecutor::new()));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let builder = std::sync::Arc::clone(&builder);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn main() {
    let args = args();
    runtime().block_on(async {
        let listener = TcpListener::bind(args.addr).await.unwrap();
        match args.scenario.as_str() {
            "A" => run(listener, ours::plaintext()).await,
            "B" => run(listener, ours::user_json()).await,
            "C-static" => run(listener, ours::deep_static()).await,
            "C-param" => run(listener, ours::deep_param()).await,
            other => unknown(other),
        }
    });
}
