#!/usr/bin/env bash
# What an HTTP/3 request costs the servers of benches/load/tls.sh's h3 scenario (`h3-bare`:
# quinn + h3 with a task per request, nothing else; `h3-ours`: `silent_tower::serve(..).tls(..)
# .http3(..)` with the router), per request: instructions, L1 data-cache read and write misses
# (cachegrind over the whole server process), and the instructions spent copying memory.
#
# Load: `h3-load`, one QUIC connection with 100 requests in flight, for 3 s and then for 9 s
# (1 s of warm-up each); per request is (count of the 9 s run - count of the 3 s run) / (their
# difference in requests answered), so start-up and the handshake fall out.
#
#   bash benches/profile/h3-cost.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
command -v valgrind >/dev/null || install valgrind

echo "== building the HTTP/3 servers and load (release, lto = fat)" >&2
(cd "$repo/benches/load" && cargo build --release -q --bin tls-cert --bin h3-bare --bin h3-ours --bin h3-load)
bin="$repo/benches/load/target/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/tls-cert" "$work"

# server seconds -> "cachegrind-file answered"
profile() {
  local port=$((25000 + RANDOM % 5000)) out="$work/$1.$2.cg" pid answered
  valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$out" "$bin/h3-$1" "$port" "$work" >/dev/null 2>&1 &
  pid=$!
  sleep 3 # QUIC has no port to probe: time for the server to start under valgrind
  answered=$("$bin/h3-load" "$port" "$work" "$2" 100 1 | awk '/^answered:/ { print $2 }')
  kill -INT "$pid" 2>/dev/null || true
  sleep 1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$out $answered"
}

# file -> "Ir D1mr D1mw" of the whole program
totals() { awk '/^summary:/ { print $2, $6, $9 }' "$1"; }
# file -> own instructions of memcpy
memcpy() {
  cg_annotate --auto=no --threshold=0 "$1" 2>/dev/null |
    awk '/memcpy_avx_unaligned/ { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}

echo "| server | instructions | D1 read misses | D1 write misses | memcpy instructions |"
echo "|---|---|---|---|---|"
for server in bare ours; do
  read -r short n_short <<<"$(profile "$server" 3)"
  read -r long n_long <<<"$(profile "$server" 9)"
  read -r ir1 r1 w1 <<<"$(totals "$short")"
  read -r ir3 r3 w3 <<<"$(totals "$long")"
  n=$((n_long - n_short))
  per() { awk -v a="$1" -v b="$2" -v n="$n" -v d="${3:-0}" 'BEGIN { printf "%.*f", d, (b - a) / n }'; }
  echo "| $server | $(per "$ir1" "$ir3") | $(per "$r1" "$r3" 1) | $(per "$w1" "$w3" 1) \
| $(per "$(memcpy "$short")" "$(memcpy "$long")") |"
done
