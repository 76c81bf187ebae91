use clap::Parser;
use golinks::app::{App, shutdown_signal};
use golinks::cli::{Cli, Command};
use golinks::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

// The HTTP workers run runtimes of their own (server.rs); this one runs the background tasks
// and the admin commands.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve(args) => {
            let config = Config::load(&args)?;
            init_tracing(config.log_format, "info");
            println!(
                "golinks {} starting with:\n{config}",
                env!("CARGO_PKG_VERSION")
            );
            let app = App::build(config).await?;
            println!(
                "golinks is serving on http://{} (Ctrl-C to stop)",
                app.local_addr()
            );
            if let Some(hint) = app.first_run_hint().await {
                println!("{hint}");
            }
            app.run(shutdown_signal()).await
        }
        admin => {
            init_tracing(LogFormat::Text, "warn");
            golinks::cli::run_admin(admin).await
        }
    }
}

fn init_tracing(format: LogFormat, default_level: &str) {
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
