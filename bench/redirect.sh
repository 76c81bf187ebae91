#!/usr/bin/env bash
# Redirect throughput/latency benchmark: golinks vs. an nginx `map` baseline.
#
# Both servers hold the same LINKS (default 10,000) short links and answer
# GET /<name> with a 302 to https://example.com/dest/<n>. wrk hits a random
# name per request. Loopback only; every step is bounded in time.
#
# Environment:
#   DURATION=10          seconds per measured wrk run (a 2 s warm-up precedes each)
#   THREADS=2 CONNS=32   wrk threads / connections
#   LINKS=10000          number of links
#   ACCESS=session       golinks: every request carries a signed-in member's session cookie
#                        (company links need one); ACCESS=anonymous turns on the
#                        organization's anonymous resolution instead
#   BENCH_ONLY=nginx|golinks   run only one half (default: both)
#   CARGO_TARGET_DIR=/var/tmp/golinks-target
#   GOLINKS_BIN=path     use this binary instead of running cargo build
#   RUST_LOG=warn        passed to golinks (keeps per-request logging off)
#   KEEP_TMP=1           keep the temp dir (db, configs, logs) for inspection
set -euo pipefail

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-32}"
LINKS="${LINKS:-10000}"
WARMUP=2
BENCH_ONLY="${BENCH_ONLY:-}"
ACCESS="${ACCESS:-session}"
KEEP_TMP="${KEEP_TMP:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"



for v in DURATION THREADS CONNS LINKS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
(( LINKS <= 100000 )) || die "LINKS must be <= 100000 (names are link%05d)"
case "$ACCESS" in
  session|anonymous) ;;
  *) die "ACCESS must be 'session' or 'anonymous' (got '$ACCESS')" ;;
esac
case "$BENCH_ONLY" in
  ""|nginx|golinks) ;;
  *) die "BENCH_ONLY must be 'nginx', 'golinks' or unset (got '$BENCH_ONLY')" ;;
esac
run_golinks() { [[ "$BENCH_ONLY" != nginx ]]; }
run_nginx() { [[ "$BENCH_ONLY" != golinks ]]; }

# --- 1. dependencies ---------------------------------------------------------
command -v wrk >/dev/null || apt_install wrk || die "could not install wrk"
command -v curl >/dev/null || apt_install curl || die "could not install curl"
command -v python3 >/dev/null || apt_install python3 || die "could not install python3"
if run_nginx && ! command -v nginx >/dev/null; then
  # Keep the package's postinst from starting a system-wide nginx on :80.
  policy_rc=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy_rc=1
  fi
  apt_install nginx-light || apt_install nginx || true
  [[ -n "$policy_rc" ]] && rm -f /usr/sbin/policy-rc.d
  command -v nginx >/dev/null || die "could not install nginx"
fi

# --- 2. build ----------------------------------------------------------------
run_golinks && build_golinks

# --- 3. temp dir, cleanup, ports, data --------------------------------------
TMP="$(mktemp -d -t golinks-bench.XXXXXX)"
GOLINKS_PID=""
NGINX_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" "child"
  stop_pid "$GOLINKS_PID" golinks
  stop_pid "$NGINX_PID" nginx
  if [[ -n "$KEEP_TMP" ]]; then
    log "kept temp dir $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


read -r PORT1 PORT2 < <(python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
)
[[ -n "${PORT1:-}" && -n "${PORT2:-}" ]] || die "could not pick free ports"

python3 - "$TMP" "$LINKS" <<'EOF'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
ts = "2024-01-01T00:00:00Z"
with open(f"{tmp}/links.jsonl", "w") as jl, open(f"{tmp}/links.map", "w") as mp:
    for i in range(n):
        short, long = f"link{i:05d}", f"https://example.com/dest/{i}"
        jl.write(json.dumps({"Short": short, "Long": long, "Created": ts,
                             "LastEdit": ts, "Owner": "bench@example.com"},
                            separators=(",", ":")) + "\n")
        mp.write(f"    /{short} {long};\n")
EOF
log "generated $LINKS links in $TMP (ports: golinks $PORT1, nginx $PORT2)"

