#!/usr/bin/env bash
# SCIM Groups at scale: one group of MEMBERS people, and what an identity provider does to
# it once it is large. Measures p50/p99 latency and the server's CPU per operation of:
#   add       PATCH add of one member            (must not read the other members)
#   remove    PATCH remove members[value eq ...] (idem)
#   lean-get  GET /Groups/{id}?excludedAttributes=members (Entra ID's look-up)
#   full-get  GET /Groups/{id}, checked to return all MEMBERS members, untruncated
#
# 1. builds golinks (cargo build --release --locked) unless GOLINKS_BIN is set
# 2. uses a new SQLite database in a temp dir, or DATABASE_URL if given
# 3. starts golinks serve on a free loopback port with the SCIM rate limit out of the way
# 4. creates MEMBERS people (CONCURRENCY at a time) and one group holding all of them
#    (PATCH adds of 1000 members each), plus one spare person
# 5. SAMPLES times each: add the spare person, then remove them (each a real change);
#    then SAMPLES lean GETs and FULL_SAMPLES full GETs
# 6. prints a table and one line starting with RESULT
#
# Environment:
#   MEMBERS=10000       people in the group (SMOKE=1: 500)
#   SAMPLES=200         measured adds, removes and lean GETs (SMOKE=1: 20)
#   FULL_SAMPLES=20     measured full GETs (SMOKE=1: 5)
#   CONCURRENCY=8       people created at once
#   DATABASE_URL=...    use this database (it must not hold the bench's people already)
#   GOLINKS_BIN=path    use this binary instead of running cargo build
#   CARGO_TARGET_DIR=/var/tmp/golinks-target
#   KEEP_TMP=1          keep the temp dir
# Loopback only; every wait and loop is bounded; the server and temp dir go on exit.
set -euo pipefail

if [[ -n "${SMOKE:-}" ]]; then
  MEMBERS="${MEMBERS:-500}" SAMPLES="${SAMPLES:-20}" FULL_SAMPLES="${FULL_SAMPLES:-5}"
fi
MEMBERS="${MEMBERS:-10000}"
SAMPLES="${SAMPLES:-200}"
FULL_SAMPLES="${FULL_SAMPLES:-20}"
CONCURRENCY="${CONCURRENCY:-8}"
KEEP_TMP="${KEEP_TMP:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"

for v in MEMBERS SAMPLES FULL_SAMPLES CONCURRENCY; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
(( MEMBERS <= 999999 )) || die "MEMBERS must be <= 999999"
(( CONCURRENCY <= 256 )) || die "CONCURRENCY must be <= 256"
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"

build_golinks

TMP="$(mktemp -d -t golinks-scim-groups-bench.XXXXXX)"
GOLINKS_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" "load generator"
  stop_pid "$GOLINKS_PID" golinks
  if [[ -n "$KEEP_TMP" ]]; then log "kept temp dir $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${DATABASE_URL:-}" ]]; then
  DB_URL="$DATABASE_URL"
else
  DB_URL="sqlite://$TMP/bench.db"
  : >"$TMP/bench.db"
fi
log "database: ${DB_URL%%:*}"
fg_run timeout 120 "$BIN" scim-token create --database-url "$DB_URL" --org default --name bench \
  >"$TMP/token.out" 2>"$TMP/token.err" || die_log "$TMP/token.err" "golinks scim-token create failed"
TOKEN="$(tail -n 1 "$TMP/token.out" | tr -d '\r')"
[[ -n "$TOKEN" && "$TOKEN" != *[[:space:]]* ]] || die_log "$TMP/token.out" "no token from scim-token create"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$DB_URL" \
  --scim-rate-per-sec 1000000 --scim-burst 1000000 >"$TMP/golinks.log" 2>&1 &
GOLINKS_PID=$!
ok=""
for ((i = 0; i < 150; i++)); do # 30 s
  kill -0 "$GOLINKS_PID" 2>/dev/null || die_log "$TMP/golinks.log" "golinks serve exited during startup"
  if curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ok=1; break; fi
  sleep 0.2
done
[[ -n "$ok" ]] || die_log "$TMP/golinks.log" "golinks did not answer /healthz within 30 s"
log "golinks serve on 127.0.0.1:$PORT (pid $GOLINKS_PID)"

cat >"$TMP/groupload.py" <<'PY'
"""SCIM Groups load generator: standard library only."""
import http.client, json, math, os, sys, threading, time

