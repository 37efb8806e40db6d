//! Rooms that an earlier version left in Redis have no door (pass fields),
//! and the scripts would turn everyone away from them: once per server, the
//! first time Redis answers, each such room gets the door `rules::Door`
//! gives it, from what the room says of itself (a pair's two members).

use std::sync::atomic::Ordering;

use redis::AsyncCommands;

use super::scripts::{self, Scripts};
use super::{Inner, keys};
use crate::chat::rules::Door;
use crate::chat::{MemberId, RoomCode};

impl Inner {
    /// Gives every room without a door its door; once per server.
    pub(super) async fn open_old_doors(&self) -> redis::RedisResult<()> {
        if self.doors_checked.load(Ordering::Relaxed) {
            return Ok(());
        }
        let mut conn = self.conn();
        let private: Vec<String> = conn.hkeys(keys::PRIVATE).await?;
        let pairs: Vec<String> = conn.smembers(keys::PAIR_ROOMS).await?;
        let codes: Vec<RoomCode> = self
            .settings
            .public_rooms
            .iter()
            .cloned()
            .chain(
                private
                    .iter()
                    .chain(&pairs)
                    .filter_map(|c| RoomCode::from_path(c)),
            )
            .collect();
        let mut pipe = redis::pipe();
        for code in &codes {
            pipe.hget(keys::room(code), "pair");
        }
        let pairs: Vec<Option<String>> = pipe.query_async(&mut conn).await?;
        let doors: Vec<Door> = pairs
            .iter()
            .map(|pair| Door::of(pair.as_deref().and_then(two)))
            .collect();
        let mut pipe = redis::pipe();
        for (code, door) in codes.iter().zip(&doors) {
            let fields: Vec<String> = door.passes().iter().map(|p| keys::pass(p)).collect();
            pipe.cmd("HMGET").arg(keys::room(code)).arg(fields);
        }
        let found: Vec<Vec<Option<String>>> = pipe.query_async(&mut conn).await?;
        for ((code, door), found) in codes.iter().zip(&doors).zip(found) {
            if found.iter().all(Option::is_some) {
                continue;
            }
            let mut call = Scripts::call(&self.scripts.door, keys::room(code));
            call.arg(code.as_str());
            scripts::list(&mut call, &door.passes());
            let _: i64 = call.invoke_async(&mut conn).await?;
        }
        self.doors_checked.store(true, Ordering::Relaxed);
        Ok(())
    }
}

/// The two members a pair room names: "{member} {member}".
fn two(pair: &str) -> Option<[MemberId; 2]> {
    let (a, b) = pair.split_once(' ')?;
    let id = |s: &str| uuid::Uuid::parse_str(s).ok().map(MemberId);
    Some([id(a)?, id(b)?])
}
