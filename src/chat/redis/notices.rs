//! The notices the Redis store decides in Rust and appends with a script:
//! a rename (the authors read, the new ones written in every room at once
//! only if all are unchanged and the name is nobody else's there)
//! and a busy room's gathered joins and leaves (the authors read, spelled
//! out by `rules::spell`, appended only if no more came meanwhile). When
//! something changed between the read and the script, it is read again.

use super::codec;
use super::scripts::{self, Scripts};
use super::{Inner, down, keys};
use crate::chat::rules;
use crate::chat::{ChatError, MemberId, Name, RoomCode};

/// Reads and writes of one notice before leaving it to the next try (the
/// next rename, or the next heartbeat for gathered notices).
const TRIES: usize = 3;

impl Inner {
    /// `member` now goes by `to` in every room of `codes` they are in,
    /// announced in each; in none when someone else in one of them goes by
    /// a name that reads the same (`NameTaken`). Rooms where they already go
    /// by `to` are left as they are.
    pub(super) async fn rename_in(
        &self,
        codes: &[RoomCode],
        member: MemberId,
        to: &Name,
    ) -> Result<(), ChatError> {
        if codes.is_empty() {
            // In no room: nothing to rename (and an empty pipeline is an error).
            return Ok(());
        }
        let id = member.0.to_string();
        for _ in 0..TRIES {
            let mut read = redis::pipe();
            for code in codes {
                read.hget(keys::authors(code), &id);
            }
            let stored: Vec<Option<String>> =
                read.query_async(&mut self.conn()).await.map_err(down)?;
            let now = self.now_ms();
            let mut rooms = Vec::new();
            for (code, stored) in codes.iter().zip(stored) {
                let Some(stored) = stored else { continue };
                let Some(author) = codec::parse_author(&stored) else {
                    continue;
                };
                if !rules::renames(&author.name, to) {
                    continue;
                }
                let mut room = vec![code.to_string(), stored, codec::author(&author.seed, to)];
                room.extend(codec::renamed(&author.name, to, &author.seed, now));
                rooms.push((code, room));
            }
            // Each room is its own slot: every room is checked first, then
            // each written (checked again in the same step). Only a name
            // taken, or an author changed, between the two leaves some
            // rooms renamed and others not; the next rename finishes them.
            let mut changed = false;
            for step in ["check", "write"] {
                for (code, room) in &rooms {
                    let mut rename = Scripts::call(&self.scripts.rename, keys::room(code));
                    rename.arg(&id);
                    scripts::unique_names(&mut rename, to);
                    rename.arg(self.history_len()).arg(step);
                    scripts::list(&mut rename, room);
                    let done: i64 = rename.invoke_async(&mut self.conn()).await.map_err(down)?;
                    match done {
                        -2 => return Err(ChatError::NameTaken(to.clone())),
                        -1 => changed = true,
                        _ => {}
                    }
                }
                if changed {
                    break;
                }
            }
            if !changed {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Announces a busy room's gathered joins and leaves, one notice each,
    /// then takes the room out of the sweeper's index (read as due at
    /// `due`), unless a new gathering began meanwhile.
    pub(super) async fn flush_gathered(&self, code: &RoomCode, due: &str) -> Result<(), ChatError> {
        for _ in 0..TRIES {
            let (joins, leaves): (Vec<String>, Vec<String>) = redis::pipe()
                .lrange(keys::gathered(code, true), 0, -1)
                .lrange(keys::gathered(code, false), 0, -1)
                .query_async(&mut self.conn())
                .await
                .map_err(down)?;
            let now = self.now_ms();
            let mut flush = Scripts::call(&self.scripts.flush, keys::room(code));
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
                let _: i64 = Scripts::call(&self.scripts.unbatch, keys::BATCHES)
                    .arg(code.as_str())
                    .arg(due)
                    .invoke_async(&mut self.conn())
                    .await
                    .map_err(down)?;
                return Ok(());
            }
        }
        Ok(())
    }
}
