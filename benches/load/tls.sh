#!/usr/bin/env bash
# The load test over TLS and HTTP/3: each server in release, on loopback, in alternation.
#
#   bash benches/load/tls.sh                 # 3 rounds of 5 s per server and scenario
#   ROUNDS=5 DURATION=10 bash benches/load/tls.sh
#   SCENARIOS="h3" bash benches/load/tls.sh  # a subset: any of h1 h2 h3
#   TLS_SERVERS="bare ours" SCENARIOS=h2 ROUNDS=30 DURATION=3 bash benches/load/tls.sh
#   H3_SERVERS="bare ours" SCENARIOS=h3 bash benches/load/tls.sh
#
# One app, `GET /` -> `Hello, World!` (scenario A), one certificate for all (self-signed, made
# by `tls-cert` into a temporary directory). Servers:
#   h1, h2 (TLS on TCP): bare (hyper http1/http2 conn over tokio-rustls, as ALPN agreed, onto a
#           `service_fn`), router (the same loop onto silent-tower's router, without `serve`), ours
#           (`silent_tower::serve(..).tls(..)`), axum (axum 0.8 Router on axum-server 0.9 with
#           `tls-rustls-ring`). All on rustls 0.23 with the ring provider.
#   h3 (QUIC): bare (quinn + h3 + h3-quinn, a task per request), router (the same loop onto
#           silent-tower's router, without `serve`), ours (`silent_tower::serve(..).tls(..).http3(..)`).
# Load: h1 `wrk -t1 -c64` over HTTPS; h2 `h2load -t1 -c64 -m10` (ALPN h2); h3 `h3-load`, this
# crate's client: ONE QUIC connection with 100 requests in flight. Each server runs one thread
# (a current-thread tokio runtime) pinned to CPU 0 with taskset; the load generator runs one
# thread pinned to CPU 1. Every run has a 1 s warm-up first. In each round every server runs
# once, in turn (bare, router, ours, axum, bare, …), so drift on a shared machine hits them all
# alike. The table gives each server's per-round ratio to bare (and to the router, for ours),
# with a 95 % bootstrap interval of its median over the rounds: the runs' spread, in one figure.
# The server's CPU use over the run (warm-up included, in cores) is recorded beside each figure:
# near 1.00 the server was the bottleneck, well below it the load generator or the machine was.
# HTTP/3's load generator does about as much work per request as the server, so on one core of
# its own it cannot keep the server busy (the server ran at 0.6 of a core). So that the server
# is the bottleneck, the h3 servers run with a CPU quota of H3_SERVER_CPU of a core (0.5 by
# default; 0 for none), set through the cpu cgroup (v1 or v2) when this machine lets the script
# make one; the CPU column then reads about the quota. The quota is counted over periods of
# 10 ms (the kernel's default is 100 ms), so that a throttled server pauses briefly rather than
# for tens of milliseconds at a time. Without a cgroup the script says so and runs unbounded.
# Writes benches/load/results/tls-raw.tsv and tls-table.md (RESULTS= another directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-5}
scenarios=${SCENARIOS:-h1 h2 h3}
conns=64
h2_streams=10
h3_streams=100
h3_server_cpu=${H3_SERVER_CPU:-0.5}
# The servers of each round, bare first: TLS_SERVERS="bare ours" leaves the router and axum out
# of the h1 and h2 rounds, so that the rounds pair bare and ours closer in time; H3_SERVERS the same
# for h3.
tls_servers=${TLS_SERVERS:-bare router ours axum}
h3_servers=${H3_SERVERS:-bare router ours}

# shellcheck source=lib.sh
. "$here/lib.sh"
need wrk wrk
need h2load nghttp2-client
ulimit -n "$(ulimit -Hn)" || true

echo "== building the servers (release, lto = fat)" >&2
(cd "$here" && cargo build --release -q \
  --bin tls-cert --bin tls-bare --bin tls-router --bin tls-ours --bin tls-axum \
  --bin h3-bare --bin h3-router --bin h3-ours --bin h3-load)
bin="$here/target/release"
out="${RESULTS:-$here/results}"
mkdir -p "$out"
raw="$out/tls-raw.tsv"
: >"$raw"
certs=$(mktemp -d)
trap 'rm -rf "$certs" "$reports"' EXIT
"$bin/tls-cert" "$certs"
port=19080

