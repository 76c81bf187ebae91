//! Log lines and the start-up banner. With `--log-format json` every line the server writes,
//! on stdout and stderr, is one JSON object, the banner included, so that a log collector
//! never has to guess where a multi-line message ends.

use serde_json::{Map, Value, json};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

pub fn init(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default_level},sqlx=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// What the server tells the person starting it, on stdout.
pub struct Banner(pub LogFormat);

impl Banner {
    pub fn starting(&self, config: &Config) {
        let version = env!("CARGO_PKG_VERSION");
        match self.0 {
            LogFormat::Text => println!("golinks {version} starting with:\n{config}"),
            LogFormat::Json => self.json(
                &format!("golinks {version} starting"),
                json!({"config": config_json(config)}),
            ),
        }
    }

    pub fn serving(&self, addr: std::net::SocketAddr) {
        match self.0 {
            LogFormat::Text => println!("golinks is serving on http://{addr} (Ctrl-C to stop)"),
            LogFormat::Json => self.json(
                "golinks is serving",
                json!({"address": format!("http://{addr}")}),
            ),
        }
    }

    /// A message of several lines (the first-run hint).
    pub fn note(&self, text: &str) {
        match self.0 {
            LogFormat::Text => println!("{text}"),
            LogFormat::Json => self.json(text, json!({})),
        }
    }

    /// The error that stopped the server, on stderr.
    pub fn failed(&self, error: &anyhow::Error) {
        match self.0 {
            // As `main` returning the error would print it.
            LogFormat::Text => eprintln!("Error: {error:?}"),
            LogFormat::Json => eprintln!("{}", line("ERROR", &format!("{error:#}"), json!({}))),
        }
    }

    fn json(&self, message: &str, fields: Value) {
        println!("{}", line("INFO", message, fields));
    }
}

/// A line shaped like the JSON log lines of `tracing_subscriber`.
fn line(level: &str, message: &str, fields: Value) -> Value {
    let mut all = match fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    all.insert("message".into(), message.into());
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    json!({"timestamp": timestamp, "level": level, "fields": all, "target": "golinks"})
}

/// The effective configuration as JSON: its printed form is TOML, read back (one list of
/// what is shown, secrets redacted there).
fn config_json(config: &Config) -> Value {
    let shown = config.to_string();
    toml::from_str::<toml::Table>(&shown)
        .ok()
        .and_then(|table| serde_json::to_value(table).ok())
        .unwrap_or(Value::String(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_configuration_reads_back_as_json() {
        let config = Config::load(&crate::config::ServeArgs {
            database_url: Some("postgres://u:secret@db/x".into()),
            trusted_proxies: Some(vec!["10.0.0.0/8".into()]),
            ..Default::default()
        })
        .expect("valid");
        let value = config_json(&config);
        assert_eq!(value["listen"], "127.0.0.1:8080", "{value}");
        assert_eq!(value["trusted_proxies"][0], "10.0.0.0/8");
        assert!(!value.to_string().contains("secret"));
    }
}
