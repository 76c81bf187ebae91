#!/usr/bin/env python3
"""A SAML 2.0 identity provider for golinks' integration tests, built on pysaml2 and xmlsec1.

    idp.py metadata                 prints the IdP's metadata XML (for `golinks sso configure`)
    idp.py respond < request.json   prints a base64 SAMLResponse for the POST binding
    idp.py http PORT                a sign-in page on 127.0.0.1:PORT for the browser tests
    idp.py serve                    answers one JSON request per stdin line, one JSON line each:
                                    {"command": "metadata"|"respond", ...} -> {"ok": text}
                                    or {"error": traceback}; start-up is paid once

The request names the service provider (its metadata as golinks serves it), the person, how to
sign (which key, which algorithm, Response and/or Assertion) and optionally one edit made before
signing (times, audience, ...) or one attack made after it (the XSW catalogue of Somorovsky et
al., "On Breaking SAML", 2012; a comment inside NameID; a DOCTYPE). Every response is made and
signed by pysaml2 (xmlsec1 underneath); attacks only rearrange what it signed.
"""

import base64
import copy
import datetime
import json
import os
import sys

from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import pre_signature_part

HERE = os.path.dirname(os.path.abspath(__file__))
ENTITY_ID = "https://idp.test.example/metadata"
# The browser tests run this IdP on loopback (`idp.py http PORT`) and set its address here.
SSO_URL = os.environ.get("IDP_SSO_URL", "https://idp.test.example/sso")
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
RESPONSE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"


def key(name):
    return os.path.join(HERE, f"{name}.key"), os.path.join(HERE, f"{name}.crt")


def server(sp_metadata=None, key_name="idp"):
    key_file, cert_file = key(key_name)
    config = {
        "entityid": ENTITY_ID,
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": {"minutes": 5}}},
            }
        },
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
    }
    conf = IdPConfig()
    conf.load(config)
    return Server(config=conf)


def metadata():
    from saml2.metadata import entity_descriptor

    return str(entity_descriptor(server().config))


