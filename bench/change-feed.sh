#!/usr/bin/env bash
# Replica lag over PostgreSQL's change feed: how long after one replica acknowledges a new
# link does another replica redirect it.
#
# 1. builds golinks (cargo build --release --locked) unless GOLINKS_BIN is set
# 2. creates a fresh PostgreSQL database golinks_bench_feed_<pid> on PG_URL's server (dropped
#    on exit), a person with an API token, and turns anonymous resolution on so that the
#    replica under test redirects without a session
# 3. starts two `golinks serve` on that database (A and B, loopback, the default
#    --sync-interval-ms of 1000: the poll stays the safety net, the feed should beat it)
# 4. WRITES times: POST /_/api/v1/links on A (one keep-alive connection), then polls
#    GET /<name> on B (another keep-alive connection, tight loop, at most 5 s) until it
#    redirects; the lag is from A's 201 to B's first 302
# 5. prints p50/p99/max lag in ms and one machine-readable line starting with RESULT
#
# Loopback only; every wait is bounded; servers, temp dir and database are removed on exit.
#
# Environment:
#   WRITES=1000          link creates measured (SMOKE=1: 50)
#   PG_URL=postgres://postgres@127.0.0.1:5432/test   a database on the server to use (the
#                        bench creates and drops its own next to it); default
#                        GOLINKS_TEST_POSTGRES_URL, else the URL shown
#   CARGO_TARGET_DIR=/var/tmp/golinks-target
#   GOLINKS_BIN=path     use this binary instead of running cargo build
#   RUST_LOG=warn        passed to golinks serve
set -euo pipefail

if [[ -n "${SMOKE:-}" ]]; then WRITES="${WRITES:-50}"; fi
WRITES="${WRITES:-1000}"
PG_URL="${PG_URL:-${GOLINKS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"

[[ "$WRITES" =~ ^[1-9][0-9]*$ ]] || die "WRITES must be a positive integer (got '$WRITES')"
(( WRITES <= 100000 )) || die "WRITES must be <= 100000"
command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client)"
command -v curl >/dev/null || apt_install curl || die "could not install curl"
psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1 || die "cannot connect to PostgreSQL at PG_URL"

build_golinks

TMP="$(mktemp -d -t golinks-feed-bench.XXXXXX)"
DB_NAME="golinks_bench_feed_$$"
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" "load generator"
  for pid in "${PIDS[@]}"; do stop_pid "$pid" golinks; done
  psql "$PG_URL" -Atqc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 ||
    log "could not drop database $DB_NAME"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

psql "$PG_URL" -Atqc "CREATE DATABASE $DB_NAME" >/dev/null || die "cannot create database $DB_NAME"
DB_URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_URL" "$DB_NAME")"
log "database: $DB_NAME (dropped at exit)"

cli() { fg_run timeout 120 "$BIN" "$@" --database-url "$DB_URL" --org default; }
cli user create --email bench@example.com >/dev/null 2>>"$TMP/cli.log" || die_log "$TMP/cli.log" "golinks user create failed"
cli api-token create --email bench@example.com --name bench >"$TMP/token.out" 2>>"$TMP/cli.log" ||
  die_log "$TMP/cli.log" "golinks api-token create failed"
TOKEN="$(tail -n 1 "$TMP/token.out" | tr -d '\r')"
[[ -n "$TOKEN" && "$TOKEN" != *[[:space:]]* ]] || die "no token on the last line of api-token create's output"
cli org set --anonymous-resolution on >/dev/null 2>>"$TMP/cli.log" || die_log "$TMP/cli.log" "golinks org set failed"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # port log
  RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$1" --database-url "$DB_URL" >"$2" 2>&1 &
  PIDS+=($!)
  local pid=$! i
  for ((i = 0; i < 150; i++)); do # 30 s
    kill -0 "$pid" 2>/dev/null || die_log "$2" "golinks serve exited during startup"
    curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$1/healthz" 2>/dev/null && return 0
    sleep 0.2
  done
  die_log "$2" "golinks did not answer /healthz within 30 s"
}
PORT_A="$(free_port)"; PORT_B="$(free_port)"
start "$PORT_A" "$TMP/a.log"
start "$PORT_B" "$TMP/b.log"
log "replicas A on 127.0.0.1:$PORT_A, B on 127.0.0.1:$PORT_B; $WRITES writes"

cat >"$TMP/lag.py" <<'PY'
"""Creates links on A and times how long B takes to redirect each (standard library only)."""
import http.client
import json
import sys
import time

port_a, port_b, token, writes = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
a = http.client.HTTPConnection("127.0.0.1", port_a, timeout=10)
b = http.client.HTTPConnection("127.0.0.1", port_b, timeout=10)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
lags, polls = [], 0
for i in range(writes):
    name = "feed%06d" % i
    body = json.dumps({"name": name, "url": "https://bench.example/%d" % i})
    a.request("POST", "/_/api/v1/links", body=body, headers=headers)
    resp = a.getresponse()
    resp.read()
    if resp.status != 201:
        sys.exit("creating %s on A: HTTP %d" % (name, resp.status))
    acked = time.perf_counter()
    deadline = acked + 5
    while True:
        b.request("GET", "/" + name)
        got = b.getresponse()
        got.read()
        polls += 1
        if got.status == 302 and got.getheader("Location") == "https://bench.example/%d" % i:
            lags.append((time.perf_counter() - acked) * 1000)
            break
        if time.perf_counter() > deadline:
            sys.exit("%s on B: HTTP %d after %.0f ms" % (name, got.status, (time.perf_counter() - acked) * 1000))
lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print("writes %d, polls of B %d" % (len(lags), polls))
print("lag from A's 201 to B's 302: p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (pick(0.5), pick(0.99), lags[-1]))
print("RESULT writes=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f polls=%d" % (len(lags), pick(0.5), pick(0.99), lags[-1], polls))
PY
fg_run timeout 900 python3 "$TMP/lag.py" "$PORT_A" "$PORT_B" "$TOKEN" "$WRITES" ||
  die_log "$TMP/b.log" "the lag run failed"
