"""Replica test driver (scripts/replica-test.sh): three golinks servers on one PostgreSQL
database behind HAProxy. Standard library only. Every wait is bounded; timings are printed,
never asserted beyond generous bounds (the lag goal is the benchmark's, bench/change-feed.sh).

Arguments: balancer port, replica ports (comma-separated), the replica to kill's pid file,
and the command that restarts it (JSON list); environment: GOLINKS_BIN, DB_URL, API_TOKEN,
SCIM_TOKEN.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

BALANCER = int(sys.argv[1])
REPLICAS = [int(p) for p in sys.argv[2].split(",")]
KILL_PID_FILE = sys.argv[3]
RESTART = json.loads(sys.argv[4])
BIN, DB_URL = os.environ["GOLINKS_BIN"], os.environ["DB_URL"]
API_TOKEN, SCIM_TOKEN = os.environ["API_TOKEN"], os.environ["SCIM_TOKEN"]
LIMIT = 2.0  # seconds a replica may take to show a change before the test fails
USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def fail(message):
    print("replica-test: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def request(port, method, path, body=None, headers=None, timeout=10):
    """One request on a fresh connection: (status, headers, body). Connection errors raise."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp, resp.read()
    finally:
        conn.close()


def scim(port, method, path, body=None):
    headers = {"Authorization": "Bearer " + SCIM_TOKEN, "Accept": "application/scim+json"}
    if body is not None:
        headers["Content-Type"] = "application/scim+json"
        body = json.dumps(body)
    return request(port, method, "/scim/v2" + path, body, headers)


def user(name):
    return {"schemas": [USER], "userName": name, "active": True,
            "emails": [{"value": name, "type": "work", "primary": True}]}


def create_link(name, url):
    status, _, body = request(BALANCER, "POST", "/_/api/v1/links",
                              json.dumps({"name": name, "url": url}),
                              {"Authorization": "Bearer " + API_TOKEN,
                               "Content-Type": "application/json"})
    if status != 201:
        fail("creating link %s through the balancer: HTTP %d %s" % (name, status, body[:200]))


def location(port, name):
    status, resp, _ = request(port, "GET", "/" + name)
    return resp.getheader("Location") if status == 302 else None


def worst_lag(since, check, what):
    """Polls every replica until `check(port)` holds; fails past LIMIT; returns the worst lag."""
    lags = {}
    while len(lags) < len(REPLICAS):
        for port in REPLICAS:
            if port not in lags and check(port):
                lags[port] = time.perf_counter() - since
        if time.perf_counter() - since > LIMIT:
            late = [p for p in REPLICAS if p not in lags]
            fail("%s: replicas on ports %s took over %.0f s" % (what, late, LIMIT))
        time.sleep(0.002)
    return max(lags.values())


def test_link_everywhere():
    create_link("everywhere", "https://everywhere.example/")
    since = time.perf_counter()
    lag = worst_lag(since, lambda p: location(p, "everywhere") == "https://everywhere.example/",
                    "a new link")
    for _ in REPLICAS:  # round robin: each replica once through the balancer
        if location(BALANCER, "everywhere") != "https://everywhere.example/":
            fail("go/everywhere does not resolve through the balancer")
    print("link created through the balancer resolves on every replica; worst lag %.1f ms "
          "(goal 100 ms)" % (lag * 1000))


def cli(*args):
    out = subprocess.run([BIN, *args, "--database-url", DB_URL, "--org", "default"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fail("golinks %s: %s" % (" ".join(args), out.stderr))
    return out.stdout.strip().splitlines()[-1]


def sign_in(email):
    """A session cookie, from a one-time sign-in link posted as a browser would."""
    path = cli("login-link", "--email", email)
    token = path.rsplit("/", 1)[-1]
    status, resp, _ = request(BALANCER, "POST", "/_/login",
                              urllib.parse.urlencode({"token": token}),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Sec-Fetch-Site": "same-origin"})
    cookie = (resp.getheader("Set-Cookie") or "").split(";")[0]
    if status != 303 or not cookie.startswith("golinks_session="):
        fail("sign-in through the balancer: HTTP %d, cookie %r" % (status, cookie))
    return cookie


def test_deactivation_everywhere():
    email = "leaver@acme.example"
    status, _, body = scim(BALANCER, "POST", "/Users", user(email))
    if status != 201:
        fail("creating %s: HTTP %d %s" % (email, status, body[:200]))
    person = json.loads(body)["id"]
    cookie, token = sign_in(email), cli("api-token", "create", "--email", email)
    by_cookie = lambda p: request(p, "GET", "/_/api/v1/links", headers={"Cookie": cookie})[0]
    by_token = lambda p: request(p, "GET", "/_/api/v1/links",
                                 headers={"Authorization": "Bearer " + token})[0]
    for port in REPLICAS:  # each replica knows (caches) both first
        if (by_cookie(port), by_token(port)) != (200, 200):
            fail("the session or token is refused on port %d before deactivation" % port)
    off = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "value": {"active": False}}]}
    status, _, body = scim(BALANCER, "PATCH", "/Users/" + person, off)
    if status != 200:
        fail("deactivating: HTTP %d %s" % (status, body[:200]))
    since = time.perf_counter()
    lag = worst_lag(since, lambda p: by_cookie(p) == 401 and by_token(p) == 401,
                    "a deactivation")
    print("person deactivated through the balancer is refused on every replica (session and "
          "API token); worst lag %.1f ms" % (lag * 1000))


