#!/usr/bin/env bash
# Redirect benchmark: golinks vs. an nginx `map` baseline, for hits and misses.
#
# For each number of links in LINKS, both servers hold the same short links
# (link00000, link00001, ... -> https://example.com/dest/<n>) and wrk asks for a random name
# per request, of one kind:
#   hit   an existing name: a 302 to its destination
#   miss  a name that does not exist, the typo `lnik<n>` of an existing one: golinks answers a
#         signed-in member with the missing-link page and its "did you mean" names (404), an
#         anonymous visitor with the sign-in redirect (302); nginx answers 404
# golinks is measured signed in (ACCESS session: a member's session cookie on every request)
# and anonymous (ACCESS anonymous: the organization's anonymous resolution on, no cookie;
# ACCESS bogus: the same with a made-up session cookie, which must cost no more);
# nginx once per kind, its rounds alternating with golinks' signed-in ones. Each measurement
# is ROUNDS rounds after a warm-up; the report gives the medians of req/s, p50, p99 and of the
# server's CPU time per request: utime + stime from /proc/PID/stat (nginx: master and
# workers) over the round, divided by the requests answered. Loopback only; every step is
# bounded in time.
#
# Environment:
#   LINKS="10000 100000"      numbers of links, each a fresh database and nginx map
#   ACCESS="session anonymous bogus"
#   KINDS="hit miss"
#   ROUNDS=3                  rounds per measurement (the median is reported)
#   DURATION=10               seconds per round; WARMUP=2 seconds before each measurement
#   THREADS=1 CONNS=32        wrk threads / connections
#   SMOKE=1                   checks that the script works, measures nothing worth keeping:
#                             LINKS=1000, 1 s rounds and warm-ups (other settings still apply)
#   BENCH_ONLY=nginx|golinks  run only one of the servers (default: both)
#   CARGO_TARGET_DIR=/var/tmp/golinks-target
#   GOLINKS_BIN=path          use this binary instead of running cargo build
#   RUST_LOG=warn             passed to golinks (keeps per-request logging off)
#   KEEP_TMP=1                keep the temp dir (db, configs, logs, results) for inspection
#   METRICS=1                 golinks serves Prometheus metrics (--metrics-listen on a free
#                             loopback port), scraped once after each link count's rounds;
#                             compare with a run without it (docs/benchmarks.md)
set -euo pipefail

SMOKE="${SMOKE:-}"
if [[ -n "$SMOKE" ]]; then
  LINKS="${LINKS:-1000}" DURATION="${DURATION:-1}" WARMUP="${WARMUP:-1}"
fi
LINKS="${LINKS:-10000 100000}"
ACCESS="${ACCESS:-session anonymous bogus}"
KINDS="${KINDS:-hit miss}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
THREADS="${THREADS:-1}"
CONNS="${CONNS:-32}"
BENCH_ONLY="${BENCH_ONLY:-}"
KEEP_TMP="${KEEP_TMP:-}"
METRICS="${METRICS:-0}"; [[ "$METRICS" == 1 ]] || METRICS=""
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"

for v in ROUNDS DURATION WARMUP THREADS CONNS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
for n in $LINKS; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]] || ((n > 100000)); then
    die "LINKS holds numbers from 1 to 100000 (got '$n'; names are link%05d)"
  fi
done
for a in $ACCESS; do
  [[ "$a" == session || "$a" == anonymous || "$a" == bogus ]] || die "ACCESS holds 'session', 'anonymous' and/or 'bogus' (got '$a')"
done
for k in $KINDS; do
  [[ "$k" == hit || "$k" == miss ]] || die "KINDS holds 'hit' and/or 'miss' (got '$k')"
done
[[ -n "$LINKS" && -n "$ACCESS" && -n "$KINDS" ]] || die "LINKS, ACCESS and KINDS may not be empty"
# Anonymous resolution is switched on in place, after the signed-in rounds: session first.
ordered=""
for a in session anonymous bogus; do [[ " $ACCESS " == *" $a "* ]] && ordered+="$a "; done
ACCESS="${ordered% }"
case "$BENCH_ONLY" in
  ""|nginx|golinks) ;;
  *) die "BENCH_ONLY must be 'nginx', 'golinks' or unset (got '$BENCH_ONLY')" ;;
