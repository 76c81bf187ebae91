#!/usr/bin/env bash
# Installs what building golinks needs on Debian or Ubuntu: a C compiler (SQLite is built
# in), pkg-config, curl, and a Rust toolchain if there is none. Safe to run again.
set -euo pipefail

need=()
for tool in cc make pkg-config curl; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing build tools (missing: ${need[*]})"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq build-essential pkg-config curl
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "cargo is in ~/.cargo/bin: add it to PATH (source ~/.cargo/env)" >&2
  else
    echo "no Rust toolchain: installing rustup from the distribution" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq rustup
    rustup default stable
  fi
fi
cargo --version