h3_group=
if [ "$h3_server_cpu" != 0 ] && [[ " $scenarios " == *" h3 "* ]]; then
  h3_group=$(cpu_group silent-tower-load "$h3_server_cpu")
  if [ -z "$h3_group" ]; then
    echo "no cpu cgroup can be made here: the h3 servers run without a quota" >&2
  fi
fi

# Prints "REQ_PER_S<TAB>ERRORS" for one measured run against 127.0.0.1:$2 (after a warm-up).
reports=$(mktemp -d)
load() {
  local scenario=$1 port=$2 report="$reports/report"
  case $scenario in
    h1)
      wrk -t1 -c"$conns" -d1s "https://127.0.0.1:$port/" >/dev/null 2>&1 || true
      taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" "https://127.0.0.1:$port/" >"$report"
      ;;
    h2)
      taskset -c 1 h2load -t1 -c"$conns" -m"$h2_streams" --warm-up-time=1 -D"$duration" \
        "https://127.0.0.1:$port/" >"$report"
      ;;
    h3)
      taskset -c 1 "$bin/h3-load" "$port" "$certs" "$duration" "$h3_streams" 1 >"$report"
      ;;
  esac
  read_report "$scenario" "$report"
}

for scenario in $scenarios; do
  if [ "$scenario" = h3 ]; then read -ra servers <<<"$h3_servers"; kind=h3; else read -ra servers <<<"$tls_servers"; kind=tls; fi
  for round in $(seq "$rounds"); do
    for server in "${servers[@]}"; do
      port=$((port + 1))
      taskset -c 0 "$bin/$kind-$server" "$port" "$certs" >/dev/null 2>&1 &
      pid=$!
      if [ "$kind" = h3 ] && [ -n "$h3_group" ]; then echo "$pid" >"$h3_group"; fi
      if [ "$kind" = h3 ]; then sleep 0.5; else wait_port "$port"; fi
      ticks=$(cpu_ticks "$pid")
      started=$(date +%s.%N)
      result=$(load "$scenario" "$port")
      cpu=$(awk -v t0="$ticks" -v t1="$(cpu_ticks "$pid")" -v hz="$(getconf CLK_TCK)" \
        -v s0="$started" -v s1="$(date +%s.%N)" 'BEGIN { printf "%.2f", (t1 - t0) / hz / (s1 - s0) }')
      kill "$pid"; wait "$pid" 2>/dev/null || true
      IFS=$'\t' read -r rps errors <<<"$result"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$round" "$server" "$rps" "$cpu" "${errors:-}" >>"$raw"
      echo "$scenario round $round $server: $rps req/s, server CPU $cpu ${errors:-}" >&2
    done
  done
done

PYTHONPATH="$here" python3 - "$raw" "$out" <<'PY'
import statistics, sys
from stats import cell, read_rows
raw, out = sys.argv[1], sys.argv[2]
rows = read_rows(raw)

table = ["| scenario | server | req/s (median) | ratio to bare (medians) | per-round ratio to bare: median [95 % interval] (range) | per-round ratio to router | server CPU (median) | rounds (req/s) |",
         "|---|---|---|---|---|---|---|---|"]
for scenario in dict.fromkeys(r[0] for r in rows):
    sel = [r for r in rows if r[0] == scenario]
    servers = list(dict.fromkeys(r[2] for r in sel))
    rps = {(r[1], r[2]): float(r[3]) for r in sel}
    rounds = list(dict.fromkeys(r[1] for r in sel))
    base = statistics.median(rps[k, "bare"] for k in rounds)
    for server in servers:
        each = [rps[k, server] for k in rounds]
        ratios = [rps[k, server] / rps[k, "bare"] for k in rounds]
        to_router = (cell([rps[k, server] / rps[k, "router"] for k in rounds])
                     if "router" in servers and server not in ("bare", "router") else "")
        cpu = statistics.median(float(r[4]) for r in sel if r[2] == server)
        errs = "; ".join(sorted({r[5].strip() for r in sel if r[2] == server and len(r) > 5 and r[5].strip()}))
        table.append(f"| {scenario} | {server} | {statistics.median(each):,.0f} | {statistics.median(each) / base:.2f} | "
                     f"{cell(ratios) if server != 'bare' else ''} | {to_router} | {cpu:.2f} | "
                     f"{', '.join(f'{v:,.0f}' for v in each)}{' ⚠ ' + errs if errs else ''} |")
open(f"{out}/tls-table.md", "w").write("\n".join(table) + "\n")
print("\n".join(table))
PY
