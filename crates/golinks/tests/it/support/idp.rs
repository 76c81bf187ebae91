//! The test identity provider: `tests/saml/idp.py` (pysaml2 signing with xmlsec1), run as a
//! helper process from the Python environment `scripts/run-tests.sh` prepares
//! (`GOLINKS_TEST_PYTHON`, by default /var/tmp/golinks-venv/bin/python).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use base64::Engine;
use golinks::saml::IdpSettings;
use serde_json::{Value, json};

use super::TestApp;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/saml/idp.py");
pub const IDP_ENTITY_ID: &str = "https://idp.test.example/metadata";

fn python() -> String {
    std::env::var("GOLINKS_TEST_PYTHON")
        .unwrap_or_else(|_| "/var/tmp/golinks-venv/bin/python".to_owned())
}

/// `idp.py serve`, started once per test binary and shared: pysaml2 takes about a second to
/// start, a response then takes milliseconds.
struct Helper {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _child: Child,
}

static HELPER: OnceLock<Mutex<Helper>> = OnceLock::new();

fn start_helper() -> Mutex<Helper> {
    let mut child = Command::new(python())
        .args(["-W", "ignore", SCRIPT, "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the test IdP with {} ({e}); run scripts/run-tests.sh, which installs pysaml2",
                python()
            )
        });
    let stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    Mutex::new(Helper {
        stdin,
        stdout,
        _child: child,
    })
}

/// One request to the helper; blocks, so call it from `spawn_blocking`.
fn call(request: Value) -> String {
    let mut helper = HELPER
        .get_or_init(start_helper)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    writeln!(helper.stdin, "{request}").expect("write to idp.py");
    helper.stdin.flush().expect("flush");
    let mut line = String::new();
    helper
        .stdout
        .read_line(&mut line)
        .expect("read from idp.py");
    let answer: Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("idp.py stopped or answered {line:?}"));
    match answer.get("ok").and_then(Value::as_str) {
        Some(text) => text.trim().to_owned(),
        None => panic!("idp.py failed: {}", answer["error"]),
    }
}

/// The IdP's metadata XML.
pub async fn metadata() -> String {
    tokio::task::spawn_blocking(|| call(json!({"command": "metadata"})))
        .await
        .expect("join")
}

/// Trusts the test IdP in the default organization (JIT and IdP-initiated on, email from the
/// NameID), then lets `adjust` change the settings.
pub async fn configure(app: &TestApp, adjust: impl FnOnce(&mut IdpSettings)) -> IdpSettings {
    let idp = golinks::saml::parse_idp_metadata(&metadata().await).expect("IdP metadata");
    let mut settings = IdpSettings {
        entity_id: idp.entity_id,
        sso_url: idp.sso_url,
        certificates: idp.certificates,
        sp_base_url: None,
        jit: true,
        idp_initiated: true,
        email_attribute: None,
    };
    adjust(&mut settings);
    let org = app
        .state
        .store
        .find_org_by_slug("default")
        .await
        .expect("org");
    app.state
        .store
        .save_sso_settings(org.id, &settings)
        .await
        .expect("save");
    settings
}

/// What the IdP is asked to sign; `extra` adds or overrides fields of the request to idp.py
/// (`key`, `alg`, `sign_response`, `sign_assertion`, `edit`, `attack`, `evil`, `attributes`).
pub async fn response(
    app: &TestApp,
    name_id: &str,
    in_response_to: Option<&str>,
    extra: Value,
) -> String {
    let sp_metadata = app
        .get("/saml/metadata")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("metadata");
    let mut request = json!({
        "sp_metadata": sp_metadata,
        "acs": app.url("/saml/acs"),
        "sp_entity_id": app.url("/saml/metadata"),
        "name_id": name_id,
        "in_response_to": in_response_to,
    });
    if let (Some(base), Some(more)) = (request.as_object_mut(), extra.as_object()) {
        for (k, v) in more {
            base.insert(k.clone(), v.clone());
        }
    }
    tokio::task::spawn_blocking(move || call(request))
        .await
        .expect("join")
}

/// An SP-initiated sign-in, as started by one browser.
pub struct Started {
    /// The AuthnRequest's ID (decoded from the redirect to the IdP).
    pub id: String,
    /// The `Cookie` header value that binds the request to this browser.
    pub browser: String,
}

/// Starts SP-initiated sign-in for `next` in a new browser.
pub async fn start(app: &TestApp, next: &str) -> Started {
    start_in(app, next, None).await
}

/// Starts SP-initiated sign-in for `next` in the browser holding `browser` (a `Cookie` header
/// value), or in a new one.
pub async fn start_in(app: &TestApp, next: &str, browser: Option<&str>) -> Started {
    let mut request = app.get("/saml/login").query(&[("next", next)]);
    if let Some(cookie) = browser {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("send");
    assert_eq!(response.status(), 302, "sign-in redirects to the IdP");
    let browser = binding_cookie(&response).expect("sign-in sets the binding cookie");
    let location = super::location(&response).expect("location");
    let url = url::Url::parse(&location).expect("url");
    let encoded = url
        .query_pairs()
        .find(|(k, _)| k == "SAMLRequest")
        .expect("SAMLRequest")
        .1
        .into_owned();
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::DeflateDecoder::new(&deflated[..]),
        &mut xml,
    )
    .expect("inflate");
    let id = xml
        .split("ID=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("request ID")
        .to_owned();
    Started { id, browser }
}

/// The browser-binding cookie a response sets, as a `Cookie` header value.
pub fn binding_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("golinks_saml=") && !v.starts_with("golinks_saml=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Posts a response to the ACS as a browser without cookies would (HTTP-POST binding): how
/// sign-in started at the IdP arrives.
pub async fn post(
    app: &TestApp,
    saml_response: &str,
    relay_state: Option<&str>,
) -> reqwest::Response {
    post_from(app, saml_response, relay_state, None).await
}

/// Posts a response to the ACS from the browser holding `browser` (a `Cookie` header value).
pub async fn post_from(
    app: &TestApp,
    saml_response: &str,
    relay_state: Option<&str>,
    browser: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("SAMLResponse", saml_response)];
    if let Some(relay) = relay_state {
        form.push(("RelayState", relay));
    }
    let mut request = app
        .client
        .post(app.url("/saml/acs"))
        .header("origin", "https://idp.test.example");
    if let Some(cookie) = browser {
        request = request.header("cookie", cookie);
    }
    request.form(&form).send().await.expect("send")
}

/// The session cookie a response sets, as a `Cookie` header value.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("golinks_session=") && !v.starts_with("golinks_session=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}
