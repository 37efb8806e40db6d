//! Starts livechat: reads the configuration, binds, serves until a signal.

use clap::Parser;
use tracing_subscriber::EnvFilter;

use livechat::config::Config;
use livechat::{AppState, app, shutdown};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("livechat=info,tower_http=info")),
        )
        .init();
    let config = Config::parse();
    if config.secret.is_none() {
        tracing::warn!("no --secret given: sessions end when the server restarts");
    }
    let bind = config.bind;
    let (state, trigger) = match AppState::new(config) {
        Ok(ready) => ready,
        Err(why) => {
            eprintln!("livechat: {why}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(listener) => listener,
        Err(why) => {
            eprintln!("livechat: cannot listen on {bind}: {why}");
            return std::process::ExitCode::from(1);
        }
    };
    tracing::info!(%bind, "serving");
    let serve = axum::serve(listener, app(state)).with_graceful_shutdown(async move {
        shutdown::signal().await;
        tracing::info!("stopping: telling streams, finishing requests");
        trigger.stop();
    });
    match serve.await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("livechat: {why}");
            std::process::ExitCode::from(1)
        }
    }
}
