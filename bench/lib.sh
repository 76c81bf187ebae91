# Helpers shared by the benchmark scripts (sourced, not run).
# shellcheck shell=bash

die() { echo "bench: ERROR: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

# Run a long command in the background and wait for it, so that a signal to
# the script is handled at once (bash defers traps until a foreground child
# exits); the script's cleanup() stops it.
CHILD_PID=""
fg_run() {
  local rc=0
  "$@" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

apt_updated=""
apt_install() {
  [[ $(id -u) -eq 0 ]] || die "need root to apt-get install $*"
  if [[ -z "$apt_updated" ]]; then
    timeout 300 apt-get update -qq || die "apt-get update failed"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "$@"
}

stop_pid() { # pid name
  local pid="$1" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do # up to 10 s for a graceful shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$2 (pid $pid) did not stop, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# show the tail of a log, then fail
die_log() { # logfile message
  if [[ -s "$1" ]]; then
    echo "---- last lines of $1 ----" >&2
    tail -n 30 "$1" >&2
    echo "----" >&2
  fi
  die "$2"
}

# Builds the release binary unless GOLINKS_BIN names one; sets BIN.
build_golinks() {
  if [[ -n "${GOLINKS_BIN:-}" ]]; then
    BIN="$GOLINKS_BIN"
  else
    command -v cargo >/dev/null || die "cargo not found (or set GOLINKS_BIN)"
    log "building golinks (cargo build --release --locked, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO_ROOT" && timeout 1800 cargo build --release --locked) || die "cargo build failed"
    BIN="$CARGO_TARGET_DIR/release/golinks"
  fi
  [[ -x "$BIN" ]] || die "golinks binary not found at $BIN"
}

# CPU time (utime + stime, in clock ticks) of a process and of its children: golinks is one
# process (its threads are counted in it), nginx a master and its workers.
cpu_ticks() { # pid
  python3 - "$1" <<'PY'
import os, sys
root, total = int(sys.argv[1]), 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state) of proc(5)
    if int(pid) == root or int(fields[1]) == root:
        total += int(fields[11]) + int(fields[12])  # utime (14), stime (15)
print(total)
PY
}

# The median of the numbers on stdin (the lower middle one for an even count).
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
