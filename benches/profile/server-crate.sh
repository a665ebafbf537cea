# Sourced by pgo.sh and flamegraph.sh: writes a crate that builds our load server
# (benches/load/src/bin/server-ours.rs, same apps from benches/src/ours.rs, same runtime) on
# silent-tower alone. The load workspace also compiles every peer (silent, axum, actix-web, and
# plotters for the chart); a build here pulls only our own dependency tree, so the several
# rebuilds PGO needs (and the flamegraph's build with line tables) take minutes, not tens of them.
#
#   server_crate DIR     writes DIR/Cargo.toml and DIR/src/main.rs; the binary is `server-ours`

server_crate() {
  local repo dir=$1
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "server-ours"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
silent-tower = { path = "$repo/silent-tower", features = ["json"] }
silent-tower-router = { path = "$repo/router", features = ["json"] }
http = "1"
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["rt", "net", "macros", "time"] }
tower = "0.5"

[profile.release]
lto = "fat"
codegen-units = 1
TOML
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
  cat >"$dir/src/main.rs" <<RUST
//! benches/load/src/bin/server-ours.rs, built on silent-tower alone.
#![allow(dead_code)]

#[path = "$repo/benches/src/data.rs"]
mod data;
#[path = "$repo/benches/src/github_routes.rs"]
mod github_routes;
#[path = "$repo/benches/load/src/lib.rs"]
mod load;
#[path = "$repo/benches/src/ours.rs"]
mod ours;

use load::{args, runtime, unknown};

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
RUST
}
