# shellcheck shell=bash
# Sourced by the end-to-end scripts (browser-tests.sh, caddy-test.sh): a debug build of
# golinks in `$bin`, a temporary directory `$work` removed on exit with every process whose
# pid is added to `pids`, `free_port` for a free loopback port, and `need COMMAND PACKAGE`,
# which installs Debian's PACKAGE when COMMAND is missing.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/golinks-target}"
cargo build --locked --quiet
# shellcheck disable=SC2034 # used by the scripts that source this file
bin="$CARGO_TARGET_DIR/debug/golinks"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing $2"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$2"
}
