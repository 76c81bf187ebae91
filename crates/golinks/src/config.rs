//! Server configuration: flags, then `GOLINKS_*` environment variables (clap reads both),
//! then an optional TOML file (`--config`), then defaults. Built and validated once, before
//! anything binds or connects.

use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::http::auth::client::Cidr;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://golinks.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Options of `golinks serve`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML file with any of the options below (flags and environment variables win).
    #[arg(long, env = "GOLINKS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "GOLINKS_LISTEN")]
    pub listen: Option<String>,
    /// sqlite://PATH (created if missing) or postgres://USER:PASSWORD@HOST/DB [default: sqlite://golinks.db].
    #[arg(long, env = "GOLINKS_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The address people reach this server at, e.g. https://go.acme.example (no path). With
    /// https, cookies are `__Host-` and `Secure` and pages send HSTS [default: none: plain http
    /// on whatever host the request names, for local use].
    #[arg(long, env = "GOLINKS_BASE_URL")]
    pub base_url: Option<String>,
    /// Log lines as text or JSON [default: text].
    #[arg(long, env = "GOLINKS_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest request body accepted, in bytes [default: 1048576].
    #[arg(long, env = "GOLINKS_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Seconds a request may take before it is answered 408 [default: 30].
    #[arg(long, env = "GOLINKS_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Seconds between writes of click counts to the database [default: 5].
    #[arg(long, env = "GOLINKS_CLICK_FLUSH_SECS")]
    pub click_flush_secs: Option<u64>,
    /// Milliseconds between checks for changes made by other processes [default: 1000].
    #[arg(long, env = "GOLINKS_SYNC_INTERVAL_MS")]
    pub sync_interval_ms: Option<u64>,
    /// HTTP worker threads, each with its own socket [default: one per CPU].
    #[arg(long, env = "GOLINKS_WORKERS")]
    pub workers: Option<usize>,
    /// SCIM requests per second allowed per token, sustained [default: 2000].
    #[arg(long, env = "GOLINKS_SCIM_RATE_PER_SEC")]
    pub scim_rate_per_sec: Option<NonZeroU32>,
    /// SCIM requests a token may send at once above its rate [default: 5000].
    #[arg(long, env = "GOLINKS_SCIM_BURST")]
    pub scim_burst: Option<NonZeroU32>,
    /// Reverse proxies in front of this server, as address ranges (`10.0.0.0/8,fd00::/8`):
    /// only from these peers are `X-Forwarded-For` and `X-Forwarded-Proto` believed, and the
    /// client is the right-most `X-Forwarded-For` address outside them [default: none].
    #[arg(long, env = "GOLINKS_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Sign-in attempts per minute allowed per client address, sustained [default: 60].
    #[arg(long, env = "GOLINKS_SIGN_IN_RATE_PER_MIN")]
    pub sign_in_rate_per_min: Option<NonZeroU32>,
    /// Sign-in attempts a client address may make at once above its rate [default: 20].
    #[arg(long, env = "GOLINKS_SIGN_IN_BURST")]
    pub sign_in_burst: Option<NonZeroU32>,
    /// Hours a session lasts without use [default: 168].
    #[arg(long, env = "GOLINKS_SESSION_IDLE_HOURS")]
    pub session_idle_hours: Option<u32>,
    /// Hours a session lasts at most after sign-in [default: 720].
    #[arg(long, env = "GOLINKS_SESSION_LIFETIME_HOURS")]
    pub session_lifetime_hours: Option<u32>,
    /// Address serving Prometheus metrics at /metrics, e.g. 127.0.0.1:9100: a listener of its
    /// own, never the public one [default: none: no metrics].
    #[arg(long, env = "GOLINKS_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    base_url: Option<String>,
    log_format: Option<LogFormat>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    click_flush_secs: Option<u64>,
    sync_interval_ms: Option<u64>,
    workers: Option<usize>,
    scim_rate_per_sec: Option<NonZeroU32>,
    scim_burst: Option<NonZeroU32>,
    trusted_proxies: Option<Vec<String>>,
    sign_in_rate_per_min: Option<NonZeroU32>,
    sign_in_burst: Option<NonZeroU32>,
    session_idle_hours: Option<u32>,
    session_lifetime_hours: Option<u32>,
    metrics_listen: Option<String>,
}