# check_redirect URL NAME EXPECTED_LOCATION LOGFILE
check_redirect() {
  local code loc
  code="$(curl -sS -o /dev/null -D "$TMP/hdr" --max-time 5 -H "Cookie: $COOKIE" -w '%{http_code}' "$1")" \
    || die_log "$4" "$2: request to $1 failed"
  loc="$(tr -d '\r' <"$TMP/hdr" | awk 'tolower($1) == "location:" { print $2; exit }')"
  [[ "$code" == 302 ]] || die_log "$4" "$2: GET $1 returned HTTP $code, expected 302"
  [[ "$loc" == "$3" ]] || die_log "$4" "$2: GET $1 redirected to '$loc', expected '$3'"
  log "$2: GET $1 -> 302 $loc (ok)"
}
check_404() { # URL NAME LOGFILE
  local code
  code="$(curl -sS -o /dev/null --max-time 5 -w '%{http_code}' "$1")" || die_log "$3" "$2: request to $1 failed"
  [[ "$code" == 404 ]] || die_log "$3" "$2: GET $1 returned HTTP $code, expected 404"
}
COOKIE=""
CHECK_N=$((LINKS / 2 + 1))
CHECK_NAME="$(printf 'link%05d' "$CHECK_N")"
CHECK_DEST="https://example.com/dest/$CHECK_N"

# --- 4. golinks ---------------------------------------------------------------
if run_golinks; then
  DB_URL="sqlite://$TMP/bench.db"
  : >"$TMP/bench.db" # an empty file is a valid empty SQLite database
  log "importing links into $DB_URL"
  fg_run timeout 300 "$BIN" links import --database-url "$DB_URL" --org default "$TMP/links.jsonl" \
    >"$TMP/import.log" 2>&1 || die_log "$TMP/import.log" "golinks links import failed"
  if [[ "$ACCESS" == anonymous ]]; then
    fg_run timeout 60 "$BIN" org set --database-url "$DB_URL" --org default --anonymous-resolution on \
      >>"$TMP/import.log" 2>&1 || die_log "$TMP/import.log" "golinks org set failed"
  fi
  RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$PORT1" --database-url "$DB_URL" \
    >"$TMP/golinks.log" 2>&1 &
  GOLINKS_PID=$!
  ok=""
  for ((i = 0; i < 150; i++)); do # 150 x 0.2 s = 30 s
    kill -0 "$GOLINKS_PID" 2>/dev/null || die_log "$TMP/golinks.log" "golinks serve exited during startup"
    if curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT1/healthz" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || die_log "$TMP/golinks.log" "golinks did not answer /healthz within 30 s"
  if [[ "$ACCESS" == session ]]; then
    # Sign in as a browser would, with a one-time link, and keep the session cookie.
    link_path="$(fg_run timeout 60 "$BIN" login-link --database-url "$DB_URL" --org default \
      --email bench@example.com 2>>"$TMP/import.log" | tail -n 1)"
    curl -sS -o /dev/null -D "$TMP/login-hdr" --max-time 5 -X POST -H "Sec-Fetch-Site: same-origin" \
      "http://127.0.0.1:$PORT1$link_path" || die_log "$TMP/golinks.log" "sign-in failed"
    COOKIE="$(tr -d '\r' <"$TMP/login-hdr" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2; exit }')"
    [[ "$COOKIE" == golinks_session=gss_* ]] || die_log "$TMP/golinks.log" "no session cookie after sign-in"
    log "golinks: signed in (session cookie on every request)"
  fi
  check_redirect "http://127.0.0.1:$PORT1/$CHECK_NAME" golinks "$CHECK_DEST" "$TMP/golinks.log"
fi

