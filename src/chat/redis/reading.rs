//! `Reading` on this store: what each member has seen of each room is a
//! hash per member (`keys::read`, room code -> "{epoch}-{seq}"), moved only
//! forward by one small script and kept `rules::KEEP_SEEN` after its last
//! change; a typing line is published on `keys::TYPING` and every server
//! that follows the room sends it to its streams there (nothing is kept).

use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use redis::{AsyncCommands, Script};

use super::{Inner, RedisStore, codec, down, keys};
use crate::chat::{
    Author, ChatError, EventId, Frame, Member, MemberId, Reach, Reading, Render, RoomCode, rules,
};

/// Notes `ARGV[2]-ARGV[3]` (epoch, seq) for the room `ARGV[1]` in the hash
/// `KEYS[1]` unless a later id is noted there (`rules::moves_seen`), and
/// keeps the hash `ARGV[4]` seconds more. One key: the same on a cluster.
static SAW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"#!lua
local noted = redis.call('HGET', KEYS[1], ARGV[1])
local epoch, seq = tonumber(ARGV[2]), tonumber(ARGV[3])
if noted then
  local e, s = string.match(noted, '^(%d+)-(%d+)$')
  e, s = tonumber(e), tonumber(s)
  if e and s and (e > epoch or (e == epoch and s >= seq)) then
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '-' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
",
    )
});

impl Inner {
    /// A typing line heard from some server (this one too): sent to this
    /// server's streams of the room, rendered once here, when it follows
    /// the room.
    pub(super) fn typing_heard(&self, code: &RoomCode, who: &Author) {
        let local = self.lock();
        let Some(room) = local.rooms.get(code) else {
            return;
        };
        if let Some(last) = room.last() {
            room.log.send(Frame {
                reach: Reach {
                    whose: Some(who.seed.clone()),
                    only_whose: false,
                    mentions: Default::default(),
                },
                ..self.render.typing(code, last, who)
            });
        }
    }
}

/// A typing line as `keys::TYPING` carries it: "{code} {seed} {name}".
pub(super) fn typing_message(code: &RoomCode, who: &Author) -> String {
    format!("{code} {}", codec::author(&who.seed, &who.name))
}

/// Reads a typing line back.
pub(super) fn parse_typing(payload: &str) -> Option<(RoomCode, Author)> {
    let (code, author) = payload.split_once(' ')?;
    Some((RoomCode::from_path(code)?, codec::parse_author(author)?))
}

#[async_trait]
impl Reading for RedisStore {
    async fn seen(&self, code: &RoomCode, member: MemberId) -> Result<Option<EventId>, ChatError> {
        let noted: Option<String> = self
            .inner
            .conn()
            .hget(keys::read(member), code.as_str())
            .await
            .map_err(down)?;
        Ok(noted.and_then(|id| id.parse().ok()))
    }

    async fn saw(
        &self,
        code: &RoomCode,
        member: MemberId,
        shown: EventId,
    ) -> Result<(), ChatError> {
        let _: i64 = SAW
            .key(keys::read(member))
            .arg(code.as_str())
            .arg(shown.epoch)
            .arg(shown.seq)
            .arg(rules::KEEP_SEEN.as_secs())
            .invoke_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        Ok(())
    }

    async fn typing(&self, code: &RoomCode, member: &Member) -> Result<(), ChatError> {
        let inner: &Arc<Inner> = &self.inner;
        let id = member.id.0.to_string();
        let (pair, author, present): (bool, Option<String>, Option<f64>) = redis::pipe()
            .hexists(keys::room(code), "pair")
            .hget(keys::authors(code), &id)
            .zscore(keys::present(code), &id)
            .query_async(&mut inner.conn())
            .await
            .map_err(down)?;
        if !pair {
            return Err(ChatError::NoTyping);
        }
        let author = author
            .filter(|_| present.is_some())
            .and_then(|a| codec::parse_author(&a))
            .ok_or(ChatError::NotMember)?;
        let _: i64 = inner
            .conn()
            .publish(keys::TYPING, typing_message(code, &author))
            .await
            .map_err(down)?;
        Ok(())
    }
}
