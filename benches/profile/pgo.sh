#!/usr/bin/env bash
# PGO and LTO, measured: builds our load server four ways — release (lto = fat), release with
# LTO off, and profile-guided (trained on a wrk run of scenarios A and B) — then drives them in
# alternation with wrk like benches/load/run.sh and prints req/s medians and ratios.
#
#   bash benches/profile/pgo.sh            (ROUNDS=3 DURATION=3 by default)
#
# Needs llvm-profdata of rustc's LLVM major version (rustc 1.95: LLVM 22, Debian's llvm-22).
set -euo pipefail
here=$(cd "$(dirname "$0")/../load" && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-3}
llvm_major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
profdata=/usr/lib/llvm-$llvm_major/bin/llvm-profdata
if [ ! -x "$profdata" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "llvm-$llvm_major" >/dev/null
fi
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bins="$work/bins"; mkdir -p "$bins"

build() { # name, then env assignments
  local name=$1; shift
  (cd "$here" && env "$@" CARGO_TARGET_DIR="$work/target-$name" cargo build --release -q --bin server-ours)
  cp "$work/target-$name/release/server-ours" "$bins/$name"
}

load() { # binary port path seconds -> req/s
  taskset -c 0 "$1" "$5" "$2" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$2") 2>/dev/null && break; sleep 0.05; done
  taskset -c 1 wrk -t1 -c64 -d"$4"s "http://127.0.0.1:$2$3" | awk '/^Requests\/sec:/ { print $2 }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "== building: fat LTO, no LTO, instrumented" >&2
build fat
build nolto CARGO_PROFILE_RELEASE_LTO=off
build instrumented RUSTFLAGS="-Cprofile-generate=$work/pgo-raw"
echo "== training on A and B" >&2
load "$bins/instrumented" 19001 / 5 A >/dev/null
load "$bins/instrumented" 19002 "/users/42?fields=name,email" 5 B >/dev/null
"$profdata" merge -o "$work/merged.profdata" "$work/pgo-raw"
build pgo RUSTFLAGS="-Cprofile-use=$work/merged.profdata -Cllvm-args=-pgo-warn-missing-function"

port=19100
echo "| scenario | build | req/s (median of $rounds × ${duration} s) | ratio to fat LTO | rounds |"
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
  base=$(tr ' ' '\n' <<<"${runs[fat]}" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  for build in fat nolto pgo; do
    median=$(tr ' ' '\n' <<<"${runs[$build]}" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    printf '| %s | %s | %.0f | %.3f | %s |\n' "$name" "$build" "$median" "$(echo "$median / $base" | bc -l)" "${runs[$build]}"
  done
  unset runs
done
