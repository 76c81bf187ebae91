#!/usr/bin/env bash
# The web UI in a real browser: a golinks server on SQLite and the test IdP (pysaml2) on
# loopback, driven by playwright-core in Debian's chromium (tests/browser/ui.test.mjs); then
# the browser extension, built by scripts/build-extension.sh and loaded into chromium, against
# a second golinks server of its own (tests/browser/extension.test.mjs).
# Screenshots of every page go to target/screenshots/. Installs chromium, Node.js packages and
# the Python test tools if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi
python=$(./scripts/test-venv.sh)
(cd tests/browser && npm ci --no-audit --no-fund --silent)
# shellcheck source=scripts/e2e-lib.sh
source scripts/e2e-lib.sh
idp_port=$(free_port)
export IDP_SSO_URL="http://127.0.0.1:$idp_port/sso"
"$python" -W ignore crates/golinks/tests/saml/idp.py metadata >"$work/idp.xml"
"$python" -W ignore crates/golinks/tests/saml/idp.py http "$idp_port" 2>"$work/idp.log" &
pids+=($!)

# start_golinks NAME: a golinks server on a new SQLite database that trusts the test IdP;
# sets $base and $db.
start_golinks() {
  local port
  port=$(free_port)
  db="sqlite://$work/$1.db"
  base="http://127.0.0.1:$port"
  "$bin" sso configure --database-url "$db" --org default --idp-metadata "$work/idp.xml" >/dev/null
  # Ann administers golinks; Bob is a colleague with a title and a department from SCIM later.
  "$bin" user create --database-url "$db" --org default --email ann@acme.example --name "Ann Example" --role admin >/dev/null
  "$bin" user create --database-url "$db" --org default --email bob@acme.example --name "Bob Builder" >/dev/null
  "$bin" serve --listen "127.0.0.1:$port" --database-url "$db" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    sleep 0.1
  done
}

mkdir -p target/screenshots
status=0
run_test() {
  local name=$1 test_status=0
  shift
  env GOLINKS_URL="$base" GOLINKS_BIN="$bin" GOLINKS_DB="$db" SCREENSHOTS="$root/target/screenshots" \
    "$@" node "tests/browser/$name.test.mjs" || test_status=$?
  if [ "$test_status" -ne 0 ]; then
    status=$test_status
    echo "--- golinks log ($name)"; tail -n 40 "$work/$name.log"
    echo "--- IdP log"; tail -n 40 "$work/idp.log"
  fi
}

# BROWSER_TESTS="extension" runs only that one.
for name in ${BROWSER_TESTS:-ui teams extension}; do
  start_golinks "$name"
  case $name in
    extension)
      ./scripts/build-extension.sh
      run_test extension EXTENSION_DIR="$root/target/extension/chrome" ;;
    *) run_test "$name" ;;
  esac
done
exit "$status"