#[derive(Clone)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
    /// `scheme://host[:port]`, no trailing slash; `None` for plain local use.
    pub base_url: Option<String>,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    pub click_flush_secs: u64,
    pub sync_interval_ms: u64,
    pub workers: usize,
    pub scim_rate_per_sec: NonZeroU32,
    pub scim_burst: NonZeroU32,
    pub trusted_proxies: Vec<Cidr>,
    pub sign_in_rate_per_min: NonZeroU32,
    pub sign_in_burst: NonZeroU32,
    pub session_idle_hours: u32,
    pub session_lifetime_hours: u32,
    /// Where `/metrics` is served; `None`: metrics are off.
    pub metrics_listen: Option<String>,
}

impl Config {
    /// Whether people reach this server over TLS, by configuration (never by a request
    /// header): cookies are then `Secure` and `__Host-`, and pages send HSTS.
    pub fn https(&self) -> bool {
        self.base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    pub fn session_lifetimes(&self) -> crate::sessions::Lifetimes {
        crate::sessions::Lifetimes {
            idle: time::Duration::hours(i64::from(self.session_idle_hours)),
            absolute: time::Duration::hours(i64::from(self.session_lifetime_hours)),
        }
    }

    pub fn load(args: &ServeArgs) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let config = Config {
            listen: pick(args.listen.clone(), file.listen, DEFAULT_LISTEN.to_owned()),
            database_url: pick(
                args.database_url.clone(),
                file.database_url,
                DEFAULT_DATABASE_URL.to_owned(),
            ),
            base_url: args
                .base_url
                .clone()
                .or(file.base_url)
                .map(|u| u.trim_end_matches('/').to_owned()),
            log_format: pick(args.log_format, file.log_format, LogFormat::Text),
            max_body_bytes: pick(args.max_body_bytes, file.max_body_bytes, 1024 * 1024),
            request_timeout_secs: pick(args.request_timeout_secs, file.request_timeout_secs, 30),
            click_flush_secs: pick(args.click_flush_secs, file.click_flush_secs, 5),
            sync_interval_ms: pick(args.sync_interval_ms, file.sync_interval_ms, 1000),
            workers: pick(args.workers, file.workers, default_workers()),
            scim_rate_per_sec: pick(
                args.scim_rate_per_sec,
                file.scim_rate_per_sec,
                nonzero(2000),
            ),
            scim_burst: pick(args.scim_burst, file.scim_burst, nonzero(5000)),
            trusted_proxies: parse_ranges(args.trusted_proxies.clone().or(file.trusted_proxies))?,
            sign_in_rate_per_min: pick(
                args.sign_in_rate_per_min,
                file.sign_in_rate_per_min,
                nonzero(60),
            ),
            sign_in_burst: pick(args.sign_in_burst, file.sign_in_burst, nonzero(30)),
            session_idle_hours: pick(args.session_idle_hours, file.session_idle_hours, 168),
            session_lifetime_hours: pick(
                args.session_lifetime_hours,
                file.session_lifetime_hours,
                720,
            ),
            metrics_listen: args.metrics_listen.clone().or(file.metrics_listen),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let host_port = |a: &str| {
            a.rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        };
        if !host_port(&self.listen) {
            bail!(
                "--listen must be HOST:PORT, e.g. 127.0.0.1:8080, not {:?}",
                self.listen
            );
        }
        if let Some(metrics) = self.metrics_listen.as_deref().filter(|a| !host_port(a)) {
            bail!("--metrics-listen must be HOST:PORT, e.g. 127.0.0.1:9100, not {metrics:?}");
        }
        if let Some(base) = &self.base_url {
            let parsed = url::Url::parse(base)
                .with_context(|| format!("--base-url must be a URL, not {base:?}"))?;
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host_str().is_none()
                || parsed.path() != "/"
                || parsed.query().is_some()
            {
                bail!("--base-url must be http(s)://HOST[:PORT] with no path, not {base:?}");
            }
        }
        if self.max_body_bytes < 1024 {
            bail!("--max-body-bytes must be at least 1024");
        }
        if self.request_timeout_secs == 0
            || self.click_flush_secs == 0
            || self.sync_interval_ms == 0
        {
            bail!("timeouts and intervals must be greater than zero");
        }
        Ok(())
    }
}

/// `--trusted-proxies`: address ranges; empty entries (a trailing comma) are skipped.
fn parse_ranges(raw: Option<Vec<String>>) -> anyhow::Result<Vec<Cidr>> {
    raw.unwrap_or_default()
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| r.parse().context("--trusted-proxies"))
        .collect()
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn pick<T>(flag_or_env: Option<T>, file: Option<T>, default: T) -> T {
    flag_or_env.or(file).unwrap_or(default)
}

/// The effective configuration, secrets redacted: printed at start.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "listen = {:?}", self.listen)?;
        writeln!(
            f,
            "database_url = {:?}",
            crate::store::redact_url(&self.database_url)
        )?;
        writeln!(f, "base_url = {:?}", self.base_url.as_deref().unwrap_or(""))?;
        writeln!(
            f,
            "log_format = {:?}",
            format!("{:?}", self.log_format).to_lowercase()
        )?;
        writeln!(f, "max_body_bytes = {}", self.max_body_bytes)?;
        writeln!(f, "request_timeout_secs = {}", self.request_timeout_secs)?;
        writeln!(f, "click_flush_secs = {}", self.click_flush_secs)?;
        writeln!(f, "sync_interval_ms = {}", self.sync_interval_ms)?;
        writeln!(f, "workers = {}", self.workers)?;
        writeln!(f, "scim_rate_per_sec = {}", self.scim_rate_per_sec)?;
        writeln!(f, "scim_burst = {}", self.scim_burst)?;
        let proxies: Vec<String> = self.trusted_proxies.iter().map(Cidr::to_string).collect();
        writeln!(f, "trusted_proxies = {proxies:?}")?;
        writeln!(f, "sign_in_rate_per_min = {}", self.sign_in_rate_per_min)?;
        writeln!(f, "sign_in_burst = {}", self.sign_in_burst)?;
        writeln!(f, "session_idle_hours = {}", self.session_idle_hours)?;
        writeln!(
            f,
            "session_lifetime_hours = {}",
            self.session_lifetime_hours
        )?;
        write!(
            f,
            "metrics_listen = {:?}",
            self.metrics_listen.as_deref().unwrap_or("")
        )
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("golinks.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nclick_flush_secs = 9\n").expect("write");
        let args = ServeArgs {
            config: Some(path),
            click_flush_secs: Some(2),
            ..Default::default()
        };
        let config = Config::load(&args).expect("valid");
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.click_flush_secs, 2);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert!(
            config.trusted_proxies.is_empty(),
            "no proxy is trusted by default"
        );
    }

    #[test]
    fn trusted_proxies_come_from_the_flag_or_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("golinks.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]\n").expect("write");
        let from_file = Config::load(&ServeArgs {
            config: Some(path.clone()),
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(from_file.trusted_proxies.len(), 2);
        assert!(
            from_file
                .to_string()
                .contains("trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]")
        );
        let flag = Config::load(&ServeArgs {
            config: Some(path),
            trusted_proxies: Some(vec!["192.0.2.7".into()]),
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(flag.trusted_proxies.len(), 1, "the flag wins");
    }

    #[test]
    fn bad_values_and_unknown_file_keys_are_refused() {
        let args = ServeArgs {
            listen: Some("nonsense".into()),
            ..Default::default()
        };
        assert!(Config::load(&args).is_err());
        let args = ServeArgs {
            metrics_listen: Some("9100".into()),
            ..Default::default()
        };
        let error = format!("{:#}", Config::load(&args).expect_err("no host"));
        assert!(error.contains("--metrics-listen"), "{error}");
        let args = ServeArgs {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), "proxy.example".into()]),
            ..Default::default()
        };
        let error = format!("{:#}", Config::load(&args).expect_err("not a range"));
        assert!(error.contains("proxy.example"), "{error}");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("golinks.toml");
        std::fs::write(&path, "lisen = \"typo\"\n").expect("write");
        assert!(
            Config::load(&ServeArgs {
                config: Some(path),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn the_printed_config_hides_the_database_password() {
        let args = ServeArgs {
            database_url: Some("postgres://u:secret@db/x".into()),
            ..Default::default()
        };
        let shown = Config::load(&args).expect("valid").to_string();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
