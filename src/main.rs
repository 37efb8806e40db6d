//! Starts livechat: reads the configuration, binds, serves until a signal.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use livechat::config::Config;
use livechat::start::StartError;
use livechat::{AppState, app, serve, shutdown};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("livechat=info,tower_http=info")),
        )
        .init();
    let config = Config::parse();
    warn_about(&config);
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("livechat: {why}");
            ExitCode::from(why.exit_code())
        }
    }
}

/// Settings that work, but not as people may expect.
fn warn_about(config: &Config) {
    if config.secret.is_none() {
        // Expected when trying the site out; production sets it (README, SECURITY.md).
        tracing::info!("no --secret given: sessions end when the server restarts");
    }
    // Form encoding turns one character into up to 12 bytes (%XX per byte).
    let longest_post = config.max_message.saturating_mul(12).saturating_add(1024);
    if config.max_body < longest_post {
        tracing::warn!(
            max_body = config.max_body,
            max_message = config.max_message,
            "--max-body is smaller than a --max-message message can be once form-encoded \
             ({longest_post} bytes for characters outside ASCII): such long messages get 413"
        );
    }
}

/// Makes the state, listens, and serves until a signal stops it.
async fn run(config: Config) -> Result<(), StartError> {
    let bind = config.bind;
    let options = serve::Options::from_config(&config).map_err(StartError::Tls)?;
    let (state, trigger) = AppState::connect(config).await?;
    let listener =
        serve::listen(bind).map_err(|source| StartError::Listen { addr: bind, source })?;
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(%bind, scheme, "serving");
    let stop = state.stop.clone();
    let router = app(state);
    tokio::spawn(async move {
        shutdown::signal().await;
        tracing::info!("stopping: telling streams, finishing requests");
        trigger.stop();
    });
    serve::run(listener, router, options, stop)
        .await
        .map_err(StartError::Serve)
}
