#!/usr/bin/env bash
# SCIM 2.0 provisioning benchmark: how fast golinks creates people the way an
# identity provider pushes them, and how fast the lookups Okta and Entra ID
# make before every push (filters on userName / externalId / emails.value,
# GET by id, Okta's "Import Now" paging) answer once the directory is large,
# with the CPU time golinks (and PostgreSQL) spend on each request.
#
# 1. builds golinks (cargo build --release --locked) unless GOLINKS_BIN is set
# 2. for each backend of BACKENDS: a new SQLite database in a temp dir, or a new
#    PostgreSQL database golinks_bench_scim_<pid> made (and dropped on exit) on
#    the server of POSTGRES_URL; or DATABASE_URL if given (one run)
# 3. creates a SCIM token (golinks scim-token create --name bench)
# 4. starts golinks serve on a free loopback port with the rate limit raised
#    out of the way, and waits for /healthz
# 5. POSTs USERS people to /scim/v2/Users from a client with CONCURRENCY
#    keep-alive connections (4, as the issue's identity provider); every answer must be 201
# 6. measures, each with SAMPLES sequential requests on one keep-alive
#    connection: filter userName eq, externalId eq, emails.value eq (random
#    existing person, totalResults must be 1), GET /Users/{id}, the first
#    page and a deep page (startIndex/count=100), and a cursor page (RFC 9865,
#    when ServiceProviderConfig says cursors are supported)
# 7. walks the whole list once by startIndex (what Okta's Import Now does) and
#    once by cursor, checking that every person comes back exactly once
# 8. prints a table per backend and one machine-readable line starting with
#    RESULT, then (with several backends) one combined table
#
# Every phase also reports golinks' CPU time per request (utime + stime, read
# from /proc before and after the measured requests, warm-up excluded), and on
# PostgreSQL that of the database backends serving the bench's database.
#
# Loopback only; every wait and loop is bounded; the server, the temp dir and
# the temp PostgreSQL database are removed on exit (KEEP_TMP=1 keeps the dir).
#
# Environment:
#   BACKENDS=sqlite       "sqlite", "postgres", or "sqlite postgres" (both, one combined table)
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#                         a PostgreSQL server (and a database on it to connect to first)
#                         where the bench may create and drop golinks_bench_scim_<pid>;
#                         its query string is kept. Without TLS by default: the server is
#                         on loopback, as docs/deploy.md advises (drop ?sslmode=disable to
#                         measure with the TLS Debian's PostgreSQL offers)
#   USERS=100000          people to create (USERS=2000 for a quick run; at most 999999)
#   CONCURRENCY=4         client connections POSTing at once during the creates
#   SAMPLES=500           measured requests per read operation (after a short warm-up)
#   WALKS=1               0 skips the full index and cursor walks
#   DATABASE_URL=...      use this database instead (BACKENDS is then ignored), e.g.
#                         postgres://user:pass@127.0.0.1/golinks_bench. It must not
#                         hold the bench's people already (user000000@bench.example...);
#                         the script does not delete what it created there.
#   CARGO_TARGET_DIR=/var/tmp/golinks-target   (CARGO_BUILD_JOBS=1 for a gentler build)
#   GOLINKS_BIN=path      use this binary instead of running cargo build
#   RUST_LOG=warn         passed to golinks serve
#   KEEP_TMP=1            keep the temp dir (database, server log, ids); TMPDIR picks where it goes
#
# The load generator is Python 3 (standard library only: threads, http.client)
# and shares the machine's cores with the server; it prints its own CPU time so
# you can tell when it, not golinks, is the limit.
set -euo pipefail

USERS="${USERS:-100000}"
CONCURRENCY="${CONCURRENCY:-4}"
SAMPLES="${SAMPLES:-500}"
WALKS="${WALKS:-1}"
KEEP_TMP="${KEEP_TMP:-}"
BACKENDS="${BACKENDS:-sqlite}"
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"


