//! The pairing queue in Redis: one queue for every server, paired by one
//! script (`PAIR`) so no two servers can take the same waiter; waiting pages
//! hear their match through pub/sub, and through their heartbeat if that was
//! missed.

use std::sync::Arc;

use redis::AsyncCommands;
use tokio::sync::watch;

use super::codec;
use super::local::Watcher;
use super::scripts::{self, Scripts};
use super::{Inner, down, keys};
use crate::chat::rules::{self, CODE_TRIES, PAIR_CODES};
use crate::chat::{ChatError, Member, MemberId, PairWatch, Pairing, RoomCode};

/// How long two matched strangers are held for the room being made for
/// them; past it, a hold whose room was never made lapses.
const HOLD: std::time::Duration = std::time::Duration::from_secs(10);

impl Inner {
    /// Queues `member` (keeping their place) and pairs whoever can be paired.
    pub(super) async fn queue(&self, member: &Member) -> Result<Pairing, ChatError> {
        let now = self.now_ms();
        let queued: i64 = Scripts::call(&self.scripts.queue, keys::QUEUE)
            .arg(member.id.0.to_string())
            .arg(codec::author(&member.seed, &member.name))
            .arg(now + self.grace_ms())
            .arg(self.settings.max_queue)
            .arg(now)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        if queued < 0 {
            return Err(ChatError::QueueFull);
        }
        self.pair_all().await?;
        Ok(self
            .read_pairing(member.id)
            .await?
            .unwrap_or(Pairing::Waiting))
    }

    /// The member leaves the queue, or forgets their match.
    pub(super) async fn cancel(&self, member: MemberId) {
        let cancelled: Result<i64, _> = Scripts::call(&self.scripts.cancel, keys::QUEUE)
            .arg(member.0.to_string())
            .invoke_async(&mut self.conn())
            .await;
        if let Err(why) = cancelled {
            down(why);
        }
    }

    /// Opens a waiting page's watch on the queue; `None` when not queued.
    /// It holds one of the member's streams (counted on every server) while open.
    pub(super) async fn watch_pairing(
        self: &Arc<Self>,
        member: MemberId,
    ) -> Result<Option<PairWatch>, ChatError> {
        let counted = match self.count_stream(member, 1).await {
            Ok(true) => true,
            Ok(false) => return Err(ChatError::TooManyStreams),
            // Redis is away: the page waits uncounted rather than not at all.
            Err(_) => false,
        };
        let now = match self.waiting(member, true).await {
            Ok(Some(now)) => now,
            Ok(None) => {
                if counted {
                    let _ = self.count_stream(member, -1).await;
                }
                return Ok(None);
            }
            // Redis is away: the page keeps waiting, and its heartbeat
            // catches up with the queue once Redis is back.
            Err(_) => Pairing::Waiting,
        };
        // A page that was closed and opens again can be paired again.
        let _ = self.pair_all().await;
        let now = self
            .read_pairing(member)
            .await
            .ok()
            .flatten()
            .unwrap_or(now);
        let matched = self.watch(member, now);
        Ok(Some(PairWatch {
            matched,
            guard: Box::new(PairGuard {
                inner: Arc::clone(self),
                member,
                counted,
            }),
        }))
    }

    /// Pairs whoever can be paired, first come, first served: matched and
    /// held in the queue's slot (`pair.lua`), their room made in its own
    /// (`pair_room.lua`), then told (`paired.lua`). A hold whose room was
    /// never made (a crash between) lapses after `HOLD`, and they are
    /// matched again.
    pub(super) async fn pair_all(&self) -> Result<(), ChatError> {
        self.settle().await;
        let most = PAIR_CODES / 2;
        loop {
            let now = self.now_ms();
            let mut pair = Scripts::call(&self.scripts.pair, keys::QUEUE);
            pair.arg(now)
                .arg(self.settings.max_pair_rooms)
                .arg(HOLD.as_millis() as i64);
            for (opened, open_now) in [(false, false), (false, true), (true, false), (true, true)] {
                pair.arg(if rules::ready(opened, open_now) {
                    "1"
                } else {
                    ""
                });
            }
            pair.arg(most);
            let held: Vec<String> = pair.invoke_async(&mut self.conn()).await.map_err(down)?;
            for two in held.chunks_exact(4) {
                self.make_pair_room(two).await?;
            }
            // As many as could be matched at once: there may be more.
            if held.len() < 4 * most {
                return Ok(());
            }
        }
    }

