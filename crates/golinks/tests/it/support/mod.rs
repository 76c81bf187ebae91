//! `TestApp`: the real server on a random loopback port over a fresh database — a SQLite
//! file in a temporary directory, or a PostgreSQL database created for the test and dropped
//! afterwards.

pub mod db;
pub mod idp;

use std::net::SocketAddr;

use golinks::app::{App, AppState};
use golinks::config::{Config, LogFormat};
use golinks::domain::{Email, OrgId, Role, Secret, TokenKind, UserId};
use golinks::store::User;
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::{Backend, TestDb};

pub struct TestApp {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when the test set `metrics_listen`.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    pub db: TestDb,
    pub client: Client,
    /// The session cookie of a member who browses links (see [`TestApp::browse`]).
    member: tokio::sync::OnceCell<String>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn config(database_url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        database_url: database_url.into(),
        base_url: None,
        log_format: LogFormat::Text,
        max_body_bytes: 64 * 1024,
        request_timeout_secs: 30,
        // Tests flush clicks themselves; the change watcher runs fast so that writes by
        // another process (the CLI) show up quickly.
        click_flush_secs: 3600,
        sync_interval_ms: 200,
        workers: 2,
        scim_rate_per_sec: std::num::NonZeroU32::new(2000).expect("nonzero"),
        scim_burst: std::num::NonZeroU32::new(5000).expect("nonzero"),
        trusted_proxies: Vec::new(),
        sign_in_rate_per_min: std::num::NonZeroU32::new(600).expect("nonzero"),
        sign_in_burst: std::num::NonZeroU32::new(200).expect("nonzero"),
        session_idle_hours: 168,
        session_lifetime_hours: 720,
        metrics_listen: None,
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let db = TestDb::create(backend).await;
        Self::spawn_on(db).await
    }

    /// A second server on the same database, as another replica would be.
    pub async fn replica(&self) -> TestApp {
        self.replica_configured(|_| {}).await
    }

    /// [`TestApp::replica`] with its configuration adjusted first.
    pub async fn replica_configured(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb {
            url: self.db.url.clone(),
            dir: None,
            pg_admin: None,
        };
        Self::spawn_configured(db, adjust).await
    }

    pub async fn spawn_on(db: TestDb) -> TestApp {
        Self::spawn_configured(db, |_| {}).await
    }

