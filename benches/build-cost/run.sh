#!/usr/bin/env bash
# Build cost of an app with N routes, ours against axum 0.8: what a user pays each time they
# compile their app, not the one-off cost of its dependencies.
#
#   bash benches/build-cost/run.sh [N...]     (default: 10 50 200 400 1000)
#
# Environment (all optional):
#   BUILD_COST_PEERS="ours-h1 axum"   the peers to measure (default: ours ours-h1 axum)
#   BUILD_COST_RUNS=3                 measure every (peer, N) that many times, the peers taking
#                                     turns run by run so a drift in the machine's speed falls on
#                                     all of them; the tables then give the medians, and every
#                                     run's line is printed first to show the spread
#   BUILD_COST_BEFORE=DIR             a checkout of another commit of this repository: adds the
#                                     peers `before` and `before-h1` (ours and ours-h1 built from
#                                     DIR), to compare a change with the code before it
#
# Peers:
#   ours     silent-tower with its default features (serve: HTTP/1 and h2c)
#   ours-h1  silent-tower with default-features = false (serve: HTTP/1 only)
#   axum     axum 0.8, default-features = false, features tokio + http1 (HTTP/1 only)
#   axum-h2  axum 0.8, default-features = false, features tokio + http1 + http2, the peer of
#            `ours` when both are measured
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
read -r -a peers <<<"${BUILD_COST_PEERS:-ours ours-h1 axum}"
runs=${BUILD_COST_RUNS:-1}
before=${BUILD_COST_BEFORE:-}
if [ -n "$before" ]; then
  before=$(cd "$before" && pwd)
  peers=(before-h1 "${peers[@]}")
  [ -n "${BUILD_COST_PEERS:-}" ] || peers=(before "${peers[@]}")
fi
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
    before) echo "silent-tower = { path = \"$before/silent-tower\" }" ;;
    before-h1) echo "silent-tower = { path = \"$before/silent-tower\", default-features = false }" ;;
    axum) echo 'axum = { version = "0.8", default-features = false, features = ["tokio", "http1"] }' ;;
    axum-h2) echo 'axum = { version = "0.8", default-features = false, features = ["tokio", "http1", "http2"] }' ;;
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
  case "$peer" in
    before*) cp "$before/Cargo.lock" "$dir/Cargo.lock" ;;
    *) cp "$repo/Cargo.lock" "$dir/Cargo.lock" ;;
  esac
  {
    case "$peer" in
      ours* | before*) echo 'use silent_tower::{get, Router};' ;;
      axum*) echo 'use axum::{routing::get, Router};' ;;
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
      ours* | before*) echo '    silent_tower::serve(listener, app).await.unwrap();' ;;
      axum*) echo '    axum::serve(listener, app).await.unwrap();' ;;
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
measure() { # peer n run
  local peer=$1 n=$2 name="app-$1-$2-$3" dir check debug release incremental
  dir=$(make_app "$peer" "$n" "$name")
  echo "== $peer, $n routes, run $3" >&2
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

# The ratios table: each peer over the axum that serves the same protocols, each column for the
# same N: `ours` and `before` (HTTP/1 and HTTP/2) over `axum-h2` when it is measured, every other
# peer over `axum` (HTTP/1 only).
print_ratios() { # file
  local others
  others=$(printf '%s\n' "${peers[@]}" | grep -vx -e axum -e axum-h2 | tr '\n' ' ')
  echo "| N | ratio | check | debug | release | incremental | release size | debug size |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' -v peers="$others" '
    { for (c = 3; c <= 8; c++) v[$1, $2, c] = $c; if (!($2 in seen)) { seen[$2] = 1; ns[++k] = $2 } }
    END {
      np = split(peers, ps, " ")
      for (i = 1; i <= k; i++) for (p = 1; p <= np; p++) {
        n = ns[i]; d = "axum"
        if (ps[p] ~ /^(ours|before)$/ && v["axum-h2", n, 3] != "") d = "axum-h2"
        line = "| " n " | " ps[p] " / " d " |"
        for (c = 3; c <= 8; c++) {
          a = v[ps[p], n, c]; b = v[d, n, c]
          line = line ((a == "" || b == "" || b == 0) ? " – |" : sprintf(" %.2f |", a / b))
        }
        print line
      }
    }' "$1"
}

# The median of every column per (peer, N), one line each, in the order first measured.
medians() { # file
  awk -F'\t' '
    { key = $1 "\t" $2; if (!(key in n)) order[++k] = key; n[key]++
      for (c = 3; c <= 8; c++) v[key, c, n[key]] = $c }
    END {
      for (i = 1; i <= k; i++) {
        key = order[i]; line = key
        for (c = 3; c <= 8; c++) {
          m = n[key]; delete s
          for (j = 1; j <= m; j++) s[j] = v[key, c, j] + 0
          for (a = 2; a <= m; a++) { x = s[a]; for (b = a - 1; b >= 1 && s[b] > x; b--) s[b + 1] = s[b]; s[b + 1] = x }
          med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
          line = line "\t" ((c <= 6) ? sprintf("%.2f", med) : sprintf("%d", med))
        }
        print line
      }
    }' "$1"
}

for peer in "${peers[@]}"; do warm_up "$peer"; done
results="$work/results.tsv"
: >"$results"
for n in "${counts[@]}"; do
  for run in $(seq "$runs"); do
    for peer in "${peers[@]}"; do measure "$peer" "$n" "$run" | tee -a "$results" >&2; done
  done
done
if [ "$runs" -gt 1 ]; then
  echo "Every run (peer, N, check, debug, release, incremental, release KiB, debug KiB):"
  cat "$results"
  echo
  echo "Medians of $runs runs:"
  medians "$results" >"$work/medians.tsv"
  results="$work/medians.tsv"
fi
print_figures "$results"
echo
print_ratios "$results"
