//! A Response must not make the server fetch, read or run anything it names: xmlsec resolves a
//! signature's References and runs their transforms before it checks the SignatureValue, so
//! an unsigned stranger's document could name `http://127.0.0.1:…`, `file:///dev/zero` or an
//! XSLT program. Every forged document starts from a real signed response (as the XSW tests
//! do) and points what it can at a loopback listener that must see no connection.

use std::net::TcpListener;
use std::time::Duration;

use base64::Engine;
use golinks::saml::SamlVerifier;
use serde_json::json;

use super::{body, find, live_sessions, person};
use crate::on_both_backends;
use crate::support::idp;
use crate::support::{Backend, TestApp};

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A loopback port that counts the connections made to it (and never answers them).
struct Trap {
    listener: TcpListener,
    url: String,
}

impl Trap {
    fn new() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/x", listener.local_addr().expect("addr"));
        Trap { listener, url }
    }

    /// Connections made so far (each fetch xmlsec or libxml2 starts is one).
    fn connections(&self) -> usize {
        std::iter::from_fn(|| self.listener.accept().ok()).count()
    }
}

fn decode(saml: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(saml)
        .expect("base64");
    String::from_utf8(bytes).expect("utf-8")
}

fn encode(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// The document with the (first) signature's Reference URI replaced.
fn with_reference(xml: &str, uri: &str) -> String {
    let start = xml.find(" URI=\"#").expect("a reference") + " URI=\"".len();
    let end = start + xml[start..].find('"').expect("end of URI");
    format!("{}{uri}{}", &xml[..start], &xml[end..])
}

/// The document with `extra` inserted right after the (first) signature's `tag` element opens
/// (`tag` is a local name: pysaml2 writes its own prefix).
fn after_open(xml: &str, tag: &str, extra: &str) -> String {
    let open = xml.find(&format!(":{tag}")).expect("tag");
    let at = open + xml[open..].find('>').expect("end of tag") + 1;
    format!("{}{extra}{}", &xml[..at], &xml[at..])
}

/// The document with `extra` inserted right before the first `tag` element closes.
fn before_close(xml: &str, tag: &str, extra: &str) -> String {
    let close = xml.find(&format!(":{tag}>")).expect("closing tag");
    let at = xml[..close].rfind("</").expect("</");
    format!("{}{extra}{}", &xml[..at], &xml[at..])
}

/// The (first) signature's Reference element, as written.
fn reference_element(xml: &str) -> &str {
    let open = xml.find(":Reference URI").expect("reference");
    let start = xml[..open].rfind('<').expect("<");
    let close = xml[start..].find("Reference>").expect("close") + "Reference>".len();
    &xml[start..start + close]
}

/// Each forged document, the words its refusal page must hold.
fn forgeries(xml: &str, trap: &str) -> Vec<(&'static str, String, &'static str)> {
    let xslt = format!(
        "<ds:Transform xmlns:ds=\"{DSIG}\" Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">\
         <xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">\
         <xsl:template match=\"/\"><xsl:copy-of select=\"document('{trap}')\"/></xsl:template>\
         </xsl:stylesheet></ds:Transform>"
    );
    let second_reference = with_reference(reference_element(xml), trap);
    vec![
        (
            "http reference",
            with_reference(xml, trap),
            "http://127.0.0.1",
        ),
        (
            "file reference",
            with_reference(xml, "file:///dev/zero"),
            "file:///dev/zero",
        ),
        (
            "xpointer reference",
            with_reference(xml, "#xpointer(/)"),
            "#xpointer(/)",
        ),
        (
            "xslt transform",
            after_open(xml, "Transforms", &xslt),
            "REC-xslt",
        ),
        (
            "two references",
            after_open(xml, "SignedInfo", &second_reference),
            "2 references",
        ),
        (
            "object",
            before_close(
                xml,
                "Signature",
                &format!("<ds:Object xmlns:ds=\"{DSIG}\">x</ds:Object>"),
            ),
            "ds:Object",
        ),
        (
            "manifest",
            after_open(
                xml,
                "SignedInfo",
                &format!(
                    "<ds:Manifest xmlns:ds=\"{DSIG}\">{}</ds:Manifest>",
                    with_reference(reference_element(xml), trap)
                ),
            ),
            "ds:Manifest",
        ),
        (
            "retrieval method",
            after_open(
                xml,
                "KeyInfo",
                &format!("<ds:RetrievalMethod xmlns:ds=\"{DSIG}\" URI=\"{trap}\"/>"),
            ),
            "ds:RetrievalMethod",
        ),
    ]
}

async fn references_and_transforms_fetch_nothing_and_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    person(&app, "ann@acme.example").await;
    let trap = Trap::new();
    for (case, forged, words) in forgeries(&signed(&app).await, &trap.url) {
        let response = idp::post(&app, &encode(&forged), None).await;
        assert_eq!(response.status(), 403, "case: {case}");
        assert!(idp::session_cookie(&response).is_none(), "case: {case}");
        let page = body(response).await;
        assert!(page.contains("signature is refused"), "case {case}: {page}");
        assert!(page.contains(words), "case {case}: {page}");
        assert_eq!(trap.connections(), 0, "case {case}: a connection was made");
        assert!(find(&app, "mallory@acme.example").await.is_none());
        assert_eq!(live_sessions(&app, "ann@acme.example").await, 0);
    }
}