def iso(delta_minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=delta_minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def edit(doc, what):
    """Changes made before signing: the IdP itself signs a response with these values."""
    if what is None:
        return
    kind = what["kind"]
    if kind == "expired":
        for el in doc.iter():
            for attr in ("NotOnOrAfter",):
                if attr in el.attrib:
                    el.attrib[attr] = iso(-5)
            for attr in ("NotBefore", "IssueInstant", "AuthnInstant"):
                if attr in el.attrib:
                    el.attrib[attr] = iso(-15)
    elif kind == "not_yet_valid":
        for el in doc.iterfind(".//saml:Conditions", NS):
            el.attrib["NotBefore"] = iso(10)
    elif kind == "audience":
        for el in doc.iterfind(".//saml:Audience", NS):
            el.text = what["value"]
    elif kind == "no_audience":
        for el in doc.iterfind(".//saml:AudienceRestriction", NS):
            el.getparent().remove(el)
    elif kind == "recipient":
        for el in doc.iterfind(".//saml:SubjectConfirmationData", NS):
            el.attrib["Recipient"] = what["value"]
    elif kind == "destination":
        doc.attrib["Destination"] = what["value"]
    elif kind == "issuer":
        for el in doc.iterfind(".//saml:Issuer", NS):
            el.text = what["value"]
    elif kind == "status":
        code = doc.find("samlp:Status/samlp:StatusCode", NS)
        code.attrib["Value"] = what["value"]
    else:
        raise SystemExit(f"unknown edit {kind}")


def add_signature_template(el, sign_alg, digest_alg, cert):
    """pysaml2's own Signature template, placed after Issuer as the schema wants."""
    sig = pre_signature_part(el.attrib["ID"], cert, sign_alg=sign_alg, digest_alg=digest_alg)
    sig_el = etree.fromstring(str(sig).encode())
    issuer = el.find("saml:Issuer", NS)
    issuer.addnext(sig_el)


def sign(srv, xml, el_name, el_id, key_file):
    return srv.sec.sign_statement(xml, el_name, key_file=key_file, node_id=el_id)


def respond(req):
    srv = server(req["sp_metadata"])
    email = req["name_id"]
    identity = req.get("attributes", {})
    unsigned = srv.create_authn_response(
        identity,
        req.get("in_response_to"),
        req["acs"],
        req["sp_entity_id"],
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
        sign_response=False,
        sign_assertion=False,
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
    )
    doc = etree.fromstring(str(unsigned).encode())
    edit(doc, req.get("edit"))

    sha1 = req.get("alg") == "sha1"
    sign_alg = xmldsig.SIG_RSA_SHA1 if sha1 else xmldsig.SIG_RSA_SHA256
    digest_alg = xmldsig.DIGEST_SHA1 if sha1 else xmldsig.DIGEST_SHA256
    key_file, cert_file = key(req.get("key", "idp"))
    with open(cert_file) as f:
        cert = "".join(l for l in f.read().splitlines() if "CERTIFICATE" not in l)
    assertion = doc.find("saml:Assertion", NS)
    sign_assertion = req.get("sign_assertion", True)
    sign_response = req.get("sign_response", False)
    if sign_assertion:
        add_signature_template(assertion, sign_alg, digest_alg, cert)
    if sign_response:
        add_signature_template(doc, sign_alg, digest_alg, cert)
    xml = etree.tostring(doc).decode()
    if sign_assertion:
        xml = sign(srv, xml, ASSERTION, assertion.attrib["ID"], key_file)
    if sign_response:
        xml = sign(srv, xml, RESPONSE, doc.attrib["ID"], key_file)

    attack = req.get("attack")
    if attack:
        xml = ATTACKS[attack](etree.fromstring(xml.encode()), req.get("evil", "evil@acme.example"))
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


# --- attacks, made after signing --------------------------------------------------------------


def without_signature(el):
    el = copy.deepcopy(el)
    sig = el.find("ds:Signature", NS)
    if sig is not None:
        el.remove(sig)
    return el


def evil_copy(el, evil):
    """The attacker's element: the signed one with another subject and ID, unsigned."""
    el = without_signature(el)
    el.attrib["ID"] = "_evil" + el.attrib["ID"]
    for name_id in el.iter("{%s}NameID" % NS["saml"]):
        name_id.text = evil
    return el


def serialize(doc):
    return etree.tostring(doc).decode()


def xsw1(doc, evil):
    # Response signature: the attacker's Response is the root; the signed original sits inside
    # the attacker's copy of the Signature, where the Reference still finds it.
    original = without_signature(doc)
    root = evil_copy(doc, evil)
    sig = copy.deepcopy(doc.find("ds:Signature", NS))
    root.find("saml:Issuer", NS).addnext(sig)
    sig.append(original)
    return serialize(root)


def xsw2(doc, evil):
    # As XSW1, but the signed original is a sibling before the (detached) signature.
    original = without_signature(doc)
    root = evil_copy(doc, evil)
    sig = copy.deepcopy(doc.find("ds:Signature", NS))
    root.find("saml:Issuer", NS).addnext(sig)
    sig.addprevious(original)
    return serialize(root)


def xsw3(doc, evil):
    # Assertion signature: an evil assertion before the signed one.
    assertion = doc.find("saml:Assertion", NS)
    assertion.addprevious(evil_copy(assertion, evil))
    return serialize(doc)


def xsw4(doc, evil):
    # The signed assertion nested inside the evil one.
    assertion = doc.find("saml:Assertion", NS)
    wrapper = evil_copy(assertion, evil)
    assertion.addprevious(wrapper)
    wrapper.append(assertion)
    return serialize(doc)


def xsw5(doc, evil):
    # The evil assertion keeps the original signature; an unsigned copy of the original,
    # which the Reference now finds, is appended to the Response.
    assertion = doc.find("saml:Assertion", NS)
    original = without_signature(assertion)
    for name_id in assertion.iter("{%s}NameID" % NS["saml"]):
        name_id.text = evil
    assertion.attrib["ID"] = "_evil" + assertion.attrib["ID"]
    doc.append(original)
    return serialize(doc)


def xsw6(doc, evil):
    # The evil assertion keeps the original signature, which holds the original inside.
    assertion = doc.find("saml:Assertion", NS)
    original = without_signature(assertion)
    for name_id in assertion.iter("{%s}NameID" % NS["saml"]):
        name_id.text = evil
    assertion.attrib["ID"] = "_evil" + assertion.attrib["ID"]
    assertion.find("ds:Signature", NS).append(original)
    return serialize(doc)


def xsw7(doc, evil):
    # The signed assertion hidden in an Extensions element, an evil one in its place.
    assertion = doc.find("saml:Assertion", NS)
    ext = etree.Element("{%s}Extensions" % NS["samlp"])
    assertion.addprevious(ext)
    ext.append(copy.deepcopy(assertion))
    assertion.addprevious(evil_copy(assertion, evil))
    doc.remove(assertion)
    return serialize(doc)


def xsw8(doc, evil):
    # The evil assertion carries the signature; the original sits in an Object inside it.
    assertion = doc.find("saml:Assertion", NS)
    original = without_signature(assertion)
    sig = copy.deepcopy(assertion.find("ds:Signature", NS))
    for name_id in assertion.iter("{%s}NameID" % NS["saml"]):
        name_id.text = evil
    assertion.attrib["ID"] = "_evil" + assertion.attrib["ID"]
    assertion.remove(assertion.find("ds:Signature", NS))
    assertion.find("saml:Issuer", NS).addnext(sig)
    obj = etree.SubElement(sig, "{%s}Object" % NS["ds"])
    obj.append(original)
    return serialize(doc)


def swap_assertion_subject(doc, evil):
    # A signed Response whose assertion is changed afterwards.
    for name_id in doc.iter("{%s}NameID" % NS["saml"]):
        name_id.text = evil
    return serialize(doc)


def comment_in_name_id(doc, evil):
    # The signed NameID is "victim@acme.example.evil.example"; a comment after the victim's
    # address leaves the signature valid (c14n drops comments) and fools a naive text reader.
    for name_id in doc.iter("{%s}NameID" % NS["saml"]):
        text = name_id.text
        cut = text.index(".evil.example")
        name_id.text = text[:cut]
        comment = etree.Comment("")
        comment.tail = text[cut:]
        name_id.append(comment)
    return serialize(doc)


def doctype(doc, evil):
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + serialize(doc)
    )


