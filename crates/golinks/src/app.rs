//! Start-up and shutdown. [`App::build`] opens the store, loads the index and binds the
//! listener (port 0 in tests) before returning; [`App::run`] serves until the shutdown future
//! resolves, then stops the background tasks and flushes the click counts.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::change_feed::{self, Feed, FeedStats};
use crate::clicks::ClickCounter;
use crate::config::Config;
use crate::http::auth::{BearerFailures, ScimLimiter, SignInLimiter};
use crate::index::Index;
use crate::metrics::{self, Metrics};
use crate::saml::{SamlVerifier, XmlSecVerifier};
use crate::server::{self, Listeners};
use crate::sessions::{SessionCache, UnknownSecrets};
use crate::store::Store;

/// Everything a handler can reach, behind one `Arc`: axum clones the state for every request,
/// and one shared counter is cheaper than one per service (they share cache lines across the
/// worker threads).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub store: Store,
    pub index: Arc<Index>,
    pub clicks: Arc<ClickCounter>,
    pub config: Arc<Config>,
    pub scim_limiter: Arc<ScimLimiter>,
    pub sessions: Arc<SessionCache>,
    /// SCIM tokens found once, trusted while nothing was revoked.
    pub scim_tokens: Arc<crate::http::auth::ScimTokenCache>,
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// Failed bearer-token authentications per client address.
    pub bearer_failures: Arc<BearerFailures>,
    /// Digests of made-up cookies and tokens, answered without a database read.
    pub unknown_secrets: Arc<UnknownSecrets>,
    pub saml_verifier: Arc<dyn SamlVerifier>,
    /// Slots for SAML signature verification, which runs on blocking threads that no request
    /// timeout can cancel: a few hostile POSTs must not take more than these.
    pub saml_verifications: Arc<tokio::sync::Semaphore>,
    pub metrics: Metrics,
    /// How the index follows other processes' writes (see [`crate::change_feed`]).
    pub change_feed: Arc<FeedStats>,
}

pub struct App {
    listeners: Listeners,
    /// `--metrics-listen`, bound.
    metrics_listener: Option<TcpListener>,
    state: AppState,
    feed: Feed,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::open(&config.database_url).await?;
        let server_base = config
            .base_url
            .as_deref()
            .map(crate::domain::BaseUrl::try_from)
            .transpose()
            .context("--base-url")?;
        let feed = change_feed::listen(&store).await;
        let index = Index::load(&store, server_base)
            .await
            .context("cannot load the links")?;
        let listeners = server::bind(&config.listen, config.workers).await?;
        let metrics_listener = match &config.metrics_listen {
            Some(listen) => Some(metrics::endpoint::bind(listen).await?),
            None => None,
        };
        let metrics = Metrics::new(metrics_listener.is_some())?;
        let unknown_secrets = Arc::new(UnknownSecrets::default());
        let state = AppState(Arc::new(Services {
            store,
            index: Arc::new(index),
            clicks: Arc::default(),
            sessions: Arc::new(SessionCache::new(unknown_secrets.clone())),
            scim_tokens: Arc::default(),
            unknown_secrets,
            bearer_failures: Arc::default(),
            scim_limiter: Arc::new(ScimLimiter::new(
                config.scim_rate_per_sec,
                config.scim_burst,
            )),
            sign_in_limiter: Arc::new(SignInLimiter::new(
                config.sign_in_rate_per_min,
                config.sign_in_burst,
            )),
            saml_verifier: Arc::new(XmlSecVerifier::new()),
            saml_verifications: Arc::new(tokio::sync::Semaphore::new(
                crate::saml::CONCURRENT_VERIFICATIONS,
            )),
            metrics,
            change_feed: Arc::default(),
            config: Arc::new(config),
        }));
        Ok(Self {
            listeners,
            metrics_listener,
            state,
            feed,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listeners.addr
    }

    /// Where `/metrics` is served, when `--metrics-listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(metrics::endpoint::local_addr)
    }

