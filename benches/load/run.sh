#!/usr/bin/env bash
# The load test: every peer's server in release, driven by wrk on loopback, in alternation.
#
#   bash benches/load/run.sh            # 3 rounds of 3 s per server and scenario
#   ROUNDS=5 DURATION=5 bash benches/load/run.sh
#
# Servers: bare hyper (http1 + service_fn), ours (silent_tower::serve), axum 0.8 (axum::serve),
# silent 2.16 (its Server), actix-web 4 (one worker). Each runs one thread, pinned to CPU 0 with
# taskset; wrk runs one thread pinned to CPU 1. Scenarios: A `GET /` (64 connections), B
# `GET /users/42?fields=name,email` (64), C-static and C-param, ten nested routers (64), D = A with
# 1000 connections. In each round every server runs once, in turn (hyper, ours, axum, silent,
# actix, hyper, …), so drift on a shared machine hits them all alike; the table gives the median
# over rounds and the ratio of medians to bare hyper. Writes results to benches/load/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-3}
# SERVERS and SCENARIOS pick a subset, e.g. SERVERS="hyper-util ours-hyper-util ours axum"
# SCENARIOS="A B D" (`hyper-util`: bare hyper-util's accept loop onto bare hyper's service;
# `ours-hyper-util`: our router on that loop, without `serve`).
read -r -a servers <<<"${SERVERS:-hyper ours axum silent actix}"
scenarios=" ${SCENARIOS:-A B C-static C-param D} "
# name  app-scenario  path  connections
plan=(
  "A A / 64"
  "B B /users/42?fields=name,email 64"
  "C-static C-static /l0/l1/l2/l3/l4/l5/l6/l7/l8/l9 64"
  "C-param C-param /v0/v1/v2/v3/v4/v5/v6/v7/v8/v9 64"
  "D A / 1000"
)

# shellcheck source=lib.sh
. "$here/lib.sh"
need wrk wrk
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ -z "${CHART_FONT:-}" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null || true
fi
ulimit -n "$(ulimit -Hn)" || true

echo "== building the servers (release, lto = fat)" >&2
(cd "$here" && cargo build --release -q --bins)
bin="$here/target/release"
out="${RESULTS:-$here/results}"
mkdir -p "$out"
raw="$out/raw.tsv"
: >"$raw"
port=18080

to_us() { # 1.23ms -> 1230
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000; else m = 1
    printf "%.0f", n * m }'
}

for entry in "${plan[@]}"; do
  read -r name app path conns <<<"$entry"
  [[ "$scenarios" == *" $name "* ]] || continue
  for round in $(seq "$rounds"); do
    for server in "${servers[@]}"; do
      port=$((port + 1))
      taskset -c 0 "$bin/server-$server" "$app" "$port" >/dev/null 2>&1 &
      pid=$!
      wait_port "$port"
      wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true # warm-up
      report=$(taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$port$path")
      kill "$pid"; wait "$pid" 2>/dev/null || true
      rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$report")
      p50=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$report")")
      p99=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$report")")
      errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$report" | tr '\n' ' ')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$server" "$rps" "$p50" "$p99" "$errors" >>"$raw"
      echo "$name round $round $server: $rps req/s p50 ${p50}us p99 ${p99}us $errors" >&2
    done
  done
done

PYTHONPATH="$here" python3 - "$raw" "$out" "${servers[@]}" <<'PY'
import statistics, sys
from stats import cell, read_rows
raw, out, servers = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = read_rows(raw)
scenarios = list(dict.fromkeys(r[0] for r in rows))
med = {}
for scenario in scenarios:
    for server in servers:
        sel = [r for r in rows if r[0] == scenario and r[2] == server]
        med[scenario, server] = tuple(statistics.median(float(r[i]) for r in sel) for i in (3, 4, 5))
first = servers[0]
# `serve` against the same router on hyper-util's loop, when both ran: what `serve` adds.
router = "ours-hyper-util" if "ours-hyper-util" in servers else None
table = [f"| scenario | server | req/s (median) | ratio to {first} (medians) | per-round ratio to {first}: median [95 % interval] (range) | per-round ratio to {router} | p50 | p99 | rounds (req/s) |", "|---|---|---|---|---|---|---|---|---|"]
chart = []
for scenario in scenarios:
    base = med[scenario, first][0]
    for server in servers:
        rps, p50, p99 = med[scenario, server]
        # A server against the first one of the same round: both saw nearly the same machine.
        firsts = {r[1]: float(r[3]) for r in rows if r[0] == scenario and r[2] == first}
        per_round = sorted(float(r[3]) / firsts[r[1]] for r in rows if r[0] == scenario and r[2] == server and firsts.get(r[1]))
        routers = {r[1]: float(r[3]) for r in rows if r[0] == scenario and r[2] == router}
        to_router = [float(r[3]) / routers[r[1]] for r in rows if r[0] == scenario and r[2] == server and routers.get(r[1])]
        each = ", ".join(f"{float(r[3]):,.0f}" for r in rows if r[0] == scenario and r[2] == server)
        errs = "; ".join(sorted({r[6].strip() for r in rows if r[0] == scenario and r[2] == server and len(r) > 6 and r[6].strip()}))
        table.append(f"| {scenario} | {server} | {rps:,.0f} | {rps / base:.3f} | {cell(per_round) if server != first else ''} | {cell(to_router) if router and server == 'ours' else ''} | {p50 / 1000:.2f} ms | {p99 / 1000:.2f} ms | {each}{' ⚠ ' + errs if errs else ''} |")
        chart.append(f"{scenario}\t{server}\t{rps / base:.4f}")
open(f"{out}/table.md", "w").write("\n".join(table) + "\n")
open(f"{out}/ratios.tsv", "w").write("\n".join(chart) + "\n")
print("\n".join(table))
PY
"$bin/chart" "$out/ratios.tsv" "$out/ratios.png" && echo "chart: $out/ratios.png" >&2 || echo "no chart (see above)" >&2
