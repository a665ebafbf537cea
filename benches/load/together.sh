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
# own (both on CPU 1). The kernel's scheduler shares the core between the two servers evenly
# (the CPU column shows it: each gets half), so the ratio of their throughputs is the ratio of
# what a request costs each, and whatever else the machine does hits both alike. Each round
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
#     Its load generator does about the server's work per request, so both h3 servers run in one
#     cpu cgroup held to H3_SERVER_CPU of a core (0.5 by default: a quarter each) when this
#     machine lets the script make one; the servers, not the generators, then set the pace.
# In a pair named bare:ours on A, B or D, `bare` means hyper-util; `router` is
# ours-hyper-util there. Every run has a 1 s warm-up first. Writes
# benches/load/results/together-raw.tsv and together-table.md (RESULTS= another directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${ROUNDS:-6}
duration=${DURATION:-5}
scenarios=${SCENARIOS:-A B D h1 h2 h3}
read -r -a pairs <<<"${PAIRS:-bare:ours router:ours bare:router bare:axum}"
h3_server_cpu=${H3_SERVER_CPU:-0.5}

need() { # command, Debian package
  command -v "$1" >/dev/null && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
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
group_dir=
cleanup() {
  rm -rf "$certs"
  if [ -n "$group_dir" ]; then rmdir "$group_dir" 2>/dev/null || true; fi
}
trap cleanup EXIT
"$bin/tls-cert" "$certs"
port=20080

# A cpu cgroup that holds its processes to $1 of a core, over 10 ms periods; prints the file to
# write a pid into, or nothing when none can be made here.
quota_group() {
  local quota period=10000
  quota=$(awk -v s="$1" -v p="$period" 'BEGIN { printf "%d", s * p }')
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    group_dir=/sys/fs/cgroup/silent-tower-together
    mkdir -p "$group_dir" 2>/dev/null && echo "$quota $period" >"$group_dir/cpu.max" 2>/dev/null &&
      echo "$group_dir/cgroup.procs"
  elif [ -d /sys/fs/cgroup/cpu ]; then
    group_dir=/sys/fs/cgroup/cpu/silent-tower-together
    mkdir -p "$group_dir" 2>/dev/null && echo "$period" >"$group_dir/cpu.cfs_period_us" 2>/dev/null &&
      echo "$quota" >"$group_dir/cpu.cfs_quota_us" 2>/dev/null && echo "$group_dir/cgroup.procs"
  fi
}
h3_group=
if [ "$h3_server_cpu" != 0 ] && [[ " $scenarios " == *" h3 "* ]]; then
  h3_group=$(quota_group "$h3_server_cpu" || true)
  [ -n "$h3_group" ] || echo "no cpu cgroup can be made here: the h3 servers run without a quota" >&2
fi

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

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

# "REQ_PER_S<TAB>ERRORS" from the report $2 of scenario $1.
read_report() {
  local scenario=$1 report=$2
  case $scenario in
    h2)
      grep -qi 'application protocol: h2' "$report" || { echo "not h2: $(cat "$report")" >&2; return 1; }
      printf '%s\t%s\n' "$(awk '/^finished in/ { print $4 }' "$report")" \
        "$(awk '/^requests:/ && ($10 != 0 || $12 != 0) { print "failed " $10 " errored " $12 }
               /^status codes:/ && ($5 + $7 + $9 != 0) { print "non-2xx " $5 + $7 + $9 }' "$report" | tr '\n' ' ')"
      ;;
    h3)
      printf '%s\t%s\n' "$(awk '/^Requests\/sec:/ { print $2 }' "$report")" \
        "$(awk '/^errors:/ && $2 != 0 { print "errors " $2 }' "$report")"
      ;;
    *)
      printf '%s\t%s\n' "$(awk '/^Requests\/sec:/ { print $2 }' "$report")" \
        "$(awk '/Non-2xx|Socket errors/ { print }' "$report" | tr '\n' ' ')"
      ;;
  esac
}

reports=$(mktemp -d)
for scenario in $scenarios; do
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
        if [ "$scenario" = h3 ] && [ -n "$h3_group" ]; then echo "${pid[$side]}" >"$h3_group"; fi
      done
      for side in "${order[@]}"; do
        if [ "$scenario" = h3 ]; then sleep 0.5; else wait_port "${ports[$side]}"; fi
      done
      for side in "${order[@]}"; do ticks[$side]=$(cpu_ticks "${pid[$side]}"); done
      started=$(date +%s.%N)
      loads=()
      for side in "${order[@]}"; do
        drive "$scenario" "${ports[$side]}" "$reports/$side" &
        loads+=($!)
      done
      wait "${loads[@]}"
      ended=$(date +%s.%N)
      for side in first second; do
        cpu=$(awk -v t0="${ticks[$side]}" -v t1="$(cpu_ticks "${pid[$side]}")" -v hz="$(getconf CLK_TCK)" \
          -v s0="$started" -v s1="$ended" 'BEGIN { printf "%.2f", (t1 - t0) / hz / (s1 - s0) }')
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
from stats import cell
raw, out = sys.argv[1], sys.argv[2]
rows = [line.rstrip("\n").split("\t") for line in open(raw)]
table = ["| scenario | pair A:B | B / A per round: median [95 % interval] (range) | rounds | req/s A, B (medians) | server CPU A, B (medians) |",
         "|---|---|---|---|---|---|"]
for scenario in dict.fromkeys(r[0] for r in rows):
    for pair in dict.fromkeys(r[1] for r in rows if r[0] == scenario):
        sel = [r for r in rows if r[0] == scenario and r[1] == pair]
        rps = {(r[2], r[3]): float(r[4]) for r in sel}
        cpu = {(r[2], r[3]): float(r[5]) for r in sel}
        rounds = list(dict.fromkeys(r[2] for r in sel))
        ratios = [rps[k, "second"] / rps[k, "first"] for k in rounds]
        errs = "; ".join(sorted({r[6].strip() for r in sel if len(r) > 6 and r[6].strip()}))
        table.append(f"| {scenario} | {pair} | {cell(ratios)} | {len(rounds)} | "
                     f"{statistics.median(rps[k, 'first'] for k in rounds):,.0f}, {statistics.median(rps[k, 'second'] for k in rounds):,.0f} | "
                     f"{statistics.median(cpu[k, 'first'] for k in rounds):.2f}, {statistics.median(cpu[k, 'second'] for k in rounds):.2f}"
                     f"{' ⚠ ' + errs if errs else ''} |")
open(f"{out}/together-table.md", "w").write("\n".join(table) + "\n")
print("\n".join(table))
PY