for v in USERS CONCURRENCY SAMPLES; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
[[ "$WALKS" == 0 || "$WALKS" == 1 ]] || die "WALKS must be 0 or 1 (got '$WALKS')"
(( USERS <= 999999 )) || die "USERS must be <= 999999 (userNames are user%06d@bench.example)"
(( CONCURRENCY <= 1024 )) || die "CONCURRENCY must be <= 1024"
(( SAMPLES <= 1000000 )) || die "SAMPLES must be <= 1000000"
if [[ -n "${DATABASE_URL:-}" ]]; then
  BACKENDS="given"
else
  for b in $BACKENDS; do
    [[ "$b" == sqlite || "$b" == postgres ]] || die "BACKENDS lists sqlite and/or postgres (got '$BACKENDS')"
  done
  [[ -n "${BACKENDS// /}" ]] || die "BACKENDS is empty"
fi


# --- 1. dependencies ---------------------------------------------------------
command -v curl >/dev/null || apt_install curl || die "could not install curl"
command -v python3 >/dev/null || apt_install python3 || die "could not install python3"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' || die "python3 >= 3.8 is required"
if [[ " $BACKENDS " == *" postgres "* ]]; then
  command -v psql >/dev/null || apt_install postgresql-client || die "could not install psql"
fi

# --- 2. build ----------------------------------------------------------------
build_golinks

# --- 3. temp dir, cleanup ------------------------------------------------------
TMP="$(mktemp -d -t golinks-scim-bench.XXXXXX)"
GOLINKS_PID=""
PG_DB=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD_PID" "load generator"
  stop_pid "$GOLINKS_PID" golinks
  drop_pg_db
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

# POSTGRES_URL with its database replaced by $1 (user, password, host and parameters kept).
pg_url_for() {
  python3 - "$POSTGRES_URL" "$1" <<'PYURL'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
if u.scheme not in ("postgres", "postgresql"):
    sys.exit("POSTGRES_URL must be a postgres:// URL")
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, u.fragment)))
PYURL
}

drop_pg_db() {
  [[ -n "$PG_DB" ]] || return 0
  timeout 60 psql -q -X -v ON_ERROR_STOP=1 "$POSTGRES_URL" \
    -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 \
    || log "WARNING: could not drop the database $PG_DB"
  PG_DB=""
}

# --- 4. load generator ------------------------------------------------------------
cat >"$TMP/scimload.py" <<'PY'
"""SCIM load generator: standard library only (threads + http.client keep-alive)."""
import argparse
import http.client
import json
import math
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

BASE = "/scim/v2"
BODY = (
    '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],'
    '"userName":"user%(n)06d@bench.example","externalId":"ext%(n)06d",'
    '"emails":[{"value":"user%(n)06d@bench.example","type":"work","primary":true}],'
    '"name":{"givenName":"U","familyName":"%(n)06d"},"active":true}'
)
PAGE = 100
RETRYABLE = (http.client.RemoteDisconnected, http.client.CannotSendRequest,
             ConnectionResetError, BrokenPipeError)


class Fail(Exception):
    pass


def user_name(n):
    return "user%06d@bench.example" % n


class Client:
    """One keep-alive connection. A request that finds a reused connection
    closed by the server is sent again once on a new connection."""

    def __init__(self, port, token, timeout):
        self.port, self.timeout = port, timeout
        self.headers = {"Authorization": "Bearer " + token, "Accept": "application/scim+json"}
        self.conn = None
        self.retries = 0

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/scim+json"
        for attempt in (0, 1):
            reused = self.conn is not None and self.conn.sock is not None
            t0 = time.perf_counter()
            try:
                if not reused:
                    self.connect()
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except RETRYABLE:
                self.close()
                if reused and attempt == 0:
                    self.retries += 1
                    continue
                raise
            except Exception:
                self.close()
                raise
            return resp.status, data, time.perf_counter() - t0
        raise AssertionError("unreachable")

    def connect(self):
        self.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.conn.connect()
        # Requests are small and sequential per connection: no Nagle delay.
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def json_of(data, what):
    try:
        return json.loads(data)
    except ValueError as e:
        raise Fail(f"{what}: the body is not JSON ({e}): {data[:200]!r}")