port, token, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
members, samples, full_samples, concurrency = map(int, sys.argv[4:8])
BASE = "/scim/v2"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
TICK = os.sysconf("SC_CLK_TCK")


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + token, "Accept": "application/scim+json"}
        if body is not None:
            headers["Content-Type"] = "application/scim+json"
            body = json.dumps(body)
        t0 = time.perf_counter()
        self.conn.request(method, BASE + path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data, time.perf_counter() - t0


def expect(status, want, data, what):
    if status != want:
        sys.exit(f"bench: {what}: HTTP {status}, expected {want}: {data[:300]!r}")


def cpu():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def create_people(n):
    ids = [None] * n
    def work(start):
        c = Client()
        for i in range(start, n, concurrency):
            name = "member%06d@bench.example" % i
            status, data, _ = c.request("POST", "/Users", {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
                "emails": [{"value": name, "type": "work", "primary": True}], "active": True})
            expect(status, 201, data, "create person")
            ids[i] = json.loads(data)["id"]
    threads = [threading.Thread(target=work, args=(k,)) for k in range(concurrency)]
    for t in threads: t.start()
    for t in threads: t.join()
    if any(i is None for i in ids):
        sys.exit("bench: some people were not created")
    return ids


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))] * 1000


def measure(name, n, op):
    lat, c0 = [], cpu()
    for i in range(n):
        lat.append(op(i))
    used = cpu() - c0
    return {"op": name, "n": n, "p50": pct(lat, 50), "p99": pct(lat, 99),
            "cpu_ms": used * 1000 / n}


people = create_people(members + 1)
spare, people = people[-1], people[:-1]
c = Client()
status, data, _ = c.request("POST", "/Groups", {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Everyone", "members": []})
expect(status, 201, data, "create group")
gid = json.loads(data)["id"]
for k in range(0, members, 1000):
    status, data, _ = c.request("PATCH", f"/Groups/{gid}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": p} for p in people[k:k + 1000]]}]})
    expect(status, 204, data, "fill the group")


def add(_):
    status, data, t = c.request("PATCH", f"/Groups/{gid}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": spare}]}]})
    expect(status, 204, data, "add one member")
    return t


def remove(_):
    status, data, t = c.request("PATCH", f"/Groups/{gid}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{spare}"]'}]})
    expect(status, 204, data, "remove one member")
    return t


def lean(_):
    status, data, t = c.request("GET", f"/Groups/{gid}?excludedAttributes=members")
    expect(status, 200, data, "lean GET")
    if "members" in json.loads(data):
        sys.exit("bench: excludedAttributes=members returned members")
    return t


def full(_):
    status, data, t = c.request("GET", f"/Groups/{gid}")
    expect(status, 200, data, "full GET")
    got = json.loads(data).get("members", [])
    if len(got) != members or len({m["value"] for m in got}) != members:
        sys.exit(f"bench: full GET returned {len(got)} members, expected {members}")
    return t


adds, removes = [], []
c0 = cpu()
add_cpu = remove_cpu = 0.0
for i in range(samples):
    t0 = cpu(); adds.append(add(i)); add_cpu += cpu() - t0
    t0 = cpu(); removes.append(remove(i)); remove_cpu += cpu() - t0
results = [
    {"op": "add", "n": samples, "p50": pct(adds, 50), "p99": pct(adds, 99), "cpu_ms": add_cpu * 1000 / samples},
    {"op": "remove", "n": samples, "p50": pct(removes, 50), "p99": pct(removes, 99), "cpu_ms": remove_cpu * 1000 / samples},
    measure("lean-get", samples, lean),
    measure("full-get", full_samples, full),
]
print(f"{'operation':<10} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'server CPU ms/op':>17}")
for r in results:
    print(f"{r['op']:<10} {r['n']:>6} {r['p50']:>9.2f} {r['p99']:>9.2f} {r['cpu_ms']:>17.2f}")
print("RESULT members=%d " % members + " ".join(
    f"{r['op']}_p50_ms={r['p50']:.2f} {r['op']}_p99_ms={r['p99']:.2f} {r['op']}_cpu_ms={r['cpu_ms']:.2f}"
    for r in results))
PY

log "creating $MEMBERS people and a group of all of them, then measuring"
fg_run timeout 3600 python3 "$TMP/groupload.py" "$PORT" "$TOKEN" "$GOLINKS_PID" \
  "$MEMBERS" "$SAMPLES" "$FULL_SAMPLES" "$CONCURRENCY" || die_log "$TMP/golinks.log" "the load generator failed"