    /// What a fresh install says at start: how the first admin gets in.
    /// The first-run message: a command that works when pasted as printed, so it names this
    /// very executable (`golinks` is often not on the PATH after `make run`).
    pub async fn first_run_hint(&self) -> Option<String> {
        if self.state.store.has_people().await.unwrap_or(true) {
            return None;
        }
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "golinks".to_owned());
        let base = self
            .state
            .config
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.local_addr()));
        Some(format!(
            "First run: nobody can sign in yet. Make yourself the first admin with\n  \
             {} login-link --database-url {} --email you@example.com\n\
             and open {base} followed by the printed path. To provision people from Okta or \
             Entra ID, see docs/okta.md and docs/entra-id.md.",
            shell_word(&exe),
            shell_word(&anchored(&crate::store::redact_url(
                &self.state.config.database_url
            )))
        ))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let state = self.state;
        let flush_every = Duration::from_secs(state.config.click_flush_secs);
        let sync_every = Duration::from_millis(state.config.sync_interval_ms);
        let mut tasks = vec![
            every(
                flush_every,
                stop_rx.clone(),
                state.clone(),
                |s| async move {
                    if let Err(e) = s.clicks.flush(&s.store).await {
                        tracing::warn!(error = %e, "cannot write click counts; will retry");
                    }
                },
            ),
            every(
                Duration::from_secs(60),
                stop_rx.clone(),
                state.clone(),
                |s| async move {
                    s.sign_in_limiter.shrink();
                    s.bearer_failures.shrink();
                },
            ),
            optimizer(state.clone(), stop_rx.clone()),
            every(sync_every, stop_rx.clone(), state.clone(), |s| async move {
                match s.index.sync(&s.store).await {
                    Ok(true) => s.change_feed.applied(),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot check for changes; will retry"),
                }
            }),
        ];
        if let Some(listener) = self.metrics_listener {
            tasks.push(metrics::endpoint::serve(
                listener,
                state.clone(),
                stop_rx.clone(),
            ));
            tasks.push(every(
                Duration::from_secs(5),
                stop_rx.clone(),
                state.clone(),
                |s| async move { s.metrics.upkeep() },
            ));
        }
        tasks.extend(change_feed::spawn(
            self.feed,
            state.clone(),
            stop_rx.clone(),
        ));
        let service = crate::http::service(state.clone());
        let mut workers = server::spawn(self.listeners, service, stop_rx)?;
        shutdown.await;
        // Stop accepting; requests in flight finish.
        let _ = stop_tx.send(true);
        let mut served = Ok(());
        for worker in &mut workers {
            let result = (&mut worker.served).await.unwrap_or(Ok(()));
            served = served.and(result);
        }
        for task in tasks {
            let _ = task.await;
        }
        if let Err(e) = state.clicks.flush(&state.store).await {
            tracing::error!(error = %e, "cannot write the last click counts");
        }
        state.store.close().await;
        let _ = tokio::task::spawn_blocking(move || {
            workers.into_iter().for_each(server::Worker::finish)
        })
        .await;
        served.context("the server stopped with an error")
    }
}

/// Runs `job` every `period` until `stop` turns true.
fn every<F, Fut>(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    state: AppState,
    job: F,
) -> JoinHandle<()>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => job(state.clone()).await,
                _ = stop.changed() => break,
            }
        }
    })
}

/// Writes to people after which the planner's statistics are refreshed without waiting for
/// the minute: a bulk load (an identity provider's first push) changes the table enough for
/// PostgreSQL's rule (50 rows + 10%) long before then.
const OPTIMIZE_AFTER_WRITES: u64 = 1_000;
/// How often the write count is looked at: the debounce between two bursts' refreshes.
const OPTIMIZE_CHECK: Duration = Duration::from_secs(5);
const OPTIMIZE_EVERY: Duration = Duration::from_secs(60);

/// `Store::optimize` soon after start-up (a database restored or bulk-loaded while golinks was down
/// has no statistics yet, and PostgreSQL then plans every look-up as a scan), every minute,
/// and within `OPTIMIZE_CHECK` of `OPTIMIZE_AFTER_WRITES` writes to people. `optimize`
/// itself only analyzes what changed enough, so an early call costs a catalog query.
fn optimizer(state: AppState, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        // The first run one check after start-up, not during it: the VACUUM holds a pooled
        // connection while the server's first requests want theirs.
        let first = tokio::time::Instant::now() + OPTIMIZE_CHECK;
        let mut ticker = tokio::time::interval_at(first, OPTIMIZE_CHECK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last: Option<(tokio::time::Instant, u64)> = None;
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stop.changed() => break,
            }
            let writes = state.store.people_writes();
            let due = last.is_none_or(|(at, seen)| {
                at.elapsed() >= OPTIMIZE_EVERY || writes - seen >= OPTIMIZE_AFTER_WRITES
            });
            if !due {
                continue;
            }
            last = Some((tokio::time::Instant::now(), writes));
            if let Err(e) = state.store.optimize().await {
                tracing::warn!(error = %e, "cannot refresh the query planner's statistics");
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A SQLite URL with a relative path made absolute, so that the printed command works from
/// any directory (`make run` serves `sqlite://golinks.db` from the repository).
fn anchored(url: &str) -> String {
    let Some(path) = url.strip_prefix("sqlite://") else {
        return url.to_owned();
    };
    if path.starts_with('/') || path.starts_with(':') || path.is_empty() {
        return url.to_owned();
    }
    match std::env::current_dir() {
        Ok(dir) => format!("sqlite://{}", dir.join(path).display()),
        Err(_) => url.to_owned(),
    }
}

/// `word` quoted for a POSIX shell when it holds anything but plain path characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@=,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
