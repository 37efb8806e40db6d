//! `Reports` on this store: open reports and the action log, each behind a
//! lock of their own (apart from the rooms': nothing here touches a room),
//! bounded as `rules` says.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::MemoryStore;
use crate::chat::rules::{LIVE_ROOMS, MAX_ACTIONS, MAX_REPORTS};
use crate::chat::{Action, ChatError, LiveRoom, NewReport, Report, Reports};

/// What the operators have to read.
#[derive(Default)]
pub(super) struct Kept {
    last: u64,
    open: BTreeMap<u64, Report>,
    actions: VecDeque<Action>,
}

/// The lock around what is kept.
#[derive(Default)]
pub(super) struct KeptLock(Mutex<Kept>);

impl KeptLock {
    fn lock(&self) -> MutexGuard<'_, Kept> {
        // Every change is one step: a panic elsewhere leaves it whole.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Reports for MemoryStore {
    async fn report(&self, report: NewReport) -> Result<Option<u64>, ChatError> {
        let mut kept = self.shared.kept.lock();
        let again = kept.open.values().any(|open| {
            open.code == report.code
                && open.message.id == report.message.id
                && open.reporter == report.reporter
        });
        if again {
            return Ok(None);
        }
        kept.last += 1;
        let id = kept.last;
        let NewReport {
            code,
            message,
            reason,
            reporter,
            at,
        } = report;
        kept.open.insert(
            id,
            Report {
                id,
                code,
                message,
                reason,
                reporter,
                at,
            },
        );
        while kept.open.len() > MAX_REPORTS {
            kept.open.pop_first();
        }
        Ok(Some(id))
    }

    async fn reports(&self) -> Result<Vec<Report>, ChatError> {
        Ok(self
            .shared
            .kept
            .lock()
            .open
            .values()
            .rev()
            .cloned()
            .collect())
    }

    async fn open_report(&self, id: u64) -> Result<Option<Report>, ChatError> {
        Ok(self.shared.kept.lock().open.get(&id).cloned())
    }

    async fn close_report(&self, id: u64) -> Result<bool, ChatError> {
        Ok(self.shared.kept.lock().open.remove(&id).is_some())
    }

    async fn record(&self, action: Action) -> Result<(), ChatError> {
        let mut kept = self.shared.kept.lock();
        kept.actions.push_front(action);
        kept.actions.truncate(MAX_ACTIONS);
        Ok(())
    }

    async fn actions(&self) -> Result<Vec<Action>, ChatError> {
        Ok(self.shared.kept.lock().actions.iter().cloned().collect())
    }

    async fn live_rooms(&self) -> Result<Vec<LiveRoom>, ChatError> {
        let state = self.shared.lock();
        let mut rooms: Vec<LiveRoom> = state
            .rooms
            .values()
            .map(|room| LiveRoom {
                code: room.code.clone(),
                members: room.member_count(),
                public: room.public,
                pair: room.pair.is_some(),
            })
            .collect();
        drop(state);
        rooms.sort_by(|a, b| b.members.cmp(&a.members).then(a.code.cmp(&b.code)));
        rooms.truncate(LIVE_ROOMS);
        Ok(rooms)
    }
}