/// A real response, signed on the Assertion only (Entra's default), for mallory.
async fn signed(app: &TestApp) -> String {
    decode(&idp::response(app, "mallory@acme.example", None, json!({})).await)
}

async fn hostile_posts_in_flight_leave_the_server_answering(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    let trap = Trap::new();
    let hostile = encode(&with_reference(&signed(&app).await, &trap.url));
    let posts: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, form) = (
                app.client.clone(),
                app.url("/saml/acs"),
                [("SAMLResponse", hostile.clone())],
            );
            tokio::spawn(async move { client.post(url).form(&form).send().await })
        })
        .collect();
    let health = tokio::time::timeout(Duration::from_secs(2), app.get("/healthz").send())
        .await
        .expect("/healthz answers promptly")
        .expect("send");
    assert_eq!(health.status(), 200);
    for post in posts {
        let response = tokio::time::timeout(Duration::from_secs(10), post)
            .await
            .expect("each hostile POST is answered")
            .expect("join")
            .expect("send");
        assert_eq!(response.status(), 403);
    }
    assert_eq!(trap.connections(), 0);
}

async fn verification_waits_for_a_free_slot_then_says_busy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    idp::configure(&app, |_| {}).await;
    person(&app, "ann@acme.example").await;
    let saml = idp::response(&app, "ann@acme.example", None, json!({})).await;
    // Every slot taken, as by slow verifications.
    let permits = app.state.saml_verifications.available_permits();
    let held = app
        .state
        .saml_verifications
        .clone()
        .acquire_many_owned(u32::try_from(permits).expect("few"))
        .await
        .expect("permits");
    let response = idp::post(&app, &saml, None).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    assert_eq!(live_sessions(&app, "ann@acme.example").await, 0);
    drop(held);
    let response = idp::post(&app, &saml, None).await;
    assert_eq!(
        response.status(),
        303,
        "the same response once a slot is free"
    );
}

/// Below the pre-scan: even a document that reached xmlsec could not make it fetch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verifier_itself_loads_nothing_external() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let settings = idp::configure(&app, |_| {}).await;
    let xml = signed(&app).await;
    let trap = Trap::new();
    let xslt = format!(
        "<ds:Transform xmlns:ds=\"{DSIG}\" Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">\
         <xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">\
         <xsl:template match=\"/\"><xsl:copy-of select=\"document('{}')\"/></xsl:template>\
         </xsl:stylesheet></ds:Transform>",
        trap.url
    );
    for (case, forged) in [
        ("http reference", with_reference(&xml, &trap.url)),
        ("xslt document()", after_open(&xml, "Transforms", &xslt)),
    ] {
        let verifier = golinks::saml::XmlSecVerifier::new();
        let certificates = settings.certificates.clone();
        let checked =
            tokio::task::spawn_blocking(move || verifier.signed_content(&forged, &certificates));
        let checked = tokio::time::timeout(Duration::from_secs(10), checked)
            .await
            .unwrap_or_else(|_| panic!("case {case}: the verifier hangs"))
            .expect("join");
        assert!(checked.is_err(), "case {case}");
        assert_eq!(trap.connections(), 0, "case {case}: a connection was made");
    }
}

on_both_backends!(
    references_and_transforms_fetch_nothing_and_are_refused,
    hostile_posts_in_flight_leave_the_server_answering,
    verification_waits_for_a_free_slot_then_says_busy,
);
