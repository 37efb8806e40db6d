//! `Messages` on this store. A message is read from the room's stream (or,
//! once deleted, from the entry that stands in its place, found through the
//! room's deleted hash). A deletion takes the message's entry (and its text)
//! out of Redis and appends what stands in its place, which every server
//! reads in order like any other entry (`local::in_order`).

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::codec::{self, Entry};
use super::scripts::Scripts;
use super::{Inner, RedisStore, down, keys};
use crate::chat::{ChatError, Deleter, EventId, Messages, RoomCode, Said, rules};

#[async_trait]
impl Messages for RedisStore {
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
        let got: Vec<String> = Scripts::call(&inner.scripts.delete)
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
async fn entry_at(
    conn: &mut ConnectionManager,
    log: &str,
    id: &str,
) -> redis::RedisResult<Option<Entry>> {
    let found: Vec<Entry> = redis::cmd("XRANGE")
        .arg(log)
        .arg(id)
        .arg(id)
        .query_async(conn)
        .await?;
    Ok(found.into_iter().next())
}
