#!/usr/bin/env bash
# Build cost of an app with N routes, ours against axum 0.8: what a user pays each time they
# compile their app, not the one-off cost of its dependencies.
#
#   bash benches/build-cost/run.sh [N...]     (default: 10 50 200 400 1000)
#
# Peers:
#   ours     silent-tower with its default features (serve: HTTP/1 and h2c)
#   ours-h1  silent-tower with default-features = false (serve: HTTP/1 only)
#   axum     axum 0.8, default-features = false, features tokio + http1 (HTTP/1 only)
# ours-h1 and axum compile the same protocol support, so their ratio is the router's and the
# framework's; ours against axum adds the cost of HTTP/2.
#
# The app: one `async fn` per route (real apps have distinct handlers), a third of the routes
# static (`/s{i}`), the rest with a parameter (`/r{i}/{id}`), served by the peer's `serve`.
#
# For each peer and N, only the app crate is timed; its dependencies are built beforehand by a
# one-route app of the same peer with the same manifest (see `warm_up`). Measured, in order:
#   check        `cargo check` of the app crate, from clean
#   debug        `cargo build` (dev profile, incremental), from clean
#   release      `cargo build --release` (fat LTO, codegen-units = 1, as the workspace), from clean
#   incremental  `cargo build` again after editing one handler's string literal
#   sizes        the release and debug binaries, in KiB
# Each (peer, N) app is a new package never built before in the shared target directory, so
# its first check and builds are from clean without any `cargo clean`. Prints two markdown
# tables: the figures, then the ratios ours / axum and ours-h1 / axum for each N.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10 50 200 400 1000)
peers=(ours ours-h1 axum)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One target directory for every app: the dependencies are built once per peer and profile.
export CARGO_TARGET_DIR="$work/target"
export CARGO_TERM_COLOR=never

# The dependency line of `peer`'s Cargo.toml.
dependency() { # peer
  case "$1" in
    ours) echo "silent-tower = { path = \"$repo/silent-tower\" }" ;;
    ours-h1) echo "silent-tower = { path = \"$repo/silent-tower\", default-features = false }" ;;
    axum) echo 'axum = { version = "0.8", default-features = false, features = ["tokio", "http1"] }' ;;
  esac
}

# Writes the app crate of `peer` with `n` routes into $work/<name>; prints its directory.
# Every app of a peer has the same manifest but its name, so all share the same dependencies.
make_app() { # peer n name
  local peer=$1 n=$2 name=$3 dir="$work/$3" i
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
tokio = { version = "1", features = ["rt", "net", "macros"] }
$(dependency "$peer")

# The workspace's release profile.
[profile.release]
lto = "fat"
codegen-units = 1
TOML
  # The repository's lock file: the same versions of hyper, tokio, axum, … as the benches.
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
  {
    case "$peer" in
      ours*) echo 'use silent_tower::{get, Router};' ;;
      axum) echo 'use axum::{routing::get, Router};' ;;
    esac
    for i in $(seq "$n"); do
      echo "async fn h$i() -> &'static str { \"handler $i\" }"
    done
    echo
    echo '#[tokio::main(flavor = "current_thread")]'
    echo 'async fn main() {'
    echo '    let app = Router::new()'
    for i in $(seq "$n"); do echo "        .route(\"$(route_path "$i")\", get(h$i))"; done
    echo '        ;'
    echo '    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();'
    case "$peer" in
      ours*) echo '    silent_tower::serve(listener, app).await.unwrap();' ;;
      axum) echo '    axum::serve(listener, app).await.unwrap();' ;;
    esac
    echo '}'
  } >"$dir/src/main.rs"
  echo "$dir"
}

# Route i: every third one static, the others with a parameter.
route_path() { # i
  if (($1 % 3 == 0)); then echo "/s$1"; else echo "/r$1/{id}"; fi
}

# Runs cargo with `args` in `dir`, prints the seconds it took. Fails loudly if cargo compiled
# anything but the app crate: then the figure would include dependencies and mean nothing.
timed_cargo() { # dir args...
  local dir=$1 start end compiled
  shift
  start=$EPOCHREALTIME
  (cd "$dir" && cargo "$@" 2>"$work/cargo.log") || { cat "$work/cargo.log" >&2; exit 1; }
  end=$EPOCHREALTIME
  compiled=$(grep -cE '^ *(Compiling|Checking) ' "$work/cargo.log" || true)
  if [ "$compiled" -ne 1 ]; then
    echo "cargo $* in $dir compiled $compiled crates, not the app alone:" >&2
    cat "$work/cargo.log" >&2
    exit 1
  fi
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

# Builds every dependency of `peer`'s apps for check, debug and release, untimed, through a
# one-route app with the same manifest.
warm_up() { # peer
  local dir
  dir=$(make_app "$1" 1 "warm-$1")
  echo "== building the dependencies of $1 (untimed)" >&2
  (cd "$dir" && cargo check -q && cargo build -q && cargo build --release -q)
}

kib() { # file
  echo $(($(stat -c %s "$1") / 1024))
}

# Measures `peer` with `n` routes; prints one tab-separated line:
# peer n check debug release incremental release_kib debug_kib
measure() { # peer n
  local peer=$1 n=$2 name="app-$1-$2" dir check debug release incremental
  dir=$(make_app "$peer" "$n" "$name")
  echo "== $peer, $n routes" >&2
  check=$(timed_cargo "$dir" check)
  debug=$(timed_cargo "$dir" build)
  release=$(timed_cargo "$dir" build --release)
  # The edit a developer makes most: one handler's answer. The new literal differs in content
  # and length, so the handler's code and data really change.
  sed -i 's/"handler 1"/"handler 1, edited"/' "$dir/src/main.rs"
  grep -q '"handler 1, edited"' "$dir/src/main.rs" || { echo "the edit of h1 did not apply" >&2; exit 1; }
  incremental=$(timed_cargo "$dir" build)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$peer" "$n" "$check" "$debug" "$release" "$incremental" \
    "$(kib "$CARGO_TARGET_DIR/release/$name")" "$(kib "$CARGO_TARGET_DIR/debug/$name")"
}

# The figures table, from the measured lines.
print_figures() { # file
  echo "| peer | N | check | debug | release | incremental | release size | debug size |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %s s | %s s | %s s | %s s | %s KiB | %s KiB |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$1"
}

# The ratios table: ours / axum and ours-h1 / axum, each column for the same N.
print_ratios() { # file
  echo "| N | ratio | check | debug | release | incremental | release size | debug size |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' '
    { for (c = 3; c <= 8; c++) v[$1, $2, c] = $c; if (!($2 in seen)) { seen[$2] = 1; ns[++k] = $2 } }
    END {
      split("ours ours-h1", ps, " ")
      for (i = 1; i <= k; i++) for (p = 1; p <= 2; p++) {
        n = ns[i]; line = "| " n " | " ps[p] " / axum |"
        for (c = 3; c <= 8; c++) {
          a = v[ps[p], n, c]; b = v["axum", n, c]
          line = line ((a == "" || b == "" || b == 0) ? " – |" : sprintf(" %.2f |", a / b))
        }
        print line
      }
    }' "$1"
}

for peer in "${peers[@]}"; do warm_up "$peer"; done
results="$work/results.tsv"
: >"$results"
for n in "${counts[@]}"; do
  for peer in "${peers[@]}"; do measure "$peer" "$n" >>"$results"; done
done
print_figures "$results"
echo
print_ratios "$results"
