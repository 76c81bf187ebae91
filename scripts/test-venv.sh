#!/usr/bin/env bash
# Prepares the Python environment the tests use (scripts/requirements-test.txt) and Debian's
# xmlsec1, which pysaml2 signs with; prints the environment's python. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=/var/tmp/golinks-venv
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
need=()
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >&2
fi
stamp="$venv/.requirements"
if ! cmp -s scripts/requirements-test.txt "$stamp" 2>/dev/null; then
  echo "installing the test tools into $venv" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r scripts/requirements-test.txt >&2
  cp scripts/requirements-test.txt "$stamp"
fi
echo "$venv/bin/python"
