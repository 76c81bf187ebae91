#!/usr/bin/env bash
# Installs golinks as a service: the binary in /usr/local/bin, the systemd unit in
# /etc/systemd/system, an example settings file in /etc/golinks, this guide in
# /usr/local/share/doc/golinks, and the `golinks` system user if it is missing.
# `make install` runs it after a release build.
#
#   GOLINKS_BIN   the binary to install (default: $CARGO_TARGET_DIR/release/golinks)
#   DESTDIR       stage everything under this directory instead of / (packaging, tests);
#                 with DESTDIR no user is created and systemd is not told.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GOLINKS_BIN:-${CARGO_TARGET_DIR:-/var/tmp/golinks-target}/release/golinks}"
dest="${DESTDIR:-}"
[ -x "$bin" ] || { echo "no golinks binary at $bin (run: make build)" >&2; exit 1; }
sudo_cmd=""; [ -n "$dest" ] || [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

$sudo_cmd install -D -m 0755 "$bin" "$dest/usr/local/bin/golinks"
$sudo_cmd install -D -m 0644 deploy/golinks.service "$dest/etc/systemd/system/golinks.service"
$sudo_cmd install -D -m 0644 docs/deploy.md "$dest/usr/local/share/doc/golinks/deploy.md"
if [ ! -e "$dest/etc/golinks/golinks.env" ]; then
  $sudo_cmd install -D -m 0640 deploy/golinks.env "$dest/etc/golinks/golinks.env"
fi

if [ -z "$dest" ]; then
  if ! getent passwd golinks >/dev/null; then
    $sudo_cmd useradd --system --user-group --home-dir /var/lib/golinks --no-create-home \
      --shell /usr/sbin/nologin golinks
  fi
  $sudo_cmd chgrp golinks /etc/golinks/golinks.env
  if [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl daemon-reload
    echo "installed; start it with: systemctl enable --now golinks"
  else
    echo "installed (systemd is not running here: start /usr/local/bin/golinks serve yourself)"
  fi
else
  echo "staged under $dest"
fi
