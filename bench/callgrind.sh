#!/usr/bin/env bash
# Instructions per redirect, counted by valgrind's callgrind: repeatable on a busy machine,
# where req/s and CPU time are not. golinks runs under callgrind with instrumentation off
# while it starts; then wrk sends REQUESTS_SECONDS of one kind of request and the count is
# divided by the requests answered. Prints the total per request and the top functions
# (inclusive), and leaves the callgrind file for callgrind_annotate.
#
# Environment:
#   GOLINKS_BIN=path   the binary to profile (a release build; required)
#   KIND=hit|miss      existing names, or typos of them (`lnik<n>`)
#   ACCESS=session|anonymous
#   LINKS=10000  SECONDS_=10  CONNS=4
#   OUT=dir            where the callgrind file goes (default: a temp dir, kept)
set -euo pipefail

KIND="${KIND:-hit}"
ACCESS="${ACCESS:-session}"
LINKS="${LINKS:-10000}"
SECONDS_="${SECONDS_:-10}"
CONNS="${CONNS:-4}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"
[[ -x "${GOLINKS_BIN:-}" ]] || die "set GOLINKS_BIN to a release build of golinks"
command -v valgrind >/dev/null || apt_install valgrind || die "could not install valgrind"
command -v wrk >/dev/null || apt_install wrk || die "could not install wrk"
BIN="$GOLINKS_BIN"
OUT="${OUT:-$(mktemp -d -t golinks-callgrind.XXXXXX)}"
mkdir -p "$OUT"
PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" child
  stop_pid "$PID" golinks
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 - "$OUT" "$LINKS" <<'EOF'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(f"{out}/links.jsonl", "w") as jl:
    for i in range(n):
        jl.write(json.dumps({"Short": f"link{i:05d}", "Long": f"https://example.com/dest/{i}",
                             "Created": "2024-01-01T00:00:00Z", "LastEdit": "2024-01-01T00:00:00Z",
                             "Owner": "bench@example.com"}) + "\n")
EOF
DB="sqlite://$OUT/bench.db"
rm -f "$OUT"/bench.db*
: >"$OUT/bench.db"
fg_run timeout 600 "$BIN" links import --database-url "$DB" --org default "$OUT/links.jsonl" >"$OUT/import.log" 2>&1 \
  || die_log "$OUT/import.log" "import failed"
if [[ "$ACCESS" == anonymous ]]; then
  fg_run timeout 60 "$BIN" org set --database-url "$DB" --org default --anonymous-resolution on >>"$OUT/import.log" 2>&1 \
    || die_log "$OUT/import.log" "org set failed"
fi
RUST_LOG=warn valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.out" \
  "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$DB" --workers 1 >"$OUT/golinks.log" 2>&1 &
PID=$!
for ((i = 0; i < 600; i++)); do # 120 s: valgrind starts slowly
  kill -0 "$PID" 2>/dev/null || die_log "$OUT/golinks.log" "golinks exited during startup"
  curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.2
done
COOKIE=""
if [[ "$ACCESS" == session ]]; then
  link_path="$(fg_run timeout 60 "$BIN" login-link --database-url "$DB" --org default --email bench@example.com 2>>"$OUT/import.log" | tail -n 1)"
  curl -sS -o /dev/null -D "$OUT/login-hdr" --max-time 30 -H "Sec-Fetch-Site: same-origin" \
    --data-urlencode "token=${link_path#/_/login/}" "http://127.0.0.1:$PORT/_/login" ||
    die_log "$OUT/golinks.log" "sign-in failed"
  COOKIE="$(tr -d '\r' <"$OUT/login-hdr" | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2; exit }')"
  [[ -n "$COOKIE" ]] || die_log "$OUT/golinks.log" "no session cookie"
fi
prefix="link"
[[ "$KIND" == miss ]] && prefix="lnik"
cat >"$OUT/wrk.lua" <<EOF
if "$COOKIE" ~= "" then wrk.headers["Cookie"] = "$COOKIE" end
request = function()
  return wrk.format("GET", "/$prefix" .. string.format("%05d", math.random(0, $LINKS - 1)))
end
function done(summary) io.write(string.format("REQUESTS %d\n", summary.requests)) end
EOF
# Warm-up (the session is read from the database once, caches fill), then count.
fg_run timeout 120 wrk -t1 -c"$CONNS" -d3s -s "$OUT/wrk.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
callgrind_control -i on "$PID" >/dev/null
fg_run timeout $((SECONDS_ + 120)) wrk -t1 -c"$CONNS" -d"${SECONDS_}s" -s "$OUT/wrk.lua" "http://127.0.0.1:$PORT" >"$OUT/wrk.txt" 2>&1
callgrind_control -i off "$PID" >/dev/null
callgrind_control -d "$PID" >/dev/null
requests="$(sed -n 's/^REQUESTS //p' "$OUT/wrk.txt")"
[[ "${requests:-0}" -gt 0 ]] || die_log "$OUT/wrk.txt" "no requests answered"
stop_pid "$PID" golinks
PID=""
file="$OUT/callgrind.out.1" # the dump taken above ($OUT/callgrind.out is the empty one at exit)
# awk reads to the end: leaving early would kill callgrind_annotate with SIGPIPE (pipefail).
total="$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ && !n++ { gsub(",", "", $1); print $1 }')"
echo "KIND=$KIND ACCESS=$ACCESS: $requests requests, $total instructions, $((total / requests)) per request ($file)"
callgrind_annotate --inclusive=yes --threshold=99 "$file" 2>/dev/null | sed -n '1,60p' >"$OUT/top.txt"
echo "top functions (inclusive): $OUT/top.txt"
