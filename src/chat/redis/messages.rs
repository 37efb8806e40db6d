//! `Messages` on this store: whom each session ignores (a list per session,
//! changed by `ignore.lua`, which tells every server), who is muted and
//! until when. Each server keeps, for members with streams open here, what
//! those streams are shown, and changes it when told.
//!
//! A message is read from the room's stream (or, once deleted, from the
//! entry that stands in its place, found through the room's deleted hash).
//! A deletion takes the message's entry (and its text) out of Redis and
//! appends what stands in its place, which every server reads in order like
//! any other entry (`local::in_order`).

use std::sync::Arc;

use super::conn::Conn;
use async_trait::async_trait;
use redis::AsyncCommands;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::codec::{self, Entry};
use super::scripts::Scripts;
use super::{Inner, RedisStore, down, keys};
use crate::chat::{
    Author, ChatError, Deleter, EventId, Member, MemberId, Messages, Person, RoomCode, Said, Seed,
    View, rules,
};

/// How many times a stream's ignore list is read while changes keep being
/// heard, before the last read is taken as it is.
const READS: usize = 4;

impl Inner {
    /// Whom `member` ignores, oldest first.
    async fn ignore_list(&self, member: MemberId) -> Result<Vec<Author>, ChatError> {
        let list: Vec<String> = self
            .conn()
            .lrange(keys::ignored(member), 0, -1)
            .await
            .map_err(down)?;
        Ok(list.iter().filter_map(|a| codec::parse_author(a)).collect())
    }

    /// What `member`, whose avatar is `me`, is shown now.
    pub(super) async fn view(&self, member: MemberId, me: &Seed) -> Result<View, ChatError> {
        Ok(View::ignoring(me.clone(), &self.ignore_list(member).await?))
    }

    /// What `member`'s streams here are shown, now and as it changes.
    pub(super) async fn watch_view(
        &self,
        member: MemberId,
        me: &Seed,
    ) -> Result<watch::Receiver<View>, ChatError> {
        // A change heard while the list was being read may be missing from
        // what was read, and would be overwritten by it: read again then.
        let mut tries = 0;
        let (view, mut local) = loop {
            let heard = self.lock().ignore_changes;
            let view = self.view(member, me).await?;
            let local = self.lock();
            tries += 1;
            if local.ignore_changes == heard || tries == READS {
                break (view, local);
            }
        };
        let tx = local
            .views
            .entry(member)
            .or_insert_with(|| watch::channel(view.clone()).0);
        tx.send_if_modified(|now| {
            let changed = *now != view;
            *now = view;
            changed
        });
        Ok(tx.subscribe())
    }

    /// Some server says `member` now ignores `seed` (`on`) or no longer
    /// does: their streams here follow at once, before any room event
    /// heard after it is read. (One let go from a full list stays left out
    /// of streams open here until the next opens and reads the list.)
    pub(super) fn ignores_changed(&self, member: MemberId, seed: Seed, on: bool) {
        let mut local = self.lock();
        local.ignore_changes += 1;
        if let Some(tx) = local.views.get(&member) {
            tx.send_modify(|view| {
                let mut ignored = (*view.ignored).clone();
                if on {
                    ignored.insert(seed);
                } else {
                    ignored.remove(&seed);
                }
                view.ignored = Arc::new(ignored);
            });
        }
    }

    async fn change_ignored(
        &self,
        me: MemberId,
        seed: &Seed,
        author: Option<&Author>,
    ) -> Result<(), ChatError> {
        let _: i64 = Scripts::call(&self.scripts.ignore, keys::ignored(me))
            .arg(me.0.to_string())
            .arg(seed.as_str())
            .arg(author.map_or_else(String::new, |a| codec::author(&a.seed, &a.name)))
            .arg(rules::MAX_IGNORED)
            .arg(rules::KEEP_IGNORED.as_millis() as u64)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        Ok(())
    }
}

#[async_trait]
impl Messages for RedisStore {
    async fn person(&self, code: &RoomCode, seed: &Seed) -> Result<Option<Person>, ChatError> {
        let inner = &self.inner;
        let authors: Vec<(String, String)> = inner
            .conn()
            .hgetall(keys::authors(code))
            .await
            .map_err(down)?;
        let found = authors.into_iter().find_map(|(member, stored)| {
            let author = codec::parse_author(&stored).filter(|a| a.seed == *seed)?;
            let member = MemberId(uuid::Uuid::parse_str(&member).ok()?);
            Some(Person { author, member })
        });
        let Some(person) = found else {
            return Ok(None);
        };
        // Present now, not only once known here.
        let present: Option<f64> = inner
            .conn()
            .zscore(keys::present(code), person.member.0.to_string())
            .await
            .map_err(down)?;
        Ok(present.map(|_| person))
    }