esac
run_golinks() { [[ "$BENCH_ONLY" != nginx ]]; }
run_nginx() { [[ "$BENCH_ONLY" != golinks ]]; }
CLK_TCK="$(getconf CLK_TCK)"

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

# --- 3. temp dir, cleanup ------------------------------------------------------
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
RESULTS="$TMP/results.txt" # links access kind server round rps p50 p99 cpu_us
: >"$RESULTS"

free_ports() {
  python3 - <<'EOF'
import socket
socks = []
for _ in range(3):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
}

generate() { # links -> $TMP/links.jsonl, $TMP/links.map
  python3 - "$TMP" "$1" <<'EOF'
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
}

# expect URL NAME STATUS [LOCATION]: one request (with $COOKIE if set) answers so.
expect() {
  local code loc log="$TMP/golinks.log"
  [[ "$2" == nginx ]] && log="$TMP/nginx/error.log"
  local -a cookie=()
  [[ -n "$COOKIE" ]] && cookie=(-H "Cookie: $COOKIE")
  code="$(curl -sS -o /dev/null -D "$TMP/hdr" --max-time 5 "${cookie[@]}" -w '%{http_code}' "$1")" \
    || die_log "$log" "$2: request to $1 failed"
  loc="$(tr -d '\r' <"$TMP/hdr" | awk 'tolower($1) == "location:" { print $2; exit }')"
  [[ "$code" == "$3" ]] || die_log "$log" "$2: GET $1 returned HTTP $code, expected $3"
  [[ -z "${4:-}" || "$loc" == "$4" ]] || die_log "$log" "$2: GET $1 redirected to '$loc', expected '$4'"
  log "$2: GET $1 -> $code $loc (ok)"
}

# --- 4. the servers -------------------------------------------------------------
start_golinks() { # links
  local db_url="sqlite://$TMP/bench.db" ok="" i link_path
  rm -f "$TMP"/bench.db*
  : >"$TMP/bench.db" # an empty file is a valid empty SQLite database
  log "importing $1 links into $db_url"
  fg_run timeout 600 "$BIN" links import --database-url "$db_url" --org default "$TMP/links.jsonl" \
    >"$TMP/import.log" 2>&1 || die_log "$TMP/import.log" "golinks links import failed"
  local -a metrics=()
  [[ -n "$METRICS" ]] && metrics=(--metrics-listen "127.0.0.1:$PORT3")
  RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$PORT1" --database-url "$db_url" \
    "${metrics[@]}" >"$TMP/golinks.log" 2>&1 &
  GOLINKS_PID=$!
  for ((i = 0; i < 300; i++)); do # 300 x 0.2 s = 60 s
    kill -0 "$GOLINKS_PID" 2>/dev/null || die_log "$TMP/golinks.log" "golinks serve exited during startup"
    if curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT1/healthz" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || die_log "$TMP/golinks.log" "golinks did not answer /healthz within 60 s"
  # Sign in as a browser would, with a one-time link, and keep the session cookie.
  link_path="$(fg_run timeout 60 "$BIN" login-link --database-url "$db_url" --org default \
    --email bench@example.com 2>>"$TMP/import.log" | tail -n 1)"
  # The link's page posts its token to the one sign-in path.
  curl -sS -o /dev/null -D "$TMP/login-hdr" --max-time 5 -H "Sec-Fetch-Site: same-origin" \
    --data-urlencode "token=${link_path#/_/login/}" "http://127.0.0.1:$PORT1/_/login" ||
    die_log "$TMP/golinks.log" "sign-in failed"
  SESSION_COOKIE="$(tr -d '\r' <"$TMP/login-hdr" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2; exit }')"
  [[ "$SESSION_COOKIE" == golinks_session=gss_* ]] || die_log "$TMP/golinks.log" "no session cookie after sign-in"
}