def expect(status, want, data, what):
    if status != want:
        raise Fail(f"{what}: HTTP {status}, expected {want}: {data[:300]!r}")


def pct(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1)
    return sorted_values[min(k, len(sorted_values) - 1)]


def stats(name, latencies, elapsed, key, cpu=None):
    """cpu: (golinks, database) CPU seconds spent on the phase (see CpuMeter), or None."""
    s = sorted(latencies)
    n = len(s)
    row = {"name": name, "key": key, "n": n, "rate": n / elapsed if elapsed > 0 else 0.0,
           "p50": pct(s, 50) * 1000, "p99": pct(s, 99) * 1000, "max": (s[-1] if s else 0) * 1000,
           "cpu_us": None, "db_cpu_us": None}
    if cpu is not None and n:
        row["cpu_us"] = cpu[0] / n * 1e6
        row["db_cpu_us"] = None if cpu[1] is None else cpu[1] / n * 1e6
    return row


class CpuMeter:
    """CPU time the server spends, read from /proc like cpu_ticks in bench/lib.sh (utime + stime),
    but per thread from /proc/PID/task/*/schedstat (nanoseconds) when the kernel has it: a
    look-up costs ~100 us, which the 10 ms clock ticks of /proc/PID/stat cannot resolve over a
    few hundred requests. With a database name, also the PostgreSQL backends serving that
    database (their process title names it), so the database's share is seen too."""

    def __init__(self, pid, db_name):
        self.pid, self.db_name = pid, db_name
        self.hz = os.sysconf("SC_CLK_TCK")

    def process_seconds(self, pid):
        try:
            total = 0
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            return total / 1e9
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            return (int(fields[11]) + int(fields[12])) / self.hz
        except (OSError, ValueError, IndexError):
            return 0.0

    def database_seconds(self):
        if not self.db_name:
            return None
        total = 0.0
        needle = (" " + self.db_name + " ").encode()
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    title = f.read()
            except OSError:
                continue
            if title.startswith(b"postgres: ") and needle in title.replace(b"\0", b" "):
                total += self.process_seconds(pid)
        return total

    def read(self):
        if not self.pid:
            return None
        return (self.process_seconds(self.pid), self.database_seconds())

    @staticmethod
    def spent(before, after):
        if before is None or after is None:
            return None
        db = None if before[1] is None or after[1] is None else max(0.0, after[1] - before[1])
        return (after[0] - before[0], db)


def list_path(**params):
    return BASE + "/Users?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def total_of(client, filt=None, what="count"):
    params = {"count": 0}
    if filt is not None:
        params["filter"] = filt
    status, data, _ = client.request("GET", list_path(**params))
    expect(status, 200, data, what)
    body = json_of(data, what)
    total = body.get("totalResults")
    if not isinstance(total, int):
        raise Fail(f"{what}: totalResults is not an integer: {data[:200]!r}")
    return total


