//! The Online list of the rooms this server follows: read from Redis, sent
//! to local streams at most once a second, and kept for streams that open
//! later.

use std::sync::Arc;

use super::codec;
use super::{Inner, down, keys};
use crate::chat::room::ONLINE_SHOWN;
use crate::chat::rules::ONLINE_EVERY;
use crate::chat::{ChatError, Frame, Online, Render, RoomCode};

impl Inner {
    /// Who is present in the room, as Redis says.
    pub(super) async fn read_online(&self, code: &RoomCode) -> Result<Online, ChatError> {
        let mut conn = self.conn();
        let present = keys::present(code);
        let (ids, total, owner): (Vec<String>, usize, Option<String>) = redis::pipe()
            .zrange(&present, 0, ONLINE_SHOWN as isize - 1)
            .zcard(&present)
            .hget(keys::room(code), "owner")
            .query_async(&mut conn)
            .await
            .map_err(down)?;
        let authors: Vec<Option<String>> = if ids.is_empty() {
            Vec::new()
        } else {
            redis::cmd("HMGET")
                .arg(keys::authors(code))
                .arg(&ids)
                .query_async(&mut conn)
                .await
                .map_err(down)?
        };
        let owner = owner
            .and_then(|owner| ids.iter().position(|id| *id == owner))
            .and_then(|at| authors.get(at).cloned().flatten())
            .and_then(|author| codec::parse_author(&author))
            .map(|author| author.seed);
        Ok(Online {
            members: authors
                .iter()
                .flatten()
                .filter_map(|a| codec::parse_author(a))
                .collect(),
            total,
            owner,
        })
    }

    /// The room's Online list as a frame: the one sent last, or a fresh one.
    pub(super) async fn online_frame(&self, code: &RoomCode) -> Result<Frame, ChatError> {
        let (cached, last) = {
            let local = self.lock();
            let room = local.rooms.get(code).ok_or(ChatError::Unavailable)?;
            (
                room.log.online().cloned(),
                room.last().ok_or(ChatError::Unavailable)?,
            )
        };
        if let Some(frame) = cached {
            return Ok(frame);
        }
        let online = self.read_online(code).await?;
        Ok(self.render.online(code, last, &online))
    }

    /// Presence in the room changed: the Online list follows, at most once a
    /// second from this server.
    pub(super) fn online_changed(self: &Arc<Self>, code: &RoomCode) {
        let due = {
            let mut local = self.lock();
            let Some(room) = local.rooms.get_mut(code) else {
                return;
            };
            if room.online_scheduled {
                return;
            }
            room.online_scheduled = true;
            let now = self.clock.now();
            room.online_sent
                .map_or(now, |sent| (sent + ONLINE_EVERY).max(now))
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::clone(self);
        let code = code.clone();
        // Ends when the list is sent (or could not be read).
        runtime.spawn(async move {
            inner.clock.sleep_until(due).await;
            let online = inner.read_online(&code).await;
            let mut local = inner.lock();
            let Some(room) = local.rooms.get_mut(&code) else {
                return;
            };
            room.online_scheduled = false;
            let (Ok(online), Some(last)) = (online, room.last()) else {
                return;
            };
            room.online_sent = Some(inner.clock.now());
            room.log
                .set_online(inner.render.online(&code, last, &online));
        });
    }
}