    /// A server whose configuration the test adjusts first.
    pub async fn spawn_configured(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
        init_logs();
        let mut config = config(&db.url);
        adjust(&mut config);
        let app = App::build(config).await.expect("the app starts");
        let addr = app.local_addr();
        let metrics_addr = app.metrics_addr();
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async move {
            let _ = stopped.await;
        }));
        // With a base URL, requests name its host as a browser's would: any other host is
        // a short alias, sent there (`alias_hosts`).
        let mut headers = reqwest::header::HeaderMap::new();
        let canonical = state.config.base_url.as_deref().map(|u| {
            golinks::domain::BaseUrl::try_from(u)
                .expect("base url")
                .authority()
        });
        if let Some(host) = canonical {
            headers.insert("host", host.parse().expect("host header"));
        }
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        TestApp {
            addr,
            metrics_addr,
            state,
            db,
            client,
            member: tokio::sync::OnceCell::new(),
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops the server gracefully (as on SIGTERM) and waits for it.
    pub async fn shut_down(mut self) -> TestDb {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stops cleanly");
        }
        std::mem::replace(&mut self.db, TestDb::none())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    /// A request to the JSON API with a bearer token.
    pub fn api(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// A person in the default organization, with an API token.
    pub async fn person(&self, email: &str, role: Role) -> (User, String) {
        let org = self
            .state
            .store
            .find_org_by_slug("default")
            .await
            .expect("default org");
        let email = Email::try_from(email).expect("email");
        let user = self
            .state
            .store
            .create_user(org.id, &email, None, role)
            .await
            .expect("user");
        let secret = Secret::generate(TokenKind::Api);
        self.state
            .store
            .create_api_token(org.id, user.id, "test", &secret.digest())
            .await
            .expect("token");
        (user, secret.reveal().to_owned())
    }

    /// A SCIM token for the default organization.
    pub async fn scim_token(&self) -> String {
        let org = self
            .state
            .store
            .find_org_by_slug("default")
            .await
            .expect("default org");
        let secret = Secret::generate(TokenKind::Scim);
        self.state
            .store
            .create_scim_token(org.id, "test-idp", &secret.digest())
            .await
            .expect("token");
        secret.reveal().to_owned()
    }

    /// A SCIM request with the identity provider's headers.
    pub fn scim(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("/scim/v2{path}")))
            .bearer_auth(token)
            .header("accept", "application/scim+json")
    }

    /// Sends a SCIM request with a JSON body; returns the status and the JSON answer.
    pub async fn scim_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.scim(method, path, token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// POSTs a SCIM User and returns the answer's JSON, whatever its status.
    pub async fn scim_create(&self, token: &str, body: Value) -> Value {
        self.scim_json(Method::POST, "/Users", token, Some(body))
            .await
            .1
    }

    /// Creates a link through the API and returns its JSON.
    pub async fn create_link(&self, token: &str, body: Value) -> Value {
        let response = self
            .api(Method::POST, "/_/api/v1/links", token)
            .json(&body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 201, "creating {body}");
        response.json().await.expect("json")
    }

    /// A `Cookie` header for a signed-in member of the default organization (created on first
    /// use, `browser@test.example`), as a browser after single sign-on would send.
    /// Takes `user` out of the SCIM group `group` (a PatchOp `remove` with a value filter, as
    /// Okta sends it), or puts them back (`add`); the change must succeed.
    pub async fn set_member(&self, scim: &str, group: &str, user: UserId, member: bool) {
        let operation = if member {
            serde_json::json!({"op": "add", "path": "members", "value": [{"value": user.to_string()}]})
        } else {
            serde_json::json!({"op": "remove", "path": format!("members[value eq \"{user}\"]")})
        };
        let (status, body) = self
            .scim_json(
                Method::PATCH,
                &format!("/Groups/{group}"),
                scim,
                Some(patch_op(serde_json::json!([operation]))),
            )
            .await;
        assert!(matches!(status, 200 | 204), "{body}");
    }

    pub async fn member_cookie(&self) -> String {
        self.member
            .get_or_init(|| async {
                let org = self
                    .state
                    .store
                    .find_org_by_slug("default")
                    .await
                    .expect("default org");
                let email = Email::try_from("browser@test.example").expect("email");
                let store = &self.state.store;
                // A replica shares the database, and so the person.
                let user = match store.find_user_by_email(org.id, &email).await {
                    Ok(user) => user,
                    Err(_) => store
                        .create_user(org.id, &email, None, Role::Member)
                        .await
                        .expect("user"),
                };
                self.session_cookie(org.id, user.id).await
            })
            .await
            .clone()
    }

    /// A `Cookie` header for a new session of `user`.
    /// The id of the organization every new database has.
    pub async fn default_org(&self) -> OrgId {
        let org = self.state.store.find_org_by_slug("default").await;
        org.expect("the default organization").id
    }

    pub async fn session_cookie(&self, org: OrgId, user: UserId) -> String {
        let secret = Secret::generate(TokenKind::Session);
        self.state
            .store
            .create_session(
                org,
                user,
                &secret.digest(),
                time::OffsetDateTime::now_utc() + time::Duration::hours(1),
                None,
            )
            .await
            .expect("session");
        format!("golinks_session={}", secret.reveal())
    }

    /// A GET from a signed-in member's browser.
    pub async fn browse(&self, path: &str) -> RequestBuilder {
        self.get(path).header("cookie", self.member_cookie().await)
    }

    /// The `Location` of a redirect from `path` for a signed-in member, or the status when it
    /// is not a 302.
    pub async fn follow(&self, path: &str) -> Result<String, u16> {
        let response = self.browse(path).await.send().await.expect("send");
        location(&response).ok_or(response.status().as_u16())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Sends a request and reads its JSON body, for tests that only look at the body.
pub trait FetchJson {
    fn fetch_json(self) -> impl std::future::Future<Output = Value> + Send;
}

impl FetchJson for RequestBuilder {
    async fn fetch_json(self) -> Value {
        self.send().await.expect("send").json().await.expect("json")
    }
}

/// A SCIM PatchOp request (RFC 7644 §3.5.2) with these operations.
pub fn patch_op(operations: Value) -> Value {
    serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
}

pub fn location(response: &Response) -> Option<String> {
    (response.status() == 302)
        .then(|| {
            response
                .headers()
                .get("location")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .flatten()
}

fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_test_writer()
            .try_init();
    }
}

/// Defines `name::sqlite` and `name::postgres` from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::support::Backend::postgres() {
                        Some(backend) => super::$name(backend).await,
                        None if std::env::var_os("GOLINKS_REQUIRE_POSTGRES").is_some() => {
                            panic!("GOLINKS_REQUIRE_POSTGRES is set but GOLINKS_TEST_POSTGRES_URL is not")
                        }
                        None => {
                            // Written past the test harness's capture so that a skip shows.
                            use std::io::Write as _;
                            let _ = writeln!(
                                std::io::stderr(),
                                "skipped: GOLINKS_TEST_POSTGRES_URL is not set ({})",
                                module_path!()
                            );
                        }
                    }
                }
            }
        )+
    };
}
