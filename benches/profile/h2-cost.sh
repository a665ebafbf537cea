#!/usr/bin/env bash
# What an HTTP/2 request over TLS costs the servers of benches/load/tls.sh (`tls-bare`: hyper's
# http2 connection over tokio-rustls onto a `service_fn`; `tls-ours`: `silent_tower::serve(..)
# .tls(..)` with the router), in instructions (callgrind over the whole server process), and
# the three places where most of the difference between them is: copying memory, allocating
# the task hyper spawns for each HTTP/2 stream (tokio aligns a task to 128 bytes, so glibc's
# `posix_memalign`), and glibc consolidating its free lists for allocations of 1 KiB and more.
#
# Load: `h2load -t1 -c64 -m10 -nN` (as tls.sh, but a count of requests instead of a duration);
# per request is (count for 3N requests - count for N) / 2N, so the handshakes fall out.
#
#   bash benches/profile/h2-cost.sh            # N = 10 000
#   N=5000 bash benches/profile/h2-cost.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v valgrind >/dev/null || install valgrind
command -v h2load >/dev/null || install nghttp2-client
n=${N:-10000}

echo "== building the TLS servers (release, lto = fat)" >&2
(cd "$repo/benches/load" && cargo build --release -q --bin tls-cert --bin tls-bare --bin tls-ours)
bin="$repo/benches/load/target/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/tls-cert" "$work"

# server requests -> callgrind output file
profile() {
  local port=$((25000 + RANDOM % 5000)) out="$work/$1.$2.out" pid
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin/tls-$1" "$port" "$work" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
  h2load -t1 -c64 -m10 -n"$2" "https://127.0.0.1:$port/" | grep -q "$2 succeeded"
  kill -INT "$pid" 2>/dev/null || true
  sleep 1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$out"
}

total() { sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$1"; }
# file function-pattern -> inclusive instructions of the functions matching
inclusive() {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
    awk -v f="$2" '$0 ~ f { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
# file function-pattern -> own instructions of the functions matching
own() {
  callgrind_annotate "$1" 2>/dev/null | awk -v f="$2" '$0 ~ f { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}

echo "| server | instructions | memcpy | posix_memalign (inclusive) | malloc_consolidate |"
echo "|---|---|---|---|---|"
for server in bare ours; do
  one=$(profile "$server" "$n")
  three=$(profile "$server" $((3 * n)))
  per() { awk -v a="$1" -v b="$2" -v n=$((2 * n)) 'BEGIN { printf "%.0f", (b - a) / n }'; }
  echo "| $server | $(per "$(total "$one")" "$(total "$three")") \
| $(per "$(own "$one" "memcpy_avx_unaligned")" "$(own "$three" "memcpy_avx_unaligned")") \
| $(per "$(inclusive "$one" "malloc.c:posix_memalign")" "$(inclusive "$three" "malloc.c:posix_memalign")") \
| $(per "$(own "$one" "malloc_consolidate")" "$(own "$three" "malloc_consolidate")") |"
done