    /// The room of two held strangers (`[a, a's author, b, b's author]`).
    async fn make_pair_room(&self, two: &[String]) -> Result<(), ChatError> {
        let members: Vec<MemberId> = [&two[0], &two[2]]
            .iter()
            .filter_map(|m| uuid::Uuid::parse_str(m).ok().map(MemberId))
            .collect();
        for _ in 0..CODE_TRIES {
            let code = RoomCode::random(self.settings.code_length);
            let now = self.now_ms();
            let expiry = now + self.grace_ms();
            let mut rooms = Vec::new();
            for member in &members {
                rooms.push(self.before_enter(&code, *member, expiry).await?);
            }
            let mut room = Scripts::call(&self.scripts.pair_room, keys::room(&code));
            room.arg(code.as_str())
                .arg(now)
                .arg(self.history_len())
                .arg(expiry)
                .arg(now)
                .arg(codec::PAIRED);
            scripts::plan(&mut room, true, self.settings.room.big_room, now);
            room.arg(two);
            let made: Vec<i64> = room.invoke_async(&mut self.conn()).await.map_err(down)?;
            if made.first() != Some(&1) {
                continue;
            }
            let due = made.get(1).copied().unwrap_or(0);
            for (member, rooms) in members.iter().zip(rooms) {
                self.after_enter(&code, *member, rooms, due).await;
            }
            let _: i64 = Scripts::call(&self.scripts.paired, keys::QUEUE)
                .arg(code.as_str())
                .arg(expiry)
                .arg(&two[0])
                .arg(&two[2])
                .invoke_async(&mut self.conn())
                .await
                .map_err(down)?;
            return Ok(());
        }
        Ok(())
    }

    /// Where the member stands with the queue, read from Redis.
    pub(super) async fn read_pairing(
        &self,
        member: MemberId,
    ) -> Result<Option<Pairing>, ChatError> {
        let (author, matched): (Option<String>, Option<String>) = self
            .conn()
            .hmget(keys::waiter(member), &["author", "matched"])
            .await
            .map_err(down)?;
        Ok(
            author.map(|_| match matched.as_deref().and_then(RoomCode::from_path) {
                Some(code) => Pairing::Matched(code),
                None => Pairing::Waiting,
            }),
        )
    }

    /// A waiting page's heartbeat (or its close, when `open` is false): where
    /// the member stands, `None` when no longer queued.
    pub(super) async fn waiting(
        &self,
        member: MemberId,
        open: bool,
    ) -> Result<Option<Pairing>, ChatError> {
        let now = self.now_ms();
        let (live, expiry) = if open {
            (now + 3 * self.beat.as_millis() as i64, now + self.live_ms())
        } else {
            (0, now + self.grace_ms())
        };
        let matched: Option<String> = Scripts::call(&self.scripts.waiting, keys::QUEUE)
            .arg(member.0.to_string())
            .arg(live)
            .arg(expiry)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        Ok(matched.map(|code| match RoomCode::from_path(&code) {
            Some(code) => Pairing::Matched(code),
            None => Pairing::Waiting,
        }))
    }

    /// A waiting page of `member` opened here.
    pub(super) fn watch(
        &self,
        member: MemberId,
        now: Pairing,
    ) -> watch::Receiver<Option<RoomCode>> {
        let mut local = self.lock();
        let watcher = local.watchers.entry(member).or_insert_with(|| Watcher {
            pages: 0,
            tx: watch::channel(None).0,
        });
        watcher.pages += 1;
        if let Pairing::Matched(code) = now {
            watcher.tx.send_replace(Some(code));
        }
        watcher.tx.subscribe()
    }

    /// `member` was matched into `code`: their waiting pages here hear it.
    pub(super) fn matched(&self, member: MemberId, code: RoomCode) {
        if let Some(watcher) = self.lock().watchers.get(&member) {
            watcher.tx.send_if_modified(|now| {
                let changed = now.as_ref() != Some(&code);
                *now = Some(code);
                changed
            });
        }
    }
}

/// Keeps a member queued while a waiting page is open.
pub(super) struct PairGuard {
    pub inner: Arc<Inner>,
    pub member: MemberId,
    /// Holds one of the member's streams, to give back.
    pub counted: bool,
}

impl Drop for PairGuard {
    fn drop(&mut self) {
        let last_one = {
            let mut local = self.inner.lock();
            match local.watchers.get_mut(&self.member) {
                Some(watcher) => {
                    watcher.pages = watcher.pages.saturating_sub(1);
                    let last = watcher.pages == 0;
                    if last {
                        local.watchers.remove(&self.member);
                    }
                    last
                }
                None => false,
            }
        };
        let (inner, member, counted) = (Arc::clone(&self.inner), self.member, self.counted);
        if last_one || counted {
            self.inner.spawn_pending(async move {
                if counted {
                    let _ = inner.count_stream(member, -1).await;
                }
                if last_one {
                    let _ = inner.waiting(member, false).await;
                }
            });
        }
    }
}
