//! axum 0.8: the scenario's router served by `axum::serve`.

use silent_tower_benches::axum_peer;
use silent_tower_load::{args, runtime, unknown};

fn main() {
    let args = args();
    let router = match args.scenario.as_str() {
        "A" => axum_peer::plaintext(),
        "B" => axum_peer::user_json(),
        "C-static" => axum_peer::deep_static(),
        "C-param" => axum_peer::deep_param(),
        other => unknown(other),
    };
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        axum::serve(listener, router).await.unwrap();
    });
}