# --- 5. nginx -----------------------------------------------------------------
if run_nginx; then
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
lock_file $TMP/nginx/nginx.lock;
error_log $TMP/nginx/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log off;
    server_tokens off;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    # keepalive_timeout / keepalive_requests: nginx defaults (75s / 1000)

    map_hash_max_size 262144;
    map_hash_bucket_size 128;
    map \$uri \$dest {
        default "";
        include $TMP/links.map;
    }

    server {
        listen 127.0.0.1:$PORT2;
        if (\$dest) {
            return 302 \$dest;
        }
        return 404;
    }
}
EOF
  timeout 10 nginx -t -q -c "$TMP/nginx.conf" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" \
    || die_log "$TMP/nginx/error.log" "nginx config test failed ($TMP/nginx.conf)"
  nginx -c "$TMP/nginx.conf" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" >"$TMP/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!
  ok=""
  for ((i = 0; i < 50; i++)); do # 10 s
    kill -0 "$NGINX_PID" 2>/dev/null || die_log "$TMP/nginx/error.log" "nginx exited during startup"
    if curl -sS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT2/" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || die_log "$TMP/nginx/error.log" "nginx did not answer within 10 s"
  check_redirect "http://127.0.0.1:$PORT2/$CHECK_NAME" nginx "$CHECK_DEST" "$TMP/nginx/error.log"
  check_404 "http://127.0.0.1:$PORT2/nope" nginx "$TMP/nginx/error.log"
fi

# --- 6. wrk script --------------------------------------------------------------
cat >"$TMP/random.lua" <<EOF
-- one random link name per request; machine-readable summary in done()
local links = $LINKS
local next_id = 0
local cookie = "$COOKIE"
if cookie ~= "" then wrk.headers["Cookie"] = cookie end

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

request = function()
  return wrk.format("GET", "/link" .. string.format("%05d", math.random(0, links - 1)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non3xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# --- 7. run ---------------------------------------------------------------------
# bench NAME PORT -> sets R_rps R_p50 R_p99 (and prints wrk's report)
bench() {
  local name="$1" url="http://127.0.0.1:$2" out="$TMP/wrk-$1.txt" line
  log "$name: warm-up ${WARMUP}s"
  fg_run timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$TMP/random.lua" "$url" \
    >"$TMP/wrk-$name-warmup.txt" 2>&1 || die_log "$TMP/wrk-$name-warmup.txt" "$name: wrk warm-up failed"
  log "$name: wrk -t$THREADS -c$CONNS -d${DURATION}s --latency $url"
  fg_run timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$TMP/random.lua" "$url" \
    >"$out" 2>&1 || die_log "$out" "$name: wrk failed"
  sed 's/^/    /' "$out" >&2
  for f in "$TMP/wrk-$name-warmup.txt" "$out"; do
    if grep -q 'Non-2xx or 3xx responses' "$f"; then
      die "$name: wrk saw non-2xx/3xx responses ($(grep 'Non-2xx or 3xx' "$f" | tr -s ' '))"
    fi
  done
  line="$(grep '^RESULT ' "$out" | tail -n 1)" || die_log "$out" "$name: no RESULT line from wrk"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  [[ "$(field non3xx)" == 0 ]] || die "$name: $(field non3xx) responses with status >= 400"
  [[ "$(field requests)" -gt 0 ]] || die "$name: wrk completed no requests"
  [[ "$(field socket_errors)" == 0 ]] || log "$name: WARNING: $(field socket_errors) socket errors"
  R_rps="$(field rps)" R_p50="$(field p50_ms)" R_p99="$(field p99_ms)"
  echo "$name $line"
}

if run_golinks; then bench golinks "$PORT1"; G_rps=$R_rps G_p50=$R_p50 G_p99=$R_p99; fi
if run_nginx; then bench nginx "$PORT2"; N_rps=$R_rps N_p50=$R_p50 N_p99=$R_p99; fi

echo
echo "redirect benchmark: $LINKS links, wrk -t$THREADS -c$CONNS -d${DURATION}s, random link per request"
printf '%-10s %12s %10s %10s\n' server "req/s" "p50 ms" "p99 ms"
if run_golinks; then printf '%-10s %12s %10s %10s\n' golinks "$G_rps" "$G_p50" "$G_p99"; fi
if run_nginx; then printf '%-10s %12s %10s %10s\n' nginx "$N_rps" "$N_p50" "$N_p99"; fi
if run_golinks && run_nginx; then
  printf 'ratio golinks/nginx req/s: %s\n' "$(awk -v g="$G_rps" -v n="$N_rps" 'BEGIN { printf "%.2f", g / n }')"
fi
