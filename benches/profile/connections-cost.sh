#!/usr/bin/env bash
# What a request costs a server holding many connections, in instructions and first-level cache
# misses (valgrind's cachegrind with its cache simulation, over the whole server process), for
# the load test's servers (benches/load): bare hyper-util, our router on hyper-util's accept
# loop, and `serve`. Scenario D of benches/load/run.sh is `GET /` over 1 000 connections; there
# the per-connection state (hyper's connection, the response future, `serve`'s records) no
# longer stays in the cache between two requests on the same connection, which a profile over
# one keep-alive connection (benches/profile/serve-cost.sh) cannot show.
#
# Each server runs under cachegrind while `wrk -t1 -cCONNS` drives it for SHORT and then LONG
# seconds; per request is (count for the long run - count for the short) / (its requests -
# the short run's), so start-up and the connections' opening fall out.
#
#   bash benches/profile/connections-cost.sh                    # D: GET / over 1 000 connections
#   CONNS=64 bash benches/profile/connections-cost.sh           # A's 64 connections
#   SCENARIO=B SERVERS="ours-hyper-util ours" bash benches/profile/connections-cost.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v valgrind >/dev/null || install valgrind
command -v wrk >/dev/null || install wrk
ulimit -n "$(ulimit -Hn)" || true
read -r -a servers <<<"${SERVERS:-hyper-util ours-hyper-util ours}"
scenario=${SCENARIO:-A}
conns=${CONNS:-1000}
short=${SHORT:-3}
long=${LONG:-9}
path=/
[ "$scenario" = B ] && path="/users/42?fields=name,email"

echo "== building the load test's servers (release, lto = fat)" >&2
(cd "$repo/benches/load" && cargo build --release -q --bins)
bin="$repo/benches/load/target/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cachegrind file -> "Ir D1mw" of memcpy's own code (how much copying, and into cold memory)
memcpy() {
  cg_annotate --show=Ir,D1mw --show-percs=no --threshold=0 --auto=no "$1" 2>/dev/null |
    awk '/memcpy_avx_unaligned/ { gsub(",", "", $1); gsub(",", "", $2); ir += $1; w += $2 }
         END { print ir + 0, w + 0 }'
}

# server seconds -> "requests Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw memcpyIr memcpyD1mw"
run() {
  local port=$((20000 + RANDOM % 5000)) out="$work/cg.out" pid report
  valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$out" \
    "$bin/server-$1" "$scenario" "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
  report=$(wrk -t1 -c"$conns" -d"$2"s --timeout 60s "http://127.0.0.1:$port$path")
  kill -INT "$pid" 2>/dev/null || true
  sleep 0.5
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$(awk '/requests in/ { print $1 }' <<<"$report") $(sed -n 's/^summary: //p' "$out") $(memcpy "$out")"
}

echo "scenario $scenario, $conns connections, per request:"
echo "| server | instructions | I1 misses | D1 read misses | D1 write misses | memcpy: instructions | memcpy: D1 write misses |"
echo "|---|---|---|---|---|---|---|"
for server in "${servers[@]}"; do
  read -r -a a <<<"$(run "$server" "$short")"
  read -r -a b <<<"$(run "$server" "$long")"
  awk -v s="$server" -v n=$((b[0] - a[0])) \
    -v ir=$((b[1] - a[1])) -v i1=$((b[2] - a[2])) -v d1r=$((b[5] - a[5])) -v d1w=$((b[8] - a[8])) \
    -v mir=$((b[10] - a[10])) -v mw=$((b[11] - a[11])) \
    'BEGIN { printf "| %s | %.0f | %.1f | %.1f | %.1f | %.0f | %.1f |\n", s, ir / n, i1 / n, d1r / n, d1w / n, mir / n, mw / n }'
done
