#!/usr/bin/env bash
# PGO and LTO, measured: builds our load server (benches/load's server-ours, see server-crate.sh)
# three ways — release (lto = fat), release with LTO off, and profile-guided on top of fat LTO
# (trained on a wrk run of scenarios A and B) — then
#   1. counts instructions per HTTP request in each (callgrind over the whole server process,
#      driven by curl over one keep-alive connection: (count for 2N requests - count for N) / N,
#      so start-up and the connection cancel out), and
#   2. drives them in alternation with wrk like benches/load/run.sh and prints req/s medians.
#
#   bash benches/profile/pgo.sh            (ROUNDS=5 DURATION=3 by default)
#
# Needs llvm-profdata of rustc's LLVM major version (rustc 1.95: LLVM 22, Debian's llvm-22).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/server-crate.sh"
rounds=${ROUNDS:-5}
duration=${DURATION:-3}
llvm_major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
profdata=/usr/lib/llvm-$llvm_major/bin/llvm-profdata
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
[ -x "$profdata" ] || install "llvm-$llvm_major"
command -v wrk >/dev/null || install wrk
command -v curl >/dev/null || install curl
command -v valgrind >/dev/null || install valgrind
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
server_crate "$work/crate"
bins="$work/bins"; mkdir -p "$bins"

build() { # name, then env assignments
  local name=$1; shift
  (cd "$work/crate" && env "$@" CARGO_TARGET_DIR="$work/target-$name" cargo build --release -q)
  cp "$work/target-$name/release/server-ours" "$bins/$name"
}

wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

load() { # binary port path seconds scenario -> req/s
  taskset -c 0 "$1" "$5" "$2" >/dev/null 2>&1 &
  local pid=$!
  wait_port "$2"
  taskset -c 1 wrk -t1 -c64 -d"$4"s "http://127.0.0.1:$2$3" | awk '/^Requests\/sec:/ { print $2 }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

icount() { # binary port path scenario requests -> instructions in the whole server process
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1" "$4" "$2" >/dev/null 2>"$work/cg.log" &
  local pid=$!
  wait_port "$2"
  local urls=(); for _ in $(seq "$5"); do urls+=("http://127.0.0.1:$2$3"); done
  curl -sf "${urls[@]}" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$work/cg.out"
}

echo "== building: fat LTO, no LTO, instrumented" >&2
build fat
build nolto CARGO_PROFILE_RELEASE_LTO=off
build instrumented RUSTFLAGS="-Cprofile-generate=$work/pgo-raw"
echo "== training on A and B" >&2
load "$bins/instrumented" 19001 / 5 A >/dev/null
load "$bins/instrumented" 19002 "/users/42?fields=name,email" 5 B >/dev/null
"$profdata" merge -o "$work/merged.profdata" "$work/pgo-raw"
build pgo RUSTFLAGS="-Cprofile-use=$work/merged.profdata"
ls -l "$bins" >&2 # sizes

n=1000
port=19100
echo "Instructions per request (callgrind, whole server process, N = $n):"
echo
echo "| scenario | build | instructions / request | ratio to fat LTO |"
echo "|---|---|---|---|"
for scenario in "A /" "B /users/42?fields=name,email"; do
  read -r name path <<<"$scenario"
  base=
  for build in fat nolto pgo; do
    port=$((port + 1)); one=$(icount "$bins/$build" "$port" "$path" "$name" "$n")
    port=$((port + 1)); two=$(icount "$bins/$build" "$port" "$path" "$name" $((2 * n)))
    per=$(( (two - one) / n ))
    [ -n "$base" ] || base=$per
    printf '| %s | %s | %s | %.3f |\n' "$name" "$build" "$per" "$(echo "$per / $base" | bc -l)"
  done
done

echo
echo "wrk -t1 -c64, server on CPU 0, wrk on CPU 1, builds in alternation ($rounds rounds × $duration s):"
echo
echo "| scenario | build | req/s (median) | ratio to fat LTO | rounds |"
echo "|---|---|---|---|---|"
for scenario in "A /" "B /users/42?fields=name,email"; do
  read -r name path <<<"$scenario"
  declare -A runs=()
  for round in $(seq "$rounds"); do
    for build in fat nolto pgo; do
      port=$((port + 1))
      runs[$build]+="$(load "$bins/$build" "$port" "$path" "$duration" "$name") "
    done
  done
  median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  base=$(median "${runs[fat]}")
  for build in fat nolto pgo; do
    m=$(median "${runs[$build]}")
    printf '| %s | %s | %.0f | %.3f | %s |\n' "$name" "$build" "$m" "$(echo "$m / $base" | bc -l)" "${runs[$build]% }"
  done
  unset runs
done
