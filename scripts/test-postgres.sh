#!/usr/bin/env bash
# Makes sure a PostgreSQL server is there for the store tests and prints its URL.
# Uses GOLINKS_TEST_POSTGRES_URL when set; otherwise the local server on 127.0.0.1:5432
# (installed with apt-get and started if missing). Everything else goes to stderr.
set -euo pipefail

can_connect() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

if [ -n "${GOLINKS_TEST_POSTGRES_URL:-}" ]; then
  echo "$GOLINKS_TEST_POSTGRES_URL"
  exit 0
fi

sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "installing PostgreSQL" >&2
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql postgresql-client >&2
fi
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version" >&2
  $sudo_cmd pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done

trust_url="postgres://postgres@127.0.0.1:5432/test"
password_url="postgres://postgres:golinks-test@127.0.0.1:5432/test"
if can_connect "$trust_url"; then
  echo "$trust_url"
  exit 0
fi
if can_connect "$password_url"; then
  echo "$password_url"
  exit 0
fi
# A fresh Debian cluster asks for a password on TCP: give the test role one, and make the
# database the tests connect to.
echo "preparing the postgres role and the test database" >&2
$sudo_cmd -u postgres psql -qc "ALTER USER postgres PASSWORD 'golinks-test'" >&2 2>/dev/null ||
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'golinks-test'\"" >&2
su postgres -c "psql -Atqc \"SELECT 1 FROM pg_database WHERE datname = 'test'\"" | grep -q 1 ||
  su postgres -c "createdb test" >&2
can_connect "$password_url" || { echo "cannot connect to PostgreSQL at 127.0.0.1:5432" >&2; exit 1; }
echo "$password_url"