# ---- create -------------------------------------------------------------------
def create_phase(a, client_for, meter):
    n = a.users
    ids = [None] * n
    lat = [0.0] * n
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "retries": 0}
    errors = []
    stop = threading.Event()

    def worker():
        c = client_for()
        try:
            while not stop.is_set():
                with lock:
                    i = state["next"]
                    if i >= n:
                        return
                    state["next"] = i + 1
                what = f"POST /Users for {user_name(i)}"
                try:
                    status, data, dt = c.request("POST", BASE + "/Users", (BODY % {"n": i}).encode())
                    expect(status, 201, data, what)
                    body = json_of(data, what)
                    rid = body.get("id")
                    if not isinstance(rid, str) or not rid:
                        raise Fail(f"{what}: no id in the 201 response: {data[:200]!r}")
                    if str(body.get("userName", "")).lower() != user_name(i):
                        raise Fail(f"{what}: the response's userName is {body.get('userName')!r}")
                except Exception as e:  # noqa: BLE001 - any failure ends the run
                    with lock:
                        errors.append(e if isinstance(e, Fail) else Fail(f"{what}: {type(e).__name__}: {e}"))
                    stop.set()
                    return
                ids[i] = rid
                lat[i] = dt
                with lock:
                    state["done"] += 1
        finally:
            with lock:
                state["retries"] += c.retries
            c.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(a.concurrency, n))]
    cpu0 = time.process_time()
    server0 = meter.read()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    last_report = t0
    for t in threads:
        while t.is_alive():
            t.join(1.0)
            now = time.perf_counter()
            if now - last_report >= 10:
                last_report = now
                with lock:
                    done = state["done"]
                print(f"bench: created {done}/{n} ({done / (now - t0):.0f}/s)", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    server = CpuMeter.spent(server0, meter.read())
    if errors:
        raise errors[0]
    if any(i is None for i in ids):
        raise Fail("some creates did not finish")
    if len(set(ids)) != n:
        raise Fail("two creates returned the same id")
    row = stats(f"POST /Users (create), {a.concurrency} at once", lat, elapsed, "create", server)
    return ids, row, cpu, state["retries"]


# ---- reads --------------------------------------------------------------------
def measure(c, meter, name, key, samples, make, warmup, after_warmup=None):
    """make() -> (path, check) where check(status, data) raises Fail."""
    for _ in range(warmup):
        path, check = make()
        status, data, _ = c.request("GET", path)
        check(status, data)
    if after_warmup is not None:
        after_warmup()
    lat = []
    cpu0 = meter.read()
    t0 = time.perf_counter()
    for _ in range(samples):
        path, check = make()
        status, data, dt = c.request("GET", path)
        check(status, data)
        lat.append(dt)
    elapsed = time.perf_counter() - t0
    return stats(name, lat, elapsed, key, CpuMeter.spent(cpu0, meter.read()))


def one_match(attr, value, case_insensitive, filter_text):
    what = f"GET /Users?filter={filter_text}"

    def check(status, data):
        expect(status, 200, data, what)
        body = json_of(data, what)
        res = body.get("Resources") or []
        if body.get("totalResults") != 1 or len(res) != 1:
            raise Fail(f"{what}: totalResults {body.get('totalResults')!r} with {len(res)} resources, expected 1")
        got = res[0]
        for part in attr.split("."):
            got = got.get(part) if isinstance(got, dict) else None
            if isinstance(got, list):
                got = next((e.get("value") for e in got if isinstance(e, dict)
                            and str(e.get("value", "")).lower() == value.lower()), None)
                break
        if got is None or (str(got).lower() != value.lower() if case_insensitive else got != value):
            raise Fail(f"{what}: the match has {attr} {got!r}")
    return check


def filter_maker(attr, value_of, users, case_insensitive=False):
    def make():
        value = value_of(random.randrange(users))
        f = f'{attr} eq "{value}"'
        return list_path(filter=f), one_match(attr, value, case_insensitive, f)
    return make


def page_check(what, total, want_items, want_start=None, mismatches=None):
    """A page must have want_items resources and totalResults == total (every match of
    the query, RFC 7644 §3.4.2). With `mismatches`, a wrong totalResults is counted there
    (reported as a warning) instead of failing the run."""
    def check(status, data):
        expect(status, 200, data, what)
        body = json_of(data, what)
        res = body.get("Resources")
        if body.get("totalResults") != total:
            if mismatches is None:
                raise Fail(f"{what}: totalResults {body.get('totalResults')!r}, expected {total}")
            mismatches.append(body.get("totalResults"))
        if not isinstance(res, list) or len(res) != want_items:
            raise Fail(f"{what}: {len(res) if isinstance(res, list) else res!r} resources, expected {want_items}")
        if want_start is not None and body.get("startIndex") != want_start:
            raise Fail(f"{what}: startIndex {body.get('startIndex')!r}, expected {want_start}")
    return check


def index_walk(c, total):
    """Okta's Import Now: startIndex=1, 101, ... until a page comes back short."""
    seen = set()
    start = 1
    pages = 0
    t0 = time.perf_counter()
    for _ in range(total // PAGE + 2):
        path = list_path(startIndex=start, count=PAGE)
        status, data, _ = c.request("GET", path)
        expect(status, 200, data, "GET " + path)
        body = json_of(data, "GET " + path)
        res = body.get("Resources") or []
        pages += 1
        seen.update(r.get("id") for r in res)
        if len(res) < PAGE:
            break
        start += PAGE
    else:
        raise Fail(f"index walk: still getting full pages after {pages} pages")
    elapsed = time.perf_counter() - t0
    if len(seen) != total:
        raise Fail(f"index walk: saw {len(seen)} distinct people, expected {total}")
    return elapsed, pages


def cursor_walk(c, total):
    """RFC 9865: cursor= (empty) for the first page, then nextCursor until absent.
    Returns the cursors met with the size of the page each one gives."""
    seen = set()
    cursors = []
    cursor = ""
    t0 = time.perf_counter()
    for _ in range(total // PAGE + 2):
        path = list_path(cursor=cursor, count=PAGE)
        status, data, _ = c.request("GET", path)
        expect(status, 200, data, "GET " + path)
        body = json_of(data, "GET " + path)
        res = body.get("Resources") or []
        cursors.append((cursor, len(res)))
        seen.update(r.get("id") for r in res)
        nxt = body.get("nextCursor")
        if not nxt:
            break
        cursor = nxt
    else:
        raise Fail(f"cursor walk: still getting a nextCursor after {len(cursors)} pages")
    elapsed = time.perf_counter() - t0
    if len(seen) != total:
        raise Fail(f"cursor walk: saw {len(seen)} distinct people, expected {total}")
    return elapsed, cursors


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return None


def print_table(title, rows, walks, with_db):
    print(title)
    head = f"{'operation':<38} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU us/op':>10}"
    print(head + (f" {'DB CPU us/op':>13}" if with_db else ""))
    for r in rows:
        line = (f"{r['name']:<38} {r['n']:>9} {r['rate']:>9.1f} {r['p50']:>8.3f} {r['p99']:>8.3f} "
                f"{r['max']:>8.3f} {fmt_us(r['cpu_us']):>10}")
        print(line + (f" {fmt_us(r['db_cpu_us']):>13}" if with_db else ""))
    for key, label in (("index_walk", "full walk by startIndex"), ("cursor_walk", "full walk by cursor")):
        if key + "_s" in walks:
            print(f"{label:<38} {walks[key + '_pages']:>9} pages in {walks[key + '_s']:.2f} s")


def fmt_us(v):
    return "-" if v is None else f"{v:.0f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--concurrency", type=int, required=True)
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--walks", type=int, default=1)
    p.add_argument("--cursor", choices=["yes", "no"], default="yes")
    p.add_argument("--backend", default="?")
    p.add_argument("--server-pid", type=int, default=0)
    p.add_argument("--db-name", default="", help="PostgreSQL database whose backends' CPU to count")
    p.add_argument("--ids-out", default="")
    p.add_argument("--json-out", default="")
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    with open(a.token_file) as f:
        token = f.read().strip()
    client_for = lambda: Client(a.port, token, a.timeout)  # noqa: E731
    meter = CpuMeter(a.server_pid, a.db_name)
    random.seed(12345)

    c = client_for()
    base_total = total_of(c, what="GET /Users?count=0")
    already = total_of(c, f'userName eq "{user_name(0)}"', "GET /Users?filter=userName eq (before creating)")
    if already:
        raise Fail(f"the database already holds {user_name(0)}: run on a fresh database")
    c.close()

    print(f"bench: creating {a.users} people, {a.concurrency} at a time "
          f"({base_total} already in the organization)", file=sys.stderr, flush=True)
    ids, create, create_cpu, retries = create_phase(a, client_for, meter)
    if a.ids_out:
        with open(a.ids_out, "w") as f:
            f.write("\n".join(ids) + "\n")
    total = base_total + a.users
    print(f"bench: created {a.users} in {create['n'] / create['rate']:.1f} s; measuring reads "
          f"({a.samples} sequential requests each)", file=sys.stderr, flush=True)

    warmup = min(20, a.samples)
    c = client_for()
    cpu0 = time.process_time()
    rows = [create]
    rows.append(measure(c, meter, 'GET filter userName eq', "username_eq", a.samples,
                        filter_maker("userName", user_name, a.users, True), warmup))
    rows.append(measure(c, meter, 'GET filter externalId eq', "externalid_eq", a.samples,
                        filter_maker("externalId", lambda n: "ext%06d" % n, a.users), warmup))
    rows.append(measure(c, meter, 'GET filter emails.value eq', "email_eq", a.samples,
                        filter_maker("emails.value", user_name, a.users, True), warmup))

    def by_id():
        rid = ids[random.randrange(a.users)]
        what = f"GET /Users/{rid}"

        def check(status, data):
            expect(status, 200, data, what)
            got = json_of(data, what).get("id")
            if got != rid:
                raise Fail(f"{what}: the body's id is {got!r}")
        return f"{BASE}/Users/{rid}", check
    rows.append(measure(c, meter, "GET /Users/{id}", "get_id", a.samples, by_id, warmup))

    first = list_path(startIndex=1, count=PAGE)
    first_check = page_check("GET " + first, total, min(PAGE, total), 1)
    rows.append(measure(c, meter, f"GET page startIndex=1 count={PAGE}", "page_first", a.samples,
                        lambda: (first, first_check), warmup))
    deep_start = max(1, total - PAGE)
    deep = list_path(startIndex=deep_start, count=PAGE)
    deep_check = page_check("GET " + deep, total, min(PAGE, total - deep_start + 1), deep_start)
    rows.append(measure(c, meter, "GET page startIndex=total-100", "page_deep", a.samples,
                        lambda: (deep, deep_check), warmup))

    walks = {}
    cursors = None
    cursor_totals = []
    if a.walks:
        print("bench: walking the whole list by startIndex (Import Now)", file=sys.stderr, flush=True)
        walks["index_walk_s"], walks["index_walk_pages"] = index_walk(c, total)
    if a.cursor == "yes":
        if a.walks:
            print("bench: walking the whole list by cursor", file=sys.stderr, flush=True)
        # Without WALKS the cursors still have to be met once to be sampled.
        cursor_s, cursors = cursor_walk(c, total)
        if a.walks:
            walks["cursor_walk_s"], walks["cursor_walk_pages"] = cursor_s, len(cursors)

        def cursor_page():
            cur, size = cursors[random.randrange(len(cursors))]
            path = list_path(cursor=cur, count=PAGE)
            return path, page_check("GET " + path, total, size, mismatches=cursor_totals)
        rows.append(measure(c, meter, "GET page cursor (random)", "page_cursor", a.samples, cursor_page,
                            warmup, after_warmup=cursor_totals.clear))
    read_cpu = time.process_time() - cpu0
    retries += c.retries
    c.close()

    rss = rss_mb(a.server_pid) if a.server_pid else None
    print()
    print_table(f"SCIM benchmark: {a.users} users created, {a.concurrency} at once, {a.backend}; reads: "
                f"{a.samples} sequential keep-alive requests each (page size {PAGE}); CPU: golinks' "
                f"(utime+stime) per request" + (", DB: the PostgreSQL backends'" if a.db_name else ""),
                rows, walks, bool(a.db_name))
    if a.cursor != "yes":
        print("cursor paging: not advertised in ServiceProviderConfig, skipped")
    if cursor_totals:
        print(f"WARNING: {len(cursor_totals)} of {a.samples} cursor pages had a totalResults other than {total} "
              f"(e.g. {cursor_totals[0]!r}); RFC 7644 §3.4.2 makes it the count of all matches")
    print(f"load generator CPU: {create_cpu:.1f} s during creates ({create_cpu / (create['n'] / create['rate']):.0%} "
          f"of one core), {read_cpu:.1f} s during reads; connection retries: {retries}")
    if rss is not None:
        print(f"golinks peak RSS: {rss:.1f} MiB")

    fields = [f"users={a.users}", f"concurrency={a.concurrency}", f"backend={a.backend}", f"samples={a.samples}",
              f"create_rps={create['rate']:.1f}", f"create_s={create['n'] / create['rate']:.1f}"]
    for r in rows:
        fields += [f"{r['key']}_p50_ms={r['p50']:.3f}", f"{r['key']}_p99_ms={r['p99']:.3f}"]
        if r["cpu_us"] is not None:
            fields.append(f"{r['key']}_cpu_us={r['cpu_us']:.1f}")
        if r["db_cpu_us"] is not None:
            fields.append(f"{r['key']}_db_cpu_us={r['db_cpu_us']:.1f}")
    for k in ("index_walk_s", "cursor_walk_s"):
        if k in walks:
            fields.append(f"{k}={walks[k]:.3f}")
    if rss is not None:
        fields.append(f"server_rss_mb={rss:.1f}")
    if a.cursor == "yes":
        fields.append(f"cursor_total_mismatches={len(cursor_totals)}")
    fields.append(f"retries={retries}")
    print("RESULT " + " ".join(fields))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"backend": a.backend, "users": a.users, "concurrency": a.concurrency,
                       "samples": a.samples, "rows": rows, "walks": walks, "rss_mb": rss}, f)