    async fn mute(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        let inner = &self.inner;
        let key = keys::mute(member);
        let now = inner.clock.now_utc();
        match until.filter(|until| *until > now) {
            Some(until) => {
                let ms = (until - now).whole_milliseconds().max(1) as u64;
                let until_ms = (until.unix_timestamp_nanos() / 1_000_000) as i64;
                let _: () = inner
                    .conn()
                    .pset_ex(key, until_ms, ms)
                    .await
                    .map_err(down)?;
            }
            None => {
                let _: () = inner.conn().del(key).await.map_err(down)?;
            }
        }
        Ok(())
    }

    async fn ignore(&self, me: &Member, person: &Author) -> Result<(), ChatError> {
        rules::may_ignore(&me.seed, &person.seed)?;
        self.inner
            .change_ignored(me.id, &person.seed, Some(person))
            .await
    }

    async fn unignore(&self, me: MemberId, seed: &Seed) -> Result<(), ChatError> {
        self.inner.change_ignored(me, seed, None).await
    }

    async fn block(&self, me: MemberId, code: &RoomCode) -> Result<(), ChatError> {
        let inner = &self.inner;
        let pair: Option<String> = inner
            .conn()
            .hget(keys::room(code), "pair")
            .await
            .map_err(down)?;
        let me_text = me.0.to_string();
        let pair: Vec<String> = pair
            .unwrap_or_default()
            .split(' ')
            .map(str::to_owned)
            .collect();
        if !pair.contains(&me_text) {
            return Err(ChatError::NotMember);
        }
        let Some(other) = pair.into_iter().find(|m| *m != me_text && !m.is_empty()) else {
            return Err(ChatError::NotMember);
        };
        let key = keys::blocked(me);
        let mut conn = inner.conn();
        let held: usize = conn.scard(&key).await.map_err(down)?;
        if !rules::fits_one_more(held, rules::MAX_BLOCKED) {
            let _: Option<String> = conn.spop(&key).await.map_err(down)?;
        }
        let keep = rules::KEEP_IGNORED.as_millis() as i64;
        let _: () = redis::pipe()
            .sadd(&key, other)
            .ignore()
            .pexpire(&key, keep)
            .ignore()
            .query_async(&mut conn)
            .await
            .map_err(down)?;
        Ok(())
    }

    async fn ignored(&self, me: MemberId) -> Result<Vec<Author>, ChatError> {
        self.inner.ignore_list(me).await
    }

    async fn message(&self, code: &RoomCode, id: EventId) -> Result<Option<Said>, ChatError> {
        self.inner.message(code, id).await
    }

    async fn delete(&self, code: &RoomCode, id: EventId, by: Deleter) -> Result<(), ChatError> {
        let inner = &self.inner;
        let said = inner
            .message(code, id)
            .await?
            .ok_or(ChatError::NoSuchMessage)?;
        if said.text.is_none() {
            return Ok(());
        }
        rules::may_delete(said.member, said.at, by, inner.clock.now_utc())?;
        let by = match by {
            Deleter::Moderator => codec::BY_MODERATOR,
            Deleter::Author(_) => codec::BY_AUTHOR,
        };
        let got: Vec<String> = Scripts::call(&inner.scripts.delete, keys::room(code))
            .arg(code.as_str())
            .arg(id.to_string())
            .arg(by)
            .arg(inner.history_len())
            .invoke_async(&mut inner.conn())
            .await
            .map_err(down)?;
        match got.first().map(String::as_str) {
            Some("1" | "0") => {}
            Some("-3") => return Err(ChatError::NoSuchRoom(code.to_string())),
            _ => return Err(ChatError::NoSuchMessage),
        }
        // This server's pages get it now, the others when pub/sub says so.
        let _ = inner.sync_if_local(code).await;
        Ok(())
    }
}

impl Inner {
    /// The message `id` of `code`: its own entry, or (once deleted) the
    /// entry that stands in its place.
    async fn message(&self, code: &RoomCode, id: EventId) -> Result<Option<Said>, ChatError> {
        let mut conn = self.conn();
        let log = keys::log(code);
        let mut entry = entry_at(&mut conn, &log, &id.to_string())
            .await
            .map_err(down)?;
        if entry.is_none() {
            let place: Option<String> = conn
                .hget(keys::deleted(code), id.to_string())
                .await
                .map_err(down)?;
            if let Some(place) = place {
                entry = entry_at(&mut conn, &log, &place).await.map_err(down)?;
            }
        }
        Ok(entry.and_then(|(_, fields)| codec::said(code, id, &fields)))
    }
}

/// The entry `id` of the stream `log`, if it is there.
async fn entry_at(conn: &mut Conn, log: &str, id: &str) -> redis::RedisResult<Option<Entry>> {
    let found: Vec<Entry> = redis::cmd("XRANGE")
        .arg(log)
        .arg(id)
        .arg(id)
        .query_async(conn)
        .await?;
    Ok(found.into_iter().next())
}
