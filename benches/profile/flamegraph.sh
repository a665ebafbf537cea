#!/usr/bin/env bash
# A flamegraph of our server under load: perf samples (the cpu-clock software event, which works
# where hardware counters do not, as on this project's VMs) of `server-ours A` while wrk drives
# it, folded and drawn by inferno (`cargo install inferno`). Writes benches/profile/flamegraph.svg.
# The server is benches/load's server-ours built on silent-tower alone (see server-crate.sh), in
# release with fat LTO and line tables for the stacks.
#
#   bash benches/profile/flamegraph.sh [SCENARIO PATH]      (default: A /)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/server-crate.sh"
scenario=${1:-A}
path=${2:-/}
command -v perf >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v inferno-flamegraph >/dev/null || cargo install -q inferno
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
server_crate "$work/crate"
(cd "$work/crate" && CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR="$work/target" cargo build --release -q)
taskset -c 0 "$work/target/release/server-ours" "$scenario" 19500 &
pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/19500) 2>/dev/null && break; sleep 0.05; done
perf record -e cpu-clock -F 1999 -g --call-graph dwarf,16384 -p "$pid" -o "$work/perf.data" -- sleep 6 2>/dev/null &
recorder=$!
sleep 0.5
taskset -c 1 wrk -t1 -c64 -d5s "http://127.0.0.1:19500$path"
wait "$recorder" || true
kill "$pid"; wait "$pid" 2>/dev/null || true
perf script -i "$work/perf.data" 2>/dev/null | inferno-collapse-perf >"$work/folded"
inferno-flamegraph --minwidth "${MINWIDTH:-0.2}" --title "server-ours, scenario $scenario, wrk -c64" <"$work/folded" >"$here/flamegraph.svg"
echo "wrote $here/flamegraph.svg" >&2