def combine(paths):
    """One table for several runs (BACKENDS="sqlite postgres"): p50, p99 and CPU per request."""
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    first = runs[0]
    print()
    print(f"SCIM benchmark, {first['users']} people, creates {first['concurrency']} at once, "
          f"{first['samples']} sequential requests per read; CPU = golinks' us per request "
          f"(+ the PostgreSQL backends')")
    head = f"{'operation':<38}"
    for run in runs:
        head += f" | {run['backend'] + ' p50 ms':>18} {'p99 ms':>8} {'CPU us':>12}"
    print(head)
    for i, row in enumerate(first["rows"]):
        line = f"{row['name']:<38}"
        for run in runs:
            r = next((x for x in run["rows"] if x["key"] == row["key"]), None)
            if r is None:
                line += f" | {'-':>18} {'-':>8} {'-':>12}"
                continue
            cpu = fmt_us(r["cpu_us"]) + ("" if r["db_cpu_us"] is None else f"+{fmt_us(r['db_cpu_us'])}")
            line += f" | {r['p50']:>18.3f} {r['p99']:>8.3f} {cpu:>12}"
        print(line)
    line = f"{'creates: total time':<38}"
    for run in runs:
        c = run["rows"][0]
        line += f" | {c['n'] / c['rate'] if c['rate'] else 0:>17.1f}s {'':>8} {'':>12}"
    print(line)
    for key, label in (("index_walk", "walk by startIndex"), ("cursor_walk", "walk by cursor")):
        if all(key + "_s" in run["walks"] for run in runs):
            line = f"{label:<38}"
            for run in runs:
                line += f" | {run['walks'][key + '_s']:>17.2f}s {run['walks'][key + '_pages']:>5} pages{'':>7}"
            print(line)


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--combine"]:
            combine(sys.argv[2:])
        else:
            main()
    except Fail as e:
        print(f"bench: ERROR: {e}", file=sys.stderr)
        sys.exit(1)
    except (OSError, http.client.HTTPException) as e:
        print(f"bench: ERROR: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
PY

# --- 5. one run per backend ------------------------------------------------------

# run_backend NAME DB_URL [PG_DATABASE]: token, server, load generator, server stopped.
run_backend() {
  local name="$1" db_url="$2" db_name="${3:-}" dir="$TMP/$1" i ok="" code port
  mkdir -p "$dir"
  # Only the backend's name is logged: the URL may hold a password.
  log "== $name: database ready; creating a SCIM token"
  fg_run timeout 120 "$BIN" scim-token create --database-url "$db_url" --org default --name bench \
    >"$dir/token.out" 2>"$dir/token.err" || die_log "$dir/token.err" "golinks scim-token create failed"
  TOKEN="$(tail -n 1 "$dir/token.out" | tr -d '\r')"
  [[ -n "$TOKEN" && "$TOKEN" != *[[:space:]]* ]] || die_log "$dir/token.out" "no token on the last line of scim-token create's output"
  (umask 077 && printf '%s\n' "$TOKEN" >"$dir/token")

  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  [[ "$port" =~ ^[0-9]+$ ]] || die "could not pick a free port"
  RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve --listen "127.0.0.1:$port" --database-url "$db_url" \
    --scim-rate-per-sec 1000000 --scim-burst 1000000 >"$dir/golinks.log" 2>&1 &
  GOLINKS_PID=$!
  for ((i = 0; i < 150; i++)); do # 150 x 0.2 s = 30 s
    kill -0 "$GOLINKS_PID" 2>/dev/null || die_log "$dir/golinks.log" "golinks serve exited during startup"
    if curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n "$ok" ]] || die_log "$dir/golinks.log" "golinks did not answer /healthz within 30 s"
  code="$(curl -sS --max-time 5 -o "$dir/spc.json" -w '%{http_code}' \
    "http://127.0.0.1:$port/scim/v2/ServiceProviderConfig")" || die_log "$dir/golinks.log" "GET /scim/v2/ServiceProviderConfig failed"
  [[ "$code" == 200 ]] || die_log "$dir/spc.json" "GET /scim/v2/ServiceProviderConfig returned HTTP $code (is SCIM in this build?)"
  log "golinks serve on 127.0.0.1:$port (pid $GOLINKS_PID), SCIM answers"

  local cursor=no
  if python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])).get("pagination", {}).get("cursor") is True else 1)' \
    "$dir/spc.json" 2>/dev/null; then
    cursor=yes
  fi
  # Bounded: assumes at least 20 creates/s and 20 reads/s, plus 10 minutes.
  local load_timeout=$((600 + USERS / 20 + 8 * SAMPLES / 20 + (WALKS * USERS / 100) * 2))
  fg_run timeout "$load_timeout" python3 "$TMP/scimload.py" --port "$port" --token-file "$dir/token" \
    --users "$USERS" --concurrency "$CONCURRENCY" --samples "$SAMPLES" --walks "$WALKS" --cursor "$cursor" \
    --backend "$name" --server-pid "$GOLINKS_PID" --db-name "$db_name" --ids-out "$dir/ids.txt" \
    --json-out "$TMP/result-$name.json" \
    || die_log "$dir/golinks.log" "the load generator failed (or ran past ${load_timeout} s)"
  kill -0 "$GOLINKS_PID" 2>/dev/null || die_log "$dir/golinks.log" "golinks serve exited during the run"
  stop_pid "$GOLINKS_PID" golinks
  GOLINKS_PID=""
}

RESULTS=()
if [[ "$BACKENDS" == given ]]; then
  run_backend "${DATABASE_URL%%:*}" "$DATABASE_URL"
  RESULTS+=("$TMP/result-${DATABASE_URL%%:*}.json")
else
  for backend in $BACKENDS; do
    case "$backend" in
      sqlite)
        : >"$TMP/bench.db" # an empty file is a valid empty SQLite database
        run_backend sqlite "sqlite://$TMP/bench.db"
        ;;
      postgres)
        PG_DB="golinks_bench_scim_$$"
        timeout 60 psql -q -X -v ON_ERROR_STOP=1 "$POSTGRES_URL" -c "CREATE DATABASE $PG_DB" >/dev/null \
          || die "could not create the database $PG_DB on the server of POSTGRES_URL"
        run_backend postgres "$(pg_url_for "$PG_DB")" "$PG_DB"
        drop_pg_db
        ;;
    esac
    RESULTS+=("$TMP/result-$backend.json")
  done
fi
if (( ${#RESULTS[@]} > 1 )); then
  python3 "$TMP/scimload.py" --combine "${RESULTS[@]}"
fi
