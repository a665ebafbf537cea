//! silent-tower: the scenario's router served by `silent_tower::serve`.

use silent_tower_benches::ours;
use silent_tower_load::{args, runtime, unknown};

fn main() {
    let args = args();
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        match args.scenario.as_str() {
            "A" => silent_tower::serve(listener, ours::plaintext()).await,
            "B" => silent_tower::serve(listener, ours::user_json()).await,
            "C-static" => silent_tower::serve(listener, ours::deep_static()).await,
            "C-param" => silent_tower::serve(listener, ours::deep_param()).await,
            other => unknown(other),
        }
        .unwrap();
    });
}
