//! The two ways the storm drops every stream: a server restarted (stopped
//! with `SIGTERM`, as a deploy does, and started again on the same port),
//! and one of two servers sharing Redis killed (`SIGKILL`, as a crash), its
//! pages sent to the other one as a proxy would.

use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;

use super::page::Route;
use super::{Disrupt, Struck};
use crate::bench::launch;
use crate::sse::now_micros;

/// Restarts one server (a memory store: what it held is gone).
pub struct Restart {
    pub make: Box<dyn Fn() -> Command + Send>,
    pub child: Child,
    pub bind: String,
}

impl Disrupt for Restart {
    async fn strike(&mut self, _route: &Route) -> Result<Struck, String> {
        if let Some(pid) = self
            .child
            .id()
            .and_then(|p| rustix::process::Pid::from_raw(p as i32))
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        // A graceful stop takes 2 s at most with only streams open.
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        self.child = launch((self.make)(), "livechat", &self.bind).await?;
        Ok(Struck {
            answering: Instant::now(),
            dropped: vec![0],
            pids: self.child.id().into_iter().collect(),
            covered_from: now_micros(),
        })
    }
}

/// Kills server `victim` of several sharing Redis; the others answer on.
pub struct Kill<'a> {
    pub children: &'a mut [Child],
    pub victim: usize,
    /// The processes left to measure (the other servers, Redis).
    pub pids: Vec<u32>,
}

impl Disrupt for Kill<'_> {
    async fn strike(&mut self, route: &Route) -> Result<Struck, String> {
        if let Some(alive) = route.alive.get(self.victim) {
            alive.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        let child = self
            .children
            .get_mut(self.victim)
            .ok_or("no server to kill")?;
        let _ = child.kill().await;
        Ok(Struck {
            answering: Instant::now(),
            dropped: vec![self.victim],
            pids: self.pids.clone(),
            // Redis keeps every room's history: every gap is covered.
            covered_from: 0,
        })
    }
}
