//! The notices the Redis store decides in Rust and appends with a script:
//! a rename (the author read, the new one written only if it is unchanged)
//! and a busy room's gathered joins and leaves (the authors read, spelled
//! out by `rules::spell`, appended only if no more came meanwhile). When
//! something changed between the read and the script, it is read again.

use redis::AsyncCommands;

use super::codec;
use super::scripts::{self, Scripts};
use super::{Inner, down, keys};
use crate::chat::rules;
use crate::chat::{ChatError, MemberId, Name, RoomCode};

/// Reads and writes of one notice before leaving it to the next try (the
/// next rename, or the next heartbeat for gathered notices).
const TRIES: usize = 3;

impl Inner {
    /// `member` now goes by `to` in `code`, announced there; nothing when
    /// they are not in it or already go by `to`.
    pub(super) async fn rename_in(
        &self,
        code: &RoomCode,
        member: MemberId,
        to: &Name,
    ) -> Result<(), ChatError> {
        for _ in 0..TRIES {
            let stored: Option<String> = self
                .conn()
                .hget(keys::authors(code), member.0.to_string())
                .await
                .map_err(down)?;
            let Some(stored) = stored else {
                return Ok(());
            };
            let Some(author) = codec::parse_author(&stored) else {
                return Ok(());
            };
            if !rules::renames(&author.name, to) {
                return Ok(());
            }
            let now = self.now_ms();
            let done: i64 = Scripts::call(&self.scripts.rename)
                .arg(code.as_str())
                .arg(member.0.to_string())
                .arg(stored)
                .arg(codec::author(&author.seed, to))
                .arg(self.history_len())
                .arg(codec::renamed(&author.name, to, now))
                .invoke_async(&mut self.conn())
                .await
                .map_err(down)?;
            if done >= 0 {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Announces a busy room's gathered joins and leaves, one notice each.
    pub(super) async fn flush_gathered(&self, code: &RoomCode) -> Result<(), ChatError> {
        for _ in 0..TRIES {
            let (joins, leaves): (Vec<String>, Vec<String>) = redis::pipe()
                .lrange(keys::gathered(code, true), 0, -1)
                .lrange(keys::gathered(code, false), 0, -1)
                .query_async(&mut self.conn())
                .await
                .map_err(down)?;
            let now = self.now_ms();
            let mut flush = Scripts::call(&self.scripts.flush);
            flush
                .arg(code.as_str())
                .arg(joins.len())
                .arg(leaves.len())
                .arg(self.history_len());
            for (joined, authors) in [(true, &joins), (false, &leaves)] {
                let names = authors
                    .iter()
                    .filter_map(|a| codec::parse_author(a))
                    .map(|a| a.name)
                    .collect();
                if let Some((names, more)) = rules::spell(names, self.settings.room.notice_names) {
                    scripts::list(&mut flush, &codec::gathered(joined, &names, more, now));
                }
            }
            let done: i64 = flush.invoke_async(&mut self.conn()).await.map_err(down)?;
            if done >= 0 {
                return Ok(());
            }
        }
        Ok(())
    }
}
