#!/usr/bin/env bash
# End to end behind Caddy (docs/deploy.md, "Caddy"): Debian's caddy with `tls internal` in
# front of golinks on loopback, run with the Caddyfile example of docs/deploy.md, then
#   1. a full SAML sign-in over HTTPS with the test IdP (pysaml2), cookies in a jar as a
#      browser keeps them (the SAML binding cookie from /saml/login through to /saml/acs);
#   2. `go/docs` on the short alias host `http://go`: 302 to the canonical base URL, where
#      the session cookie resolves it to the destination, path and query intact;
#   3. golinks sees the client's address through --trusted-proxies, not Caddy's 127.0.0.1:
#      the sign-in rate limit counts per forwarded address (clients on 127.0.0.2 and
#      127.0.0.3), and the log names 127.0.0.2.
# All Caddy state lives in a temporary directory; nothing is installed in the system's trust
# store. Fails loudly if caddy cannot start. Installs caddy if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(./scripts/test-venv.sh)
# shellcheck source=scripts/e2e-lib.sh
source scripts/e2e-lib.sh
need caddy caddy
fail() {
  echo "caddy-test: FAILED: $*" >&2
  echo "--- golinks log"; tail -n 40 "$work/golinks.log" || true
  echo "--- caddy log"; tail -n 40 "$work/caddy.log" || true
  exit 1
}
app_port=$(free_port); http_port=$(free_port); https_port=$(free_port)
site="go.acme.example"
base="https://$site:$https_port"
db="sqlite://$work/golinks.db"

# golinks: SSO with the test IdP, one link, the canonical base URL, Caddy as trusted proxy.
# A small sign-in allowance so that step 3 can exhaust it per address.
export IDP_SSO_URL="http://127.0.0.1:9/sso"   # never followed: this script plays the browser
"$python" -W ignore crates/golinks/tests/saml/idp.py metadata >"$work/idp.xml"
"$bin" sso configure --database-url "$db" --org default --idp-metadata "$work/idp.xml" >/dev/null
"$bin" user create --database-url "$db" --org default --email ann@acme.example --name "Ann Example" >/dev/null
echo '{"Short":"docs","Long":"https://wiki.example/docs","Owner":"ann@acme.example"}' >"$work/links.jsonl"
"$bin" links import --database-url "$db" --org default "$work/links.jsonl" >/dev/null
"$bin" serve --listen "127.0.0.1:$app_port" --database-url "$db" --base-url "$base" \
  --trusted-proxies 127.0.0.1/32 --sign-in-rate-per-min 1 --sign-in-burst 3 \
  >"$work/golinks.log" 2>&1 &
pids+=($!)

# Caddy: the example of docs/deploy.md, its first ```caddyfile block, with this test's
# ports (global options), `tls internal` (the doc's advice for an inside-only name) and the
# upstream on this test's port. Everything else is the doc's text.
awk '/^### Caddy/{c=1} c&&/^```caddyfile/{p=1;next} p&&/^```/{exit} p' docs/deploy.md >"$work/example"
grep -q "^$site {" "$work/example" || fail "no '$site {' site in the Caddyfile example of docs/deploy.md"
grep -q "http://go," "$work/example" || fail "no http://go site in the Caddyfile example of docs/deploy.md"
{
  printf '{\n\tadmin off\n\thttp_port %s\n\thttps_port %s\n\tskip_install_trust\n}\n\n' "$http_port" "$https_port"
  sed -e "s/^$site {/$site {\n\ttls internal/" -e "s/127\.0\.0\.1:8080/127.0.0.1:$app_port/" "$work/example"
} >"$work/Caddyfile"
mkdir -p "$work/home"
HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" \
  caddy run --config "$work/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
caddy_pid=$!
pids+=("$caddy_pid")
ca="$work/data/caddy/pki/authorities/local/root.crt"
for _ in $(seq 1 100); do
  kill -0 "$caddy_pid" 2>/dev/null || fail "caddy exited at start"
  [ -s "$ca" ] && curl -fsS -o /dev/null --cacert "$ca" --resolve "$site:$https_port:127.0.0.1" \
    "$base/healthz" 2>/dev/null && break
  sleep 0.2
done
[ -s "$ca" ] || fail "caddy made no internal CA in $work/data"

# curl as the browser of a client at address $1, with its own cookie jar; both names reach
# Caddy on loopback.
browse() {
  local from=$1; shift
  curl -sS --interface "$from" --cacert "$ca" -b "$work/jar.$from" -c "$work/jar.$from" \
    --resolve "$site:$https_port:127.0.0.1" --resolve "go:$http_port:127.0.0.1" "$@"
}
header() { tr -d '\r' | awk -v h="$1" 'tolower($1)==tolower(h)":" {print $2}'; }
status_of() { tr -d '\r' | awk 'NR==1 {print $2}'; }

