//! `Control` on this store. A room's owner, lock, slow mode and read-only
//! time are fields of its hash; who its owner removed a set beside it; bans
//! and the address each member was last seen from keys that expire. Every
//! change and its notice is one script (`ruled.lua`, `remove.lua`); entering
//! and posting test them in their own scripts (`enter.lua`, `say.lua`), and
//! a leave hands the room over in the same step (`leave.lua`).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use time::OffsetDateTime;
use uuid::Uuid;

use super::scripts::{self, Scripts};
use super::{RedisStore, codec, down, keys};
use crate::chat::rules::{self, KEEP_ROOM};
use crate::chat::{Change, ChatError, Control, MemberId, RoomCode, RoomRules, Seed};

impl RedisStore {
    /// Sets what `change` says in `code`'s hash, told in its log, as `by`
    /// (its owner; `None`: a moderator).
    async fn rule(
        &self,
        code: &RoomCode,
        by: Option<MemberId>,
        change: &Change,
    ) -> Result<(), ChatError> {
        let inner = &self.inner;
        let (notice, field, value) = codec::change(change, inner.now_ms());
        let mut ruled = Scripts::call(&inner.scripts.ruled, keys::room(code));
        ruled
            .arg(code.as_str())
            .arg(by.map(|m| m.0.to_string()).unwrap_or_default())
            .arg(field)
            .arg(value)
            .arg(inner.history_len())
            .arg(notice);
        let done: i64 = ruled.invoke_async(&mut inner.conn()).await.map_err(down)?;
        match done {
            -1 => Err(ChatError::NoSuchRoom(code.to_string())),
            -2 => Err(ChatError::NotOwner),
            _ => {
                let _ = inner.sync_if_local(code).await;
                Ok(())
            }
        }
    }
}

/// A time in ms as Redis keeps it, if there is one.
fn ms(value: Option<String>) -> Option<i64> {
    value.and_then(|v| v.parse().ok())
}

#[async_trait]
impl Control for RedisStore {
    async fn owner(&self, code: &RoomCode) -> Result<Option<MemberId>, ChatError> {
        let owner: Option<String> = self
            .inner
            .conn()
            .hget(keys::room(code), "owner")
            .await
            .map_err(down)?;
        Ok(owner.and_then(|o| Uuid::parse_str(&o).ok()).map(MemberId))
    }

    async fn ban(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        let mut conn = self.inner.conn();
        let address: Option<String> = conn.get(keys::seen(member)).await.map_err(down)?;
        let mut targets = vec![keys::ban(member)];
        targets.extend(address.as_deref().map(keys::address_ban));
        let mut pipe = redis::pipe();
        for key in &targets {
            match until.map(rules::to_ms) {
                Some(until) => {
                    pipe.cmd("SET").arg(key).arg(until).arg("PXAT").arg(until);
                }
                None => {
                    pipe.del(key);
                }
            }
        }
        pipe.query_async::<()>(&mut conn).await.map_err(down)
    }

    async fn slow_mode(&self, code: &RoomCode, every: Option<Duration>) -> Result<(), ChatError> {
        let every = every.filter(|every| !every.is_zero());
        self.rule(code, None, &Change::SlowMode(every)).await
    }

    async fn read_only(
        &self,
        code: &RoomCode,
        until: Option<OffsetDateTime>,
    ) -> Result<(), ChatError> {
        self.rule(code, None, &Change::ReadOnly(until)).await
    }

    async fn room_rules(&self, code: &RoomCode) -> Result<RoomRules, ChatError> {
        let (owner, locked, slow, ro): (Option<String>, Option<String>, _, _) = redis::cmd("HMGET")
            .arg(keys::room(code))
            .arg(&["owner", "locked", "slow", "ro"])
            .query_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        let now = self.inner.now_ms();
        Ok(RoomRules {
            owner: owner.and_then(|o| Uuid::parse_str(&o).ok()).map(MemberId),
            locked: locked.as_deref() == Some("1"),
            slow: ms(slow).map(|ms| Duration::from_millis(ms.max(0) as u64)),
            read_only: ms(ro).filter(|until| *until > now).map(rules::from_ms),
        })
    }

    async fn remove(&self, code: &RoomCode, by: MemberId, seed: &Seed) -> Result<(), ChatError> {
        let inner = &self.inner;
        let authors: HashMap<String, String> = inner
            .conn()
            .hgetall(keys::authors(code))
            .await
            .map_err(down)?;
        let target = authors
            .iter()
            .find(|(_, author)| codec::parse_author(author).is_some_and(|a| &a.seed == seed))
            .and_then(|(id, _)| Uuid::parse_str(id).ok())
            .map(MemberId);
        let Some(target) = target else {
            // Nobody there by that seed: the owner is asked first all the same.
            return match self.owner(code).await? {
                Some(owner) if owner == by => Err(ChatError::NotMember),
                _ => Err(ChatError::NotOwner),
            };
        };
        let now = inner.now_ms();
        let mut remove = Scripts::call(&inner.scripts.remove, keys::room(code));
        remove
            .arg(code.as_str())
            .arg(by.0.to_string())
            .arg(target.0.to_string())
            .arg(now)
            .arg(inner.history_len());
        scripts::plan(&mut remove, false, inner.settings.room.big_room, now);
        scripts::list(&mut remove, &codec::changed_owner(now));
        let got: Vec<i64> = remove.invoke_async(&mut inner.conn()).await.map_err(down)?;
        let done = got.first().copied().unwrap_or(0);
        if done == 1 {
            let due = got.get(1).copied().unwrap_or(0);
            inner
                .after_leave(code, target, 1, due)
                .await
                .map_err(down)?;
        }
        match done {
            -1 => Err(ChatError::NotOwner),
            -2 => Err(ChatError::RemoveSelf),
            -3 => Err(ChatError::NotMember),
            _ => {
                let _ = inner.sync_if_local(code).await;
                inner.gone(code, target);
                Ok(())
            }
        }
    }

    async fn lock(&self, code: &RoomCode, by: MemberId, locked: bool) -> Result<(), ChatError> {
        self.rule(code, Some(by), &Change::Locked(locked)).await
    }

    async fn removed(&self, code: &RoomCode, member: MemberId) -> Result<bool, ChatError> {
        self.inner
            .conn()
            .sismember(keys::removed(code), member.0.to_string())
            .await
            .map_err(down)
    }

    async fn cleared(&self, member: MemberId, address: Option<&str>) -> Result<(), ChatError> {
        let inner = &self.inner;
        let mut conn = inner.conn();
        let mut wanted = vec![keys::ban(member)];
        wanted.extend(address.map(keys::address_ban));
        let bans: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&wanted)
            .query_async(&mut conn)
            .await
            .map_err(down)?;
        let now = inner.now_ms();
        for until in bans {
            rules::may_act(now, ms(until))?;
        }
        if let Some(address) = address {
            let _: () = conn
                .set_ex(keys::seen(member), address, KEEP_ROOM.as_secs())
                .await
                .map_err(down)?;
        }
        Ok(())
    }
}
