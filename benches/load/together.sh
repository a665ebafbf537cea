#!/usr/bin/env bash
# Two servers at once on one core: the load test that tells a few per cent apart on a shared
# machine.
#
#   bash benches/load/together.sh            # every scenario; pairs bare:ours router:ours bare:router bare:axum
#   PAIRS="bare:ours" SCENARIOS="h2" ROUNDS=10 bash benches/load/together.sh
#   PAIRS="bare:bare" SCENARIOS=h2 bash benches/load/together.sh   # the method against itself
#
# run.sh and tls.sh run one server at a time and alternate them: a round of one server and the
# next server's round see a different machine, and on a shared one the rounds of a single server
# spread by ±10–20 %, more than the 3 % to resolve. Here both servers of a pair run in the same
# seconds, pinned to the same core (CPU 0), each driven to saturation by a load generator of its
# own (both on CPU 1). The two servers run in one cpu cgroup held to SERVER_CPU of a core (0.5 by
# default: a quarter each, where each load generator has half of CPU 1 — on loopback the sender
# pays much of the kernel's work, and wrk held the servers to less than half a core each), so that
# the servers and not the generators set the pace; the scheduler shares the quota between them evenly (the CPU column
# shows it), so the ratio of their throughputs is the ratio of what a request costs each, and
# whatever else the machine does hits both alike. Where one server still gets more of the core
# than the other (its load generator kept it busier), the ratio to read is the first column's:
# requests per second of the server's CPU time (the scheduler's count, `/proc/PID/schedstat`),
# what a request costs each. SERVER_CPU=0 runs them without a quota. Each round
# starts the two servers and their load generators in the opposite order to the round before.
#
# Pairs are `A:B`, the ratio is B / A; a pair with a server a scenario has not (axum on h3) is
# left out. Names per scenario:
#   A, B, D (HTTP/1 in the clear; `server-NAME`): hyper-util (bare hyper's `service_fn` on
#     hyper-util's accept loop), router (our router on that loop: `ours-hyper-util`), ours
#     (`silent_tower::serve`), axum. Load: `wrk -t1 -c64` (D: `-c1000`).
#   h1, h2 (TLS; `tls-NAME`): bare (hyper's own builders, a `service_fn`), hyper-util
#     (hyper-util's `auto` builder), router (our router on bare's loop), ours, axum.
#     Load: `wrk -t1 -c64`, `h2load -t1 -c64 -m10`.
#   h3 (QUIC; `h3-NAME`): bare, router, ours. Load: `h3-load`, one connection, 100 streams.
# In a pair named bare:ours on A, B or D, `bare` means hyper-util; `router` is
# ours-hyper-util there. Every run has a 1 s warm-up first. Writes
# benches/load/results/together-raw.tsv and together-table.md (RESULTS= another directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${ROUNDS:-6}
duration=${DURATION:-5}
scenarios=${SCENARIOS:-A B D h1 h2 h3}
read -r -a pairs <<<"${PAIRS:-bare:ours router:ours bare:router bare:axum}"
server_cpu=${SERVER_CPU:-0.5}

# shellcheck source=lib.sh
. "$here/lib.sh"
need wrk wrk
need h2load nghttp2-client
ulimit -n "$(ulimit -Hn)" || true

echo "== building the servers (release, lto = fat)" >&2
(cd "$here" && cargo build --release -q --bins)
bin="$here/target/release"
out="${RESULTS:-$here/results}"
mkdir -p "$out"
raw="$out/together-raw.tsv"
: >"$raw"
certs=$(mktemp -d)
trap 'rm -rf "$certs"' EXIT
"$bin/tls-cert" "$certs"
port=20080

# The binary and arguments of server $2 in scenario $1, listening on port $3.
server_command() {
  local scenario=$1 name=$2 port=$3
  case $scenario in
    A | B | D)
      case $name in bare) name=hyper-util ;; router) name=ours-hyper-util ;; esac
      local app=$scenario
      [ "$scenario" = D ] && app=A
      echo "$bin/server-$name $app $port"
      ;;
    h1 | h2) echo "$bin/tls-$name $port $certs" ;;
    h3) echo "$bin/h3-$name $port $certs" ;;
  esac
}

# Drives port $2 in scenario $1 for the run's duration, after a warm-up; writes the report to $3.
drive() {
  local scenario=$1 port=$2 report=$3
  case $scenario in
    A | D)
      local conns=64
      [ "$scenario" = D ] && conns=1000
      taskset -c 1 wrk -t1 -c"$conns" -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
      taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" "http://127.0.0.1:$port/" >"$report"
      ;;
    B)
      local url="http://127.0.0.1:$port/users/42?fields=name,email"
      taskset -c 1 wrk -t1 -c64 -d1s "$url" >/dev/null 2>&1 || true
      taskset -c 1 wrk -t1 -c64 -d"${duration}s" "$url" >"$report"
      ;;
    h1)
      taskset -c 1 wrk -t1 -c64 -d1s "https://127.0.0.1:$port/" >/dev/null 2>&1 || true
      taskset -c 1 wrk -t1 -c64 -d"${duration}s" "https://127.0.0.1:$port/" >"$report"
      ;;
    h2)
      taskset -c 1 h2load -t1 -c64 -m10 --warm-up-time=1 -D"$duration" "https://127.0.0.1:$port/" >"$report"
      ;;
    h3)
      taskset -c 1 "$bin/h3-load" "$port" "$certs" 1 100 1 >/dev/null 2>&1 || true
      taskset -c 1 "$bin/h3-load" "$port" "$certs" "$duration" 100 1 >"$report"
      ;;
  esac
}

