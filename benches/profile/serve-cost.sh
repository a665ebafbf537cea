#!/usr/bin/env bash
# What `serve` costs per request next to bare hyper-util, in instructions (callgrind over the
# whole server process, so hyper, tokio and the kernel-facing code are all in; the kernel itself
# is not). One crate, written to a temporary directory and built in release with fat LTO, serves
# the same router five ways:
#
#   bare         the router on hyper-util's accept loop (`auto::Builder`, `TowerToHyperService`,
#                TCP_NODELAY): no timeout, no limit, no timer at all
#   bare-hrt     the same with hyper's own HTTP/1 header read timeout (30 s)
#   serve        `silent_tower::serve` with every default
#   serve-nohrt  `serve` with `header_read_timeout(None)`
#   serve-none   `serve` without header read timeout, idle timeout or connection cap
#
# and counts instructions per request as benches/profile/pgo.sh does: curl sends N requests on one
# keep-alive connection, (count for 2N - count for N) / N, N = 1000. Scenario A is `GET /` ->
# `Hello, World!`, B `GET /users/42` (a `u64` parameter) -> JSON text. Then the system calls per
# request of `bare` and `serve`, the same way under `strace -f -c` (the kernel's share of a
# request, which callgrind does not see), and the share of the server's CPU time spent in user
# space under load: server pinned to CPU 0, `wrk -t1 -c64 -d4s` on CPU 1, 4 rounds alternating,
# `utime` and `stime` from /proc/PID/stat.
#
#   bash benches/profile/serve-cost.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v valgrind >/dev/null || install valgrind
command -v curl >/dev/null || install curl
command -v strace >/dev/null || install strace
command -v wrk >/dev/null || install wrk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/crate/src"
cat >"$work/crate/Cargo.toml" <<TOML
[package]
name = "serve-cost"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
silent-tower = { path = "$repo/silent-tower" }
hyper = { version = "1", features = ["server", "http1", "http2"] }
hyper-util = { version = "0.1", features = ["server", "server-auto", "service", "tokio", "http1", "http2"] }
tokio = { version = "1", features = ["rt", "net", "macros", "time"] }

[profile.release]
lto = "fat"
codegen-units = 1
TOML
cp "$repo/Cargo.lock" "$work/crate/Cargo.lock"
cat >"$work/crate/src/main.rs" <<'RUST'
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use silent_tower::prelude::*;

fn app(scenario: &str) -> Router {
    match scenario {
        "A" => Router::new().route("/", get(|| async { "Hello, World!" })),
        _ => Router::new().route(
            "/users/<id:u64>",
            get(|request: Request| async move {
                let id: u64 = request.param("id").unwrap();
                format!("{{\"id\":{id},\"name\":\"user {id}\"}}")
            }),
        ),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap();
    let scenario = args.next().unwrap();
    let port: u16 = args.next().unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let app = app(&scenario);
        match mode.as_str() {
            "serve" => serve(listener, app).await.unwrap(),
            "serve-nohrt" => serve(listener, app).header_read_timeout(None).await.unwrap(),
            "serve-none" => serve(listener, app)
                .header_read_timeout(None)
                .idle_timeout(None)
                .max_connections(None)
                .await
                .unwrap(),
            bare => {
                let mut builder = Builder::new(TokioExecutor::new());
                if bare == "bare-hrt" {
                    builder
                        .http1()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30));
                }
                let builder = Arc::new(builder);
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let builder = Arc::clone(&builder);
                    let service = TowerToHyperService::new(app.clone());
                    tokio::spawn(async move {
                        let _ = builder
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
    });
}
RUST
echo "== building (release, lto = fat)" >&2
(cd "$work/crate" && CARGO_TARGET_DIR="$work/target" cargo build --release -q)
bin="$work/target/release/serve-cost"

count() { # mode scenario n -> total instructions
  local port=$((19300 + RANDOM % 500)) out="$work/cg.out" path=/ urls=()
  [ "$2" = B ] && path=/users/42
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "$port" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" -o /dev/null && break; sleep 0.2; done
  for _ in $(seq "$3"); do urls+=("http://127.0.0.1:$port$path"); done
  curl -sf "${urls[@]}" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out"
}

n=1000
echo "| mode | A | B |"
echo "|---|---|---|"
for mode in bare bare-hrt serve serve-nohrt serve-none; do
  row="| $mode |"
  for scenario in A B; do
    one=$(count "$mode" "$scenario" "$n"); two=$(count "$mode" "$scenario" $((2 * n)))
    row="$row $(( (two - one) / n )) |"
  done
  echo "$row"
done

syscalls() { # mode scenario n -> system calls made by the server
  local port=$((19800 + RANDOM % 500)) out="$work/strace.out" path=/ urls=()
  [ "$2" = B ] && path=/users/42
  strace -f -c -o "$out" "$bin" "$1" "$2" "$port" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" -o /dev/null && break; sleep 0.2; done
  for _ in $(seq "$3"); do urls+=("http://127.0.0.1:$port$path"); done
  curl -sf "${urls[@]}" >/dev/null
  pkill -f "serve-cost $1 $2 $port"; wait "$pid" 2>/dev/null || true
  awk '$NF == "total" { print $(NF - 2) }' "$out"
}

echo
echo "| mode | system calls per request, A | B |"
echo "|---|---|---|"
for mode in bare serve; do
  row="| $mode |"
  for scenario in A B; do
    one=$(syscalls "$mode" "$scenario" "$n"); two=$(syscalls "$mode" "$scenario" $((2 * n)))
    row="$row $(awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }') |"
  done
  echo "$row"
done

cpu() { # mode scenario -> "requests user_ticks system_ticks"
  local port=$((20300 + RANDOM % 500)) path=/
  [ "$2" = B ] && path=/users/42
  taskset -c 0 "$bin" "$1" "$2" "$port" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" -o /dev/null && break; sleep 0.05; done
  wrk -t1 -c64 -d1s "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
  local u0 s0 u1 s1 report
  read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
  report=$(taskset -c 1 wrk -t1 -c64 -d4s "http://127.0.0.1:$port$path")
  read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(awk '/requests in/ { print $1 }' <<<"$report") $((u1 - u0)) $((s1 - s0))"
}

echo
echo "| round | mode | scenario | requests | user ticks | system ticks | user share | CPU µs per request |"
echo "|---|---|---|---|---|---|---|---|"
for round in 1 2 3 4; do
  for mode in bare serve; do
    for scenario in A B; do
      read -r requests user system < <(cpu "$mode" "$scenario")
      tick_us=$((1000000 / $(getconf CLK_TCK)))
      awk -v r="$round" -v m="$mode" -v s="$scenario" -v n="$requests" -v u="$user" -v k="$system" -v t="$tick_us" \
        'BEGIN { printf "| %s | %s | %s | %d | %d | %d | %.3f | %.2f |\n", r, m, s, n, u, k, u / (u + k), (u + k) * t / n }'
    done
  done
done
