#!/usr/bin/env bash
# Build cost: release build time and binary size of an app with 10, 50 and 200 routes, ours
# against axum 0.8. Each app is generated into a scratch crate (its own workspace, sharing one
# target directory whose dependencies are built first, so only the app crate itself is timed),
# with routes `/r{i}/{id}` each on its own `async fn`, the way real apps have distinct handlers.
#
#   bash benches/build-cost/run.sh [COUNTS...]     (default: 10 50 200)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10 50 200)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"

make_app() { # peer count
  local dir="$work/$1-$2"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "app-$1-$2"
version = "0.0.0"
edition = "2021"
[workspace]
[dependencies]
tokio = { version = "1", features = ["rt", "net", "macros"] }
$( if [ "$1" = ours ]; then echo "silent-tower = { path = \"$repo/silent-tower\" }"; else echo 'axum = { version = "0.8", default-features = false, features = ["tokio", "http1"] }'; fi )
[profile.release]
lto = "fat"
codegen-units = 1
TOML
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
  {
    if [ "$1" = ours ]; then
      echo 'use silent_tower::{get, Router};'
    else
      echo 'use axum::{routing::get, Router};'
    fi
    for i in $(seq "$2"); do echo "async fn h$i() -> &'static str { \"r$i\" }"; done
    echo '#[tokio::main(flavor = "current_thread")]'
    echo 'async fn main() {'
    echo '    let app = Router::new()'
    for i in $(seq "$2"); do echo "        .route(\"/r$i/{id}\", get(h$i))"; done
    echo '        ;'
    echo '    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();'
    if [ "$1" = ours ]; then
      echo '    silent_tower::serve(listener, app).await.unwrap();'
    else
      echo '    axum::serve(listener, app).await.unwrap();'
    fi
    echo '}'
  } >"$dir/src/main.rs"
  echo "$dir"
}

echo "| peer | routes | release build of the app crate | binary size |"
echo "|---|---|---|---|"
for count in "${counts[@]}"; do
  for peer in ours axum; do
    dir=$(make_app "$peer" "$count")
    # Dependencies first, untimed: an app with one route less shares them all.
    (cd "$dir" && cargo build --release -q 2>/dev/null) || true
    touch "$dir/src/main.rs"
    start=$(date +%s.%N)
    (cd "$dir" && cargo build --release -q)
    end=$(date +%s.%N)
    size=$(stat -c %s "$CARGO_TARGET_DIR/release/app-$peer-$count")
    printf '| %s | %s | %.1f s | %s KiB |\n' "$peer" "$count" "$(echo "$end - $start" | bc)" $((size / 1024))
  done
done