ATTACKS = {
    "xsw1": xsw1,
    "xsw2": xsw2,
    "xsw3": xsw3,
    "xsw4": xsw4,
    "xsw5": xsw5,
    "xsw6": xsw6,
    "xsw7": xsw7,
    "xsw8": xsw8,
    "swap_assertion_subject": swap_assertion_subject,
    "comment_in_name_id": comment_in_name_id,
    "doctype": doctype,
}

def http(port):
    """A sign-in page for browsers: GET /sso?SAMLRequest=… asks for an email, POST /sso answers
    the request with a signed Response that the browser posts to the ACS. Loopback only."""
    import html
    import urllib.parse
    import urllib.request
    import zlib
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    def page(body):
        return f"<!doctype html><html lang=en><meta charset=utf-8><title>Test IdP</title><body style='font:16px system-ui;margin:3rem'>{body}</body></html>"

    class Handler(BaseHTTPRequestHandler):
        def send_page(self, body, status=200):
            data = page(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            encoded = query.get("SAMLRequest", [""])[0]
            xml = zlib.decompress(base64.b64decode(encoded), -15)
            request = etree.fromstring(xml)
            fields = {
                "request_id": request.attrib["ID"],
                "acs": request.attrib["AssertionConsumerServiceURL"],
                "issuer": request.find("saml:Issuer", NS).text,
            }
            hidden = "".join(
                f"<input type=hidden name={k} value='{html.escape(v, quote=True)}'>" for k, v in fields.items()
            )
            self.send_page(
                "<h1>Test identity provider</h1><form method=post action=/sso>"
                f"{hidden}<label for=email>Email</label> <input id=email name=email type=email required> "
                "<button type=submit>Sign in</button></form>"
            )

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            one = lambda k: form.get(k, [""])[0]
            with urllib.request.urlopen(one("issuer"), timeout=5) as r:
                sp_metadata = r.read().decode()
            saml = respond({
                "sp_metadata": sp_metadata,
                "acs": one("acs"),
                "sp_entity_id": one("issuer"),
                "name_id": one("email"),
                "in_response_to": one("request_id"),
                "attributes": {"givenName": [one("email").split("@")[0].title()], "sn": ["Example"]},
            })
            self.send_page(
                f"<form id=f method=post action='{html.escape(one('acs'), quote=True)}'>"
                f"<input type=hidden name=SAMLResponse value='{saml}'>"
                "<noscript><button type=submit>Continue</button></noscript></form>"
                "<script>document.getElementById('f').submit()</script>"
            )

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def serve():
    import traceback

    for line in sys.stdin:
        try:
            req = json.loads(line)
            out = {"ok": metadata() if req.get("command") == "metadata" else respond(req)}
        except Exception:  # the caller reports it; the helper keeps serving
            out = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        serve()
    elif command == "http":
        http(int(sys.argv[2]))
    elif command == "metadata":
        print(metadata())
    elif command == "respond":
        print(respond(json.load(sys.stdin)))
    else:
        raise SystemExit(__doc__)
