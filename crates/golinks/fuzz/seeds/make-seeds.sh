#!/bin/sh
# Regenerates the seed corpus: real responses signed by the test IdP (tests/saml/idp.py,
# pysaml2 + xmlsec1), as decoded XML. Run from crates/golinks/fuzz with the test venv:
#   PYTHON=/var/tmp/golinks-venv/bin/python sh seeds/make-seeds.sh
set -eu
PYTHON=${PYTHON:-/var/tmp/golinks-venv/bin/python}
IDP=../tests/saml/idp.py
SP='http://127.0.0.1:8080'
META="<md:EntityDescriptor xmlns:md=\\\"urn:oasis:names:tc:SAML:2.0:metadata\\\" entityID=\\\"$SP/saml/metadata\\\"><md:SPSSODescriptor protocolSupportEnumeration=\\\"urn:oasis:names:tc:SAML:2.0:protocol\\\"><md:AssertionConsumerService Binding=\\\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\\\" Location=\\\"$SP/saml/acs\\\" index=\\\"0\\\"/></md:SPSSODescriptor></md:EntityDescriptor>"
seed() {
    name=$1
    extra=$2
    printf '{"sp_metadata": "%s", "acs": "%s/saml/acs", "sp_entity_id": "%s/saml/metadata", "name_id": "ann@acme.example", "in_response_to": "_req1"%s}\n' \
        "$META" "$SP" "$SP" "$extra" |
        "$PYTHON" -W ignore "$IDP" respond | base64 -d > "seeds/inspect/$name.xml"
}
seed assertion-signed ''
seed response-signed ', "sign_assertion": false, "sign_response": true'
seed both-signed ', "sign_response": true'
seed attributes ', "attributes": {"mail": ["ann@acme.example"], "givenName": ["Ann"]}'
seed sha1 ', "alg": "sha1"'
seed comment-in-name-id ', "attack": "comment_in_name_id", "name_id": "ann@acme.example.evil.example"'
seed doctype ', "attack": "doctype"'
for x in xsw1 xsw2; do
    seed "$x" ", \"sign_assertion\": false, \"sign_response\": true, \"attack\": \"$x\""
done
for x in xsw3 xsw4 xsw5 xsw6 xsw7 xsw8; do
    seed "$x" ", \"attack\": \"$x\""
done
# Signature shapes the pre-scan refuses, forged from the real assertion-signed response.
"$PYTHON" - <<'PY'
import re
xml = open("seeds/inspect/assertion-signed.xml").read()
ds = 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
forged = {
    "http-reference": re.sub(r'URI="#[^"]*"', 'URI="http://127.0.0.1:9/x"', xml, count=1),
    "xpointer-reference": re.sub(r'URI="#[^"]*"', 'URI="#xpointer(/)"', xml, count=1),
    "xslt-transform": xml.replace(
        'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"',
        'Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"', 1),
    "object": xml.replace(":Signature>", f":Signature><ds:Object {ds}>x</ds:Object>", 0)
        .replace("</ns0:SignatureValue>", f"</ns0:SignatureValue><ds:Object {ds}>x</ds:Object>", 1),
    "retrieval-method": xml.replace(
        "<ns0:KeyInfo>", f'<ns0:KeyInfo><ds:RetrievalMethod {ds} URI="file:///dev/zero"/>', 1),
}
for name, text in forged.items():
    assert text != xml, name
    open(f"seeds/inspect/{name}.xml", "w").write(text)
PY
