#!/usr/bin/env bash
# Replicas behind HAProxy (docs/deploy.md, "Several replicas"): three `golinks serve` on one
# fresh PostgreSQL database (created here, dropped on exit), HAProxy on loopback with the
# example configuration of docs/deploy.md (round robin, GET /healthz checks, retry-on,
# redispatch), then scripts/replica_driver.py asserts:
#   1. a link created through the balancer resolves on every replica (each polled directly,
#      at most 2 s; the worst lag is printed) and through the balancer;
#   2. a person deactivated over SCIM through the balancer is refused on every replica, by
#      session cookie and by API token;
#   3. an Okta-style burst, 1,000 POST /Users from 8 clients honouring 429 + Retry-After
#      (the SCIM rate limit is set low enough to hit), leaves every person exactly once;
#   4. `kill -9` of one replica under redirect and SCIM load: every acknowledged create is
#      there, nobody twice, and the replica restarted on the database serves a link created
#      while it was down as soon as /healthz answers.
# Installs haproxy if missing. Needs PostgreSQL (scripts/test-postgres.sh finds or starts it).
set -euo pipefail
cd "$(dirname "$0")/.."
pg_url=$(./scripts/test-postgres.sh)
# shellcheck source=scripts/e2e-lib.sh
source scripts/e2e-lib.sh
need haproxy haproxy
db_name="golinks_replica_test_$$"
drop_db() { psql "$pg_url" -Atqc "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true; }
stop_restarted() { [ -s "$work/victim.pid" ] && kill "$(cat "$work/victim.pid")" 2>/dev/null || true; }
trap 'stop_restarted; cleanup; drop_db' EXIT
fail() {
  echo "replica-test: FAILED: $*" >&2
  for log in "$work"/*.log; do echo "--- $log"; tail -n 20 "$log" || true; done
  exit 1
}
psql "$pg_url" -Atqc "CREATE DATABASE $db_name" >/dev/null || fail "cannot create database $db_name"
db=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_url" "$db_name")

# People and tokens, made the way an administrator would; company links resolve without
# signing in so that the redirect checks need no session.
cli() { "$bin" "$@" --database-url "$db" --org default; }
cli user create --email ann@acme.example >/dev/null
api_token=$(cli api-token create --email ann@acme.example | tail -n 1)
scim_token=$(cli scim-token create --name okta | tail -n 1)
cli org set --anonymous-resolution on >/dev/null

# Three replicas. A SCIM rate limit Okta's burst runs into (per replica and token), so that
# the driver's 429 handling is exercised.
ports=()
serve_cmd() { # port
  printf '%s\n' "$bin" serve --listen "127.0.0.1:$1" --database-url "$db" \
    --scim-rate-per-sec 15 --scim-burst 30
}
for i in 1 2 3; do
  port=$(free_port); ports+=("$port")
  mapfile -t cmd < <(serve_cmd "$port")
  "${cmd[@]}" >"$work/replica$i.log" 2>&1 &
  pids+=($!)
  echo "$!" >"$work/victim.pid" # the last one is killed in step 4
done
disown "$(cat "$work/victim.pid")" # killed on purpose: no job report from bash
for port in "${ports[@]}"; do
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || fail "replica on $port did not start"
done

# HAProxy: the example of docs/deploy.md, its ```haproxy block under "Several replicas", with
# this test's ports. Everything else is the doc's text.
awk '/^### Several replicas/{c=1} c&&/^```haproxy/{p=1;next} p&&/^```/{exit} p' docs/deploy.md >"$work/example"
grep -q "retry-on" "$work/example" || fail "no HAProxy example with retry-on in docs/deploy.md"
lb_port=$(free_port)
sed -e "s/bind :80\$/bind 127.0.0.1:$lb_port/" \
  -e "s/10\.0\.0\.11:8080/127.0.0.1:${ports[0]}/" \
  -e "s/10\.0\.0\.12:8080/127.0.0.1:${ports[1]}/" \
  -e "s/10\.0\.0\.13:8080/127.0.0.1:${ports[2]}/" "$work/example" >"$work/haproxy.cfg"
haproxy -c -f "$work/haproxy.cfg" >"$work/haproxy-check.log" 2>&1 || fail "haproxy rejects the example"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$lb_port/healthz" 2>/dev/null && break
  sleep 0.2
done

mapfile -t restart < <(serve_cmd "${ports[2]}")
GOLINKS_BIN="$bin" DB_URL="$db" API_TOKEN="$api_token" SCIM_TOKEN="$scim_token" \
  timeout 240 python3 scripts/replica_driver.py "$lb_port" "$(IFS=,; echo "${ports[*]}")" \
  "$work/victim.pid" "$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${restart[@]}")" ||
  fail "the driver failed"
