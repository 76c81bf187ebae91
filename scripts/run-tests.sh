#!/usr/bin/env bash
# Runs the whole test suite and ends with one line totalling every test binary's results.
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The deployment tests check the systemd unit with systemd-analyze (Debian's systemd package
# has it even where systemd is not running).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq systemd
fi
# The metrics test checks the exposition with promtool (Debian package prometheus). Its
# postinst would start a Prometheus server on :9090 (and the recommended node exporter on
# :9100): install without recommends, keep the service from starting (policy-rc.d) and from
# starting at boot.
if ! command -v promtool >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  policy_rc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
    $sudo_cmd chmod +x /usr/sbin/policy-rc.d
    policy_rc=1
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus || status=$?
  [ -n "$policy_rc" ] && $sudo_cmd rm -f /usr/sbin/policy-rc.d
  if [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  [ "$status" -eq 0 ] || { echo "cannot install prometheus (promtool)" >&2; exit "$status"; }
fi
# The SAML tests' identity provider runs on pysaml2 from this environment.
GOLINKS_TEST_PYTHON=$("$(dirname "$0")/test-venv.sh")
export GOLINKS_TEST_PYTHON
cargo test --locked --workspace 2>&1 | tee "$log" || status=$?
# A PostgreSQL test without a server passes after printing "skipped: …": count it as skipped.
awk '/^test result:/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     /skipped: GOLINKS_TEST_POSTGRES_URL/ { skip++ }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p - skip, f, s + skip }' "$log"
exit "$status"
