#!/usr/bin/env bash
# Installs what building golinks needs on Debian or Ubuntu: a C compiler (SQLite is built
# in), pkg-config, curl, the XML security libraries SAML signature checks use (xmlsec1 with
# OpenSSL, libxml2; libclang for their bindings), and a Rust toolchain if there is none.
# Safe to run again.
set -euo pipefail

packages=(build-essential pkg-config curl libxmlsec1-dev libxml2-dev libxslt1-dev libssl-dev libclang-dev)
need=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing build dependencies (missing: ${need[*]})"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
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
