#!/usr/bin/env bash
# Runs scim2-tester (PyPI scim2-cli) against a real golinks server on loopback, on SQLite and,
# when GOLINKS_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database. Fails unless every
# check is a SUCCESS.
set -euo pipefail
cd "$(dirname "$0")/.."

# scim2-cli lives in a virtual environment of its own, so no system Python is changed.
python=$(./scripts/test-venv.sh)
venv=$(dirname "$(dirname "$python")")
scim2="$venv/bin/scim2"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
cargo build --locked --quiet
bin="$CARGO_TARGET_DIR/debug/golinks"
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "${pg_db:-}" ] && psql "$GOLINKS_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

run_against() {
  local name=$1 url=$2
  local port token
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  token=$("$bin" scim-token create --database-url "$url" --org default --name scim2-tester | tail -n 1)
  "$bin" serve --listen "127.0.0.1:$port" --database-url "$url" >"$work/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local out="$work/$name.out" rc=0
  SCIM_CLI_HEADERS="Authorization: Bearer $token" timeout 600 \
    "$scim2" --url "http://127.0.0.1:$port/scim/v2" test >"$out" 2>&1 || rc=$?
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  local ok failed
  ok=$(grep -c '^SUCCESS' "$out" || true)
  failed=$(grep -Evc '^(SUCCESS|Performing| |$)' "$out" || true)
  if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$ok" -eq 0 ]; then
    echo "scim2-tester on $name: $ok checks passed, $failed did not (exit $rc):"
    grep -Ev '^(SUCCESS| )' "$out" -A2 || true
    return 1
  fi
  echo "scim2-tester on $name: $ok passed, 0 failed"
}

run_against sqlite "sqlite://$work/conformance.db"
if [ -n "${GOLINKS_TEST_POSTGRES_URL:-}" ]; then
  pg_db="golinks_scim2_tester_$$"
  psql "$GOLINKS_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
  run_against postgres "$(python3 -c 'import sys, urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$GOLINKS_TEST_POSTGRES_URL" "$pg_db")"
fi
