# What the load scripts share; sourced by run.sh, tls.sh and together.sh.

# Installs Debian package $2 when command $1 is missing.
need() {
  command -v "$1" >/dev/null && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# Waits (up to 5 s) until something listens on TCP port $1 of loopback.
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# The CPU time (user + system, in clock ticks) process $1 has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Makes (or resets) cpu cgroup $1, holding its processes to $2 of a core counted over 10 ms
# periods (the kernel's default is 100 ms: a throttled server then pauses briefly rather than
# for tens of milliseconds at a time), v2 or v1. Prints the file to write a pid into, or nothing
# when this machine does not let the script make one.
cpu_group() {
  local name=$1 quota period=10000 dir
  quota=$(awk -v s="$2" -v p="$period" 'BEGIN { printf "%d", s * p }')
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    dir=/sys/fs/cgroup/$name
    mkdir -p "$dir" 2>/dev/null && echo "$quota $period" >"$dir/cpu.max" 2>/dev/null &&
      echo "$dir/cgroup.procs"
  elif [ -d /sys/fs/cgroup/cpu ]; then
    dir=/sys/fs/cgroup/cpu/$name
    mkdir -p "$dir" 2>/dev/null && echo "$period" >"$dir/cpu.cfs_period_us" 2>/dev/null &&
      echo "$quota" >"$dir/cpu.cfs_quota_us" 2>/dev/null && echo "$dir/cgroup.procs"
  fi
  return 0
}

# The CPU time process $1 has spent running so far, in nanoseconds (the scheduler's own count:
# finer than `cpu_ticks`' 10 ms ticks).
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }

# "REQ_PER_S<TAB>ERRORS" from the report in file $2 of a run of scenario $1: h2 (h2load), h3
# (h3-load), or any other (wrk).
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
