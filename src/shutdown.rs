//! `Shutdown`: a cheap handle every long-lived task can wait on, so that on
//! SIGTERM or Ctrl-C streams say goodbye and end, and the server can finish.

use tokio::sync::watch;

/// The sending side: `stop()` tells every `Shutdown` handle at once.
pub struct Trigger(watch::Sender<bool>);

#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    pub fn new() -> (Trigger, Self) {
        let (tx, rx) = watch::channel(false);
        (Trigger(tx), Self(rx))
    }

    /// True once the server has been told to stop: a plain read of the
    /// value, which registers nothing and stays true for good (also once the
    /// trigger is gone, as it is as soon as it has fired in `main`).
    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the server is stopping (at once if it already is).
    pub async fn wait(&mut self) {
        if self.0.wait_for(|stopping| *stopping).await.is_err() {
            // The trigger was dropped without a stop: nothing will ever stop us.
            std::future::pending::<()>().await;
        }
    }
}

impl Trigger {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