# Turns on the organization's anonymous resolution and waits until the server has it.
anonymous_on() {
  local i
  fg_run timeout 60 "$BIN" org set --database-url "sqlite://$TMP/bench.db" --org default \
    --anonymous-resolution on >>"$TMP/import.log" 2>&1 || die_log "$TMP/import.log" "golinks org set failed"
  for ((i = 0; i < 50; i++)); do # 10 s; the server follows the change within about a second
    [[ "$(curl -sS -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$PORT1/$CHECK_NAME")" == 302 ]] \
      && [[ "$(curl -sS -o /dev/null --max-time 2 -w '%{redirect_url}' "http://127.0.0.1:$PORT1/$CHECK_NAME")" == "$CHECK_DEST" ]] \
      && return 0
    sleep 0.2
  done
  die_log "$TMP/golinks.log" "golinks did not take up anonymous resolution within 10 s"
}

start_nginx() {
  local ok="" i
  rm -rf "$TMP/nginx"
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
  timeout 30 nginx -t -q -c "$TMP/nginx.conf" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" \
    || die_log "$TMP/nginx/error.log" "nginx config test failed ($TMP/nginx.conf)"
  nginx -c "$TMP/nginx.conf" -p "$TMP/nginx/" -e "$TMP/nginx/error.log" >"$TMP/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!
  for ((i = 0; i < 150; i++)); do # 30 s
    kill -0 "$NGINX_PID" 2>/dev/null || die_log "$TMP/nginx/error.log" "nginx exited during startup"
    if curl -sS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT2/" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || die_log "$TMP/nginx/error.log" "nginx did not answer within 30 s"
}

# --- 5. wrk ---------------------------------------------------------------------
# wrk_script LINKS PREFIX COOKIE -> path of a script asking for PREFIX<random n> per request,
# with a machine-readable summary in done()
wrk_script() {
  local file="$TMP/wrk-$2-${3:+cookie}.lua"
  cat >"$file" <<EOF
local links = $1
local prefix = "$2"
local next_id = 0
local cookie = "$3"
if cookie ~= "" then wrk.headers["Cookie"] = cookie end

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

request = function()
  return wrk.format("GET", "/" .. prefix .. string.format("%05d", math.random(0, links - 1)))
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
  echo "$file"
}

# round NAME PID PORT SCRIPT EXPECT_ERRORS(none|all) SECONDS -> sets R_line, R_cpu_us
# (the server's CPU time per request over the run)
round() {
  local name="$1" out="$TMP/wrk-$1.txt" before after requests errors
  local url="http://127.0.0.1:$3"
  before="$(cpu_ticks "$2")"
  fg_run timeout $(($6 + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${6}s" --latency -s "$4" "$url" \
    >"$out" 2>&1 || die_log "$out" "$name: wrk failed"
  after="$(cpu_ticks "$2")"
  R_line="$(grep '^RESULT ' "$out" | tail -n 1)" || die_log "$out" "$name: no RESULT line from wrk"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$R_line"; }
  requests="$(field requests)" errors="$(field non3xx)"
  [[ "$requests" -gt 0 ]] || die "$name: wrk completed no requests"
  case "$5" in
    none) [[ "$errors" == 0 ]] || die "$name: $errors responses with status >= 400, expected none" ;;
    all) [[ "$errors" == "$requests" ]] || die "$name: $errors of $requests responses with status >= 400, expected all" ;;
  esac
  [[ "$(field socket_errors)" == 0 ]] || log "$name: WARNING: $(field socket_errors) socket errors"
  R_cpu_us="$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')"
  R_rps="$(field rps)" R_p50="$(field p50_ms)" R_p99="$(field p99_ms)"
}

# measure LINKS ACCESS KIND: the rounds of golinks (and of nginx, once per kind)
measure() {
  local links="$1" access="$2" kind="$3" prefix=link g_expect=none n_expect=none r
  local with_nginx="" g_script n_script
  [[ "$kind" == miss ]] && prefix=lnik n_expect=all
  [[ "$kind" == miss && "$access" == session ]] && g_expect=all
  run_nginx && [[ -z "${NGINX_DONE[$kind]:-}" ]] && with_nginx=1 && NGINX_DONE[$kind]=1
  COOKIE=""
  [[ "$access" == session ]] && COOKIE="$SESSION_COOKIE"
  [[ "$access" == bogus ]] && COOKIE="golinks_session=gss_$(head -c 600 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c 43)"
  if run_golinks; then
    g_script="$(wrk_script "$links" "$prefix" "$COOKIE")"
    expect "http://127.0.0.1:$PORT1/${prefix}00042" golinks "$(status "$kind" "$access")"
    log "golinks $access $kind: warm-up ${WARMUP}s"
    round golinks "$GOLINKS_PID" "$PORT1" "$g_script" "$g_expect" "$WARMUP"
  fi
  if [[ -n "$with_nginx" ]]; then
    n_script="$(wrk_script "$links" "$prefix" "")"
    COOKIE="" expect "http://127.0.0.1:$PORT2/${prefix}00042" nginx "$(status "$kind" nginx)"
    log "nginx $kind: warm-up ${WARMUP}s"
    round nginx "$NGINX_PID" "$PORT2" "$n_script" "$n_expect" "$WARMUP"
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    if run_golinks; then
      round golinks "$GOLINKS_PID" "$PORT1" "$g_script" "$g_expect" "$DURATION"
      echo "$links $access $kind golinks $r $R_rps $R_p50 $R_p99 $R_cpu_us" | tee -a "$RESULTS" >&2
    fi
    if [[ -n "$with_nginx" ]]; then
      round nginx "$NGINX_PID" "$PORT2" "$n_script" "$n_expect" "$DURATION"
      echo "$links - $kind nginx $r $R_rps $R_p50 $R_p99 $R_cpu_us" | tee -a "$RESULTS" >&2
    fi
  done
}

status() { # KIND ACCESS|nginx -> the status every request of that kind gets
  case "$1/$2" in
    hit/*) echo 302 ;;
    miss/session | miss/nginx) echo 404 ;;
    miss/anonymous | miss/bogus) echo 302 ;; # the sign-in redirect: whether a link exists is not told
  esac
}

# --- 6. run ---------------------------------------------------------------------
read -r PORT1 PORT2 PORT3 < <(free_ports)
[[ -n "${PORT1:-}" && -n "${PORT2:-}" && -n "${PORT3:-}" ]] || die "could not pick free ports"
for links in $LINKS; do
  generate "$links"
  CHECK_N=$((links / 2 + 1))
  CHECK_NAME="$(printf 'link%05d' "$CHECK_N")"
  CHECK_DEST="https://example.com/dest/$CHECK_N"
  declare -A NGINX_DONE=()
  COOKIE=""
  if run_golinks; then
    start_golinks "$links"
    COOKIE="$SESSION_COOKIE" expect "http://127.0.0.1:$PORT1/$CHECK_NAME" golinks 302 "$CHECK_DEST"
  fi
  if run_nginx; then
    start_nginx
    expect "http://127.0.0.1:$PORT2/$CHECK_NAME" nginx 302 "$CHECK_DEST"
  fi
  for access in $ACCESS; do
    [[ "$access" == anonymous || "$access" == bogus ]] && run_golinks && anonymous_on
    for kind in $KINDS; do
      measure "$links" "$access" "$kind"
    done
  done
  if run_golinks && [[ -n "$METRICS" ]]; then
    # The redirects were counted: the exposition holds the hits of the rounds just run.
    hits="$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT3/metrics" |
      awk '$1 == "golinks_redirects_total{outcome=\"hit\"}" { print $2 }')" ||
      die_log "$TMP/golinks.log" "cannot scrape http://127.0.0.1:$PORT3/metrics"
    log "metrics: golinks_redirects_total{outcome=\"hit\"} = ${hits:-missing}"
    [[ -n "$hits" ]] || die_log "$TMP/golinks.log" "no redirect hits in the metrics"
  fi
  stop_pid "$GOLINKS_PID" golinks
  stop_pid "$NGINX_PID" nginx
  GOLINKS_PID="" NGINX_PID=""
  unset NGINX_DONE
done

# --- 7. report --------------------------------------------------------------------
echo
echo "redirect benchmark: wrk -t$THREADS -c$CONNS, $ROUNDS rounds of ${DURATION}s, a random name per request; medians${METRICS:+; golinks with metrics on}"
printf '%-8s %-10s %-5s %-8s %10s %8s %8s %12s\n' links access kind server "req/s" "p50 ms" "p99 ms" "CPU µs/req"
while read -r links access kind server; do
  col() { awk -v l="$links" -v a="$access" -v k="$kind" -v s="$server" -v c="$1" \
    '$1 == l && $2 == a && $3 == k && $4 == s { print $c }' "$RESULTS" | median; }
  printf '%-8s %-10s %-5s %-8s %10s %8s %8s %12s\n' "$links" "$access" "$kind" "$server" \
    "$(col 6)" "$(col 7)" "$(col 8)" "$(col 9)"
done < <(awk '{ print $1, $2, $3, $4 }' "$RESULTS" | awk '!seen[$0]++')
[[ -n "$SMOKE" ]] && echo "(SMOKE=1: a check of the script, not a measurement)"
exit 0