reports=$(mktemp -d)
for scenario in $scenarios; do
  share=$server_cpu
  group=
  if [ "$share" != 0 ]; then
    group=$(cpu_group silent-tower-together "$share")
    [ -n "$group" ] || echo "no cpu cgroup can be made here: the servers run without a quota" >&2
  fi
  for pair in "${pairs[@]}"; do
    first=${pair%%:*}
    second=${pair##*:}
    missing=
    for name in "$first" "$second"; do
      read -r binary _ <<<"$(server_command "$scenario" "$name" 0)"
      [ -x "$binary" ] || missing=$binary
    done
    if [ -n "$missing" ]; then
      echo "$scenario $pair: no $missing, left out" >&2
      continue
    fi
    for round in $(seq "$rounds"); do
      # Even rounds start the second server and its load first.
      order=(first second)
      [ $((round % 2)) = 0 ] && order=(second first)
      declare -A pid=() ports=() ticks=()
      for side in "${order[@]}"; do
        port=$((port + 1))
        ports[$side]=$port
        name=${!side}
        # shellcheck disable=SC2046
        taskset -c 0 $(server_command "$scenario" "$name" "$port") >/dev/null 2>&1 &
        pid[$side]=$!
        if [ -n "$group" ]; then echo "${pid[$side]}" >"$group"; fi
      done
      for side in "${order[@]}"; do
        if [ "$scenario" = h3 ]; then sleep 0.5; else wait_port "${ports[$side]}"; fi
      done
      for side in "${order[@]}"; do ticks[$side]=$(cpu_ns "${pid[$side]}"); done
      started=$(date +%s.%N)
      loads=()
      for side in "${order[@]}"; do
        drive "$scenario" "${ports[$side]}" "$reports/$side" &
        loads+=($!)
      done
      wait "${loads[@]}"
      ended=$(date +%s.%N)
      for side in first second; do
        cpu=$(awk -v t0="${ticks[$side]}" -v t1="$(cpu_ns "${pid[$side]}")" \
          -v s0="$started" -v s1="$ended" 'BEGIN { printf "%.4f", (t1 - t0) / 1e9 / (s1 - s0) }')
        kill "${pid[$side]}"
        wait "${pid[$side]}" 2>/dev/null || true
        IFS=$'\t' read -r rps errors <<<"$(read_report "$scenario" "$reports/$side")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$pair" "$round" "$side" "$rps" "$cpu" "${errors:-}" >>"$raw"
        echo "$scenario $pair round $round ${!side}: $rps req/s, server CPU $cpu ${errors:-}" >&2
      done
      unset pid ports ticks
    done
  done
done
rm -rf "$reports"

PYTHONPATH="$here" python3 - "$raw" "$out" <<'PY'
import statistics, sys
from stats import cell, read_rows
raw, out = sys.argv[1], sys.argv[2]
rows = read_rows(raw)
table = ["| scenario | pair A:B | requests per CPU second, B / A per round: median [95 % interval] (range) | req/s, B / A per round | rounds | req/s A, B (medians) | server CPU A, B (medians) |",
         "|---|---|---|---|---|---|---|"]
for scenario in dict.fromkeys(r[0] for r in rows):
    for pair in dict.fromkeys(r[1] for r in rows if r[0] == scenario):
        sel = [r for r in rows if r[0] == scenario and r[1] == pair]
        rps = {(r[2], r[3]): float(r[4]) for r in sel}
        cpu = {(r[2], r[3]): float(r[5]) for r in sel}
        rounds = list(dict.fromkeys(r[2] for r in sel))
        ratios = [rps[k, "second"] / rps[k, "first"] for k in rounds]
        # What a request costs each, whatever share of the core each got.
        efficiency = [(rps[k, "second"] / cpu[k, "second"]) / (rps[k, "first"] / cpu[k, "first"]) for k in rounds]
        errs = "; ".join(sorted({r[6].strip() for r in sel if len(r) > 6 and r[6].strip()}))
        table.append(f"| {scenario} | {pair} | {cell(efficiency)} | {cell(ratios)} | {len(rounds)} | "
                     f"{statistics.median(rps[k, 'first'] for k in rounds):,.0f}, {statistics.median(rps[k, 'second'] for k in rounds):,.0f} | "
                     f"{statistics.median(cpu[k, 'first'] for k in rounds):.3f}, {statistics.median(cpu[k, 'second'] for k in rounds):.3f}"
                     f"{' ⚠ ' + errs if errs else ''} |")
open(f"{out}/together-table.md", "w").write("\n".join(table) + "\n")
print("\n".join(table))
PY
