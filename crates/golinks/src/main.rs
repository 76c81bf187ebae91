use std::process::ExitCode;

use clap::Parser;
use golinks::app::{App, shutdown_signal};
use golinks::cli::{Cli, Command};
use golinks::config::{Config, LogFormat, ServeArgs};
use golinks::logging::{self, Banner};

// The HTTP workers run runtimes of their own (server.rs); this one runs the background tasks
// and the admin commands.
/// mimalloc instead of glibc's malloc: a SCIM page or a redirect allocates many small,
/// short-lived values across threads, and glibc spent a fifth of a page's CPU on its arenas'
/// locks and bookkeeping (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (result, format) = match Cli::parse().command {
        Command::Serve(args) => {
            let mut format = args.log_format.unwrap_or(LogFormat::Text);
            (serve(&args, &mut format).await, format)
        }
        admin => {
            logging::init(LogFormat::Text, "warn");
            (golinks::cli::run_admin(admin).await, LogFormat::Text)
        }
    };
    if let Err(e) = &result {
        Banner(format).failed(e);
    }
    ExitCode::from(u8::from(result.is_err()))
}

async fn serve(args: &ServeArgs, format: &mut LogFormat) -> anyhow::Result<()> {
    let config = Config::load(args)?;
    *format = config.log_format;
    logging::init(config.log_format, "info");
    let banner = Banner(config.log_format);
    banner.starting(&config);
    let app = App::build(config).await?;
    banner.serving(app.local_addr());
    if let Some(hint) = app.first_run_hint().await {
        banner.note(&hint);
    }
    app.run(shutdown_signal()).await
}