# HTML pages carry HSTS (the base URL is https); /healthz answers on the alias too.
curl -fsS --cacert "$ca" --resolve "$site:$https_port:127.0.0.1" -D "$work/h" -o /dev/null "$base/_/signed-out" \
  || fail "golinks does not answer through Caddy over HTTPS"
grep -qi '^strict-transport-security:' "$work/h" || fail "no HSTS on a page through Caddy"
curl -fsS --resolve "go:$http_port:127.0.0.1" -o /dev/null "http://go:$http_port/healthz" \
  || fail "/healthz on the alias host through Caddy"

# 1. SAML sign-in over HTTPS, from 127.0.0.3.
me=127.0.0.3
browse $me -D "$work/login.h" -o /dev/null "$base/saml/login?next=/docs" || fail "GET /saml/login"
[ "$(status_of <"$work/login.h")" = 302 ] || fail "/saml/login did not redirect to the IdP"
idp_url=$(header location <"$work/login.h")
browse $me -o "$work/metadata.xml" -f "$base/saml/metadata" || fail "GET /saml/metadata"
IDP_URL="$idp_url" NAME_ID=ann@acme.example METADATA="$work/metadata.xml" "$python" -W ignore -c '
import base64, json, os, urllib.parse, zlib
from lxml import etree
q = urllib.parse.parse_qs(urllib.parse.urlparse(os.environ["IDP_URL"]).query)
req = etree.fromstring(zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15))
issuer = req.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer").text
print(json.dumps({"sp_metadata": open(os.environ["METADATA"]).read(),
  "acs": req.attrib["AssertionConsumerServiceURL"], "sp_entity_id": issuer,
  "name_id": os.environ["NAME_ID"], "in_response_to": req.attrib["ID"]}))
' >"$work/respond.json" || fail "cannot read the AuthnRequest"
acs=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["acs"])' "$work/respond.json")
[ "$acs" = "$base/saml/acs" ] || fail "the ACS URL is $acs, not on the base URL $base"
"$python" -W ignore crates/golinks/tests/saml/idp.py respond <"$work/respond.json" >"$work/saml" \
  || fail "the test IdP did not answer"
browse $me -D "$work/acs.h" -o /dev/null --data-urlencode "SAMLResponse@$work/saml" "$acs" || fail "POST /saml/acs"
[ "$(status_of <"$work/acs.h")" = 303 ] || fail "the ACS answered $(status_of <"$work/acs.h"), not 303"
grep -qi '^set-cookie: __Host-golinks_session=' "$work/acs.h" || fail "no __Host- session cookie after sign-in"

# 2. go/docs on the alias: 302 to the canonical host, then to the destination.
browse $me -D "$work/go.h" -o /dev/null "http://go:$http_port/docs/setup?q=1" || fail "GET http://go/docs"
[ "$(status_of <"$work/go.h")" = 302 ] || fail "the alias answered $(status_of <"$work/go.h"), not 302"
! grep -qi '^set-cookie:' "$work/go.h" || fail "a cookie set on the alias host"
next=$(header location <"$work/go.h")
[ "$next" = "$base/docs/setup?q=1" ] || fail "the alias sent to $next, not $base/docs/setup?q=1"
browse $me -D "$work/docs.h" -o /dev/null "$next" || fail "GET $next"
dest=$(header location <"$work/docs.h")
[ "$dest" = "https://wiki.example/docs/setup?q=1" ] || fail "signed in, $next went to '$dest'"
browse $me -D "$work/page.h" -o /dev/null "http://go:$http_port/_/me"
[ "$(status_of <"$work/page.h")" = 308 ] || fail "a page on the alias answered $(status_of <"$work/page.h"), not 308"

# 3. The sign-in limit (burst 3) counts per forwarded client: 127.0.0.3 has used 2 attempts;
# 127.0.0.2 uses 3, and its 4th is refused; 127.0.0.3's 3rd still passes. Counted by Caddy's
# address instead, both would have been refused long before.
for i in 1 2 3 4; do
  code=$(browse 127.0.0.2 -o /dev/null -w '%{http_code}' "$base/saml/login?next=/x")
  want=302; [ "$i" = 4 ] && want=429
  [ "$code" = "$want" ] || fail "sign-in attempt $i from 127.0.0.2 answered $code, not $want"
done
code=$(browse $me -o /dev/null -w '%{http_code}' "$base/saml/login?next=/x")
[ "$code" = 302 ] || fail "127.0.0.3 was limited with 127.0.0.2 ($code): the proxy's address is counted"
grep -q 'too many sign-in attempts.*127\.0\.0\.2' "$work/golinks.log" \
  || fail "the log does not name the forwarded client 127.0.0.2"
echo "caddy-test: ok (Caddy $(caddy version | cut -d' ' -f1), SAML over HTTPS, go/docs via the alias, forwarded client addresses)"