def create_person(name, outcome):
    """POSTs until the server answers for good, as an identity provider retries: 429 waits
    Retry-After, 409 means an earlier attempt was applied, 5xx and lost connections retry."""
    for _ in range(100):
        try:
            status, resp, _ = scim(BALANCER, "POST", "/Users", user(name))
        except (OSError, http.client.HTTPException):
            outcome["errors"] += 1
            time.sleep(0.1)
            continue
        if status == 201:
            return "created"
        if status == 409:
            return "existed"
        if status == 429:
            outcome["429"] += 1
            time.sleep(float(resp.getheader("Retry-After") or 1))
            continue
        outcome["errors"] += 1
        time.sleep(0.1)
    fail("%s was never created" % name)


def burst(names, threads, outcome, stop=None):
    """Creates `names` from `threads` clients; returns the names acknowledged (201/409)."""
    acked, lock, queue = [], threading.Lock(), list(reversed(names))

    def client():
        while stop is None or not stop.is_set():
            with lock:
                if not queue:
                    return
                name = queue.pop()
            result = create_person(name, outcome)
            with lock:
                acked.append(name)
                outcome[result] += 1

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    return acked


def count(prefix):
    """totalResults for userName starting with `prefix`, and the distinct names listed."""
    names, start, total = set(), 1, None
    while total is None or start <= total:
        query = urllib.parse.urlencode({"filter": 'userName sw "%s"' % prefix,
                                        "startIndex": start, "count": 100})
        status, _, body = scim(BALANCER, "GET", "/Users?" + query)
        if status != 200:
            fail("listing %s*: HTTP %d" % (prefix, status))
        page = json.loads(body)
        total = page["totalResults"]
        names.update(u["userName"] for u in page.get("Resources", []))
        start += 100
        if start > 100000:
            fail("the list does not end")
    return total, names


def test_okta_burst():
    outcome = {"created": 0, "existed": 0, "429": 0, "errors": 0}
    names = ["burst%04d@acme.example" % i for i in range(1000)]
    started = time.perf_counter()
    acked = burst(names, 8, outcome)
    took = time.perf_counter() - started
    total, listed = count("burst")
    if len(acked) != 1000 or total != 1000 or listed != set(names):
        fail("after the burst: %d acknowledged, totalResults %d, %d distinct listed"
             % (len(acked), total, len(listed)))
    print("SCIM burst: 1,000 people from 8 clients in %.1f s (%d created, %d already there, "
          "%d answers 429, %d retried errors); each exists exactly once"
          % (took, outcome["created"], outcome["existed"], outcome["429"], outcome["errors"]))


def redirect_load(stop, counts):
    while not stop.is_set():
        try:
            ok = location(BALANCER, "everywhere") == "https://everywhere.example/"
            counts["ok" if ok else "other"] += 1
        except (OSError, http.client.HTTPException):
            counts["errors"] += 1


def test_kill_one_replica():
    victim_port = REPLICAS[-1]
    with open(KILL_PID_FILE) as f:
        victim = int(f.read())
    stop, outcome = threading.Event(), {"created": 0, "existed": 0, "429": 0, "errors": 0}
    redirects = {"ok": 0, "other": 0, "errors": 0}
    names = ["kill%05d@acme.example" % i for i in range(100000)]
    acked = []
    loaders = [threading.Thread(target=redirect_load, args=(stop, redirects)) for _ in range(2)]
    creator = threading.Thread(target=lambda: acked.extend(burst(names, 4, outcome, stop)))
    for t in loaders + [creator]:
        t.start()
    time.sleep(2)
    os.kill(victim, signal.SIGKILL)
    killed = time.perf_counter()
    time.sleep(1)
    create_link("whiledown", "https://whiledown.example/")
    time.sleep(1)
    stop.set()
    for t in loaders + [creator]:
        t.join(timeout=60)
    print("load while port %d was killed: %d redirects ok, %d other answers, %d errors; "
          "%d SCIM creates acknowledged (%d answers 429, %d retried errors)"
          % (victim_port, redirects["ok"], redirects["other"], redirects["errors"],
             len(acked), outcome["429"], outcome["errors"]))
    total, listed = count("kill")
    missing = set(acked) - listed
    if missing or total != len(listed):
        fail("after the kill: %d acknowledged creates missing (%s), totalResults %d for %d "
             "distinct" % (len(missing), sorted(missing)[:3], total, len(listed)))
    restarted = subprocess.Popen(RESTART, stdout=subprocess.DEVNULL,
                                 stderr=open(KILL_PID_FILE + ".log", "ab"))
    with open(KILL_PID_FILE, "w") as f:
        f.write(str(restarted.pid))
    deadline = time.perf_counter() + 60
    while True:
        try:
            if request(victim_port, "GET", "/healthz", timeout=1)[0] == 200:
                break
        except OSError:
            pass
        if time.perf_counter() > deadline or restarted.poll() is not None:
            fail("the restarted replica never answered /healthz")
        time.sleep(0.05)
    if location(victim_port, "whiledown") != "https://whiledown.example/":
        fail("the restarted replica does not serve the link created while it was down")
    print("every acknowledged create is there once (%d people); the replica restarted %.1f s "
          "after the kill serves the link created while it was down at once"
          % (total, time.perf_counter() - killed))


def main():
    test_link_everywhere()
    test_deactivation_everywhere()
    test_okta_burst()
    test_kill_one_replica()
    print("replica-test: passed")


main()
