//! A room's changes on Redis, each one atomic script or read: making a
//! private room, entering, the door's look-up, opening a stream, posting.
//! What each announces is decided in `rules` and handed to the script.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use redis::AsyncCommands;

use super::codec;
use super::scripts::{self, Scripts};
use super::{Inner, down, keys, local};
use crate::chat::rules::{self, CODE_TRIES, Door};
use crate::chat::{
    Access, Author, ChatError, EventId, Member, MemberId, MessageText, RoomCode, Snapshot,
    Subscription,
};

/// The key a room of this kind (`pair` or not) keeps `name` by, or
/// nothing when its names need not differ (`rules::names_unique`).
fn name_key(name: &crate::chat::Name, pair: bool) -> String {
    if rules::names_unique(pair) {
        rules::name_key(name)
    } else {
        String::new()
    }
}

impl Inner {
    pub(super) async fn create_room(
        self: &Arc<Self>,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        for _ in 0..CODE_TRIES {
            let code = RoomCode::random(self.settings.code_length);
            let now = self.now_ms();
            // The room's place is taken first, in its own slot (the caps);
            // one whose room is never made is given back (`closed.lua`).
            let reserved: i64 = Scripts::call(&self.scripts.reserve, keys::PRIVATE)
                .arg(code.as_str())
                .arg(holder.unwrap_or_default())
                .arg(self.settings.max_rooms)
                .arg(self.settings.address_rooms_held)
                .arg(now)
                .invoke_async(&mut self.conn())
                .await
                .map_err(down)?;
            match reserved {
                -1 => return Err(ChatError::Full),
                -2 => return Err(ChatError::RoomsHeld),
                0 => continue,
                _ => {}
            }
            let expiry = now + self.grace_ms();
            let rooms = self.before_enter(&code, member.id, expiry).await?;
            let mut create = Scripts::call(&self.scripts.create, keys::room(&code));
            create
                .arg(code.as_str())
                .arg(now)
                .arg(member.id.0.to_string())
                .arg(codec::author(&member.seed, &member.name))
                .arg(expiry)
                .arg(self.history_len())
                .arg(now)
                .arg(holder.unwrap_or_default());
            scripts::plan(&mut create, true, self.settings.room.big_room, now);
            scripts::list(&mut create, &Door::Open.passes());
            create.arg(name_key(&member.name, false));
            let made: Vec<i64> = create.invoke_async(&mut self.conn()).await.map_err(down)?;
            if made.first() == Some(&1) {
                self.after_enter(&code, member.id, rooms, made.get(1).copied().unwrap_or(0))
                    .await;
                tracing::info!(room = %crate::logs::RoomTag(code.as_str()), "room opened");
                return Ok(code);
            }
            // A room of another kind has the code: its place goes back.
            let _: Result<i64, _> = Scripts::call(&self.scripts.closed, keys::PRIVATE)
                .arg(code.as_str())
                .arg(now)
                .invoke_async(&mut self.conn())
                .await;
        }
        Err(ChatError::Full)
    }

    pub(super) async fn leads(
        self: &Arc<Self>,
        code: &RoomCode,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<bool, ChatError> {
        match access {
            Access::Enter if self.is_public(code) => Ok(true),
            Access::Enter => {
                // One read, whether the room is missing or a pair's: does
                // the door have one of the person's passes?
                let fields: Vec<String> = rules::passes_of(member)
                    .iter()
                    .map(|pass| keys::pass(pass))
                    .collect();
                let found: Vec<Option<String>> = redis::cmd("HMGET")
                    .arg(keys::room(code))
                    .arg(&fields)
                    .query_async(&mut self.conn())
                    .await
                    .map_err(down)?;
                Ok(found.iter().any(Option::is_some))
            }
            Access::Member => {
                let Some(member) = member else {
                    return Ok(false);
                };
                let present: Option<f64> = self
                    .conn()
                    .zscore(keys::present(code), member.0.to_string())
                    .await
                    .map_err(down)?;
                Ok(present.is_some())
            }
        }
    }

    pub(super) async fn enter(
        self: &Arc<Self>,
        code: &RoomCode,
        member: &Member,
    ) -> Result<Snapshot, ChatError> {
        let now = self.now_ms();
        let expiry = now + self.grace_ms();
        let rooms = self.before_enter(code, member.id, expiry).await?;
        let mut enter = Scripts::call(&self.scripts.enter, keys::room(code));
        enter
            .arg(code.as_str())
            .arg(member.id.0.to_string())
            .arg(codec::author(&member.seed, &member.name))
            .arg(expiry)
            .arg(self.history_len())
            .arg(now)
            .arg(self.public_epoch(code))
            .arg(self.settings.max_members);
        scripts::plan(&mut enter, true, self.settings.room.big_room, now);
        scripts::list(&mut enter, &Door::Open.passes());
        scripts::list(&mut enter, &rules::passes_of(Some(member.id)));
        scripts::unique_names(&mut enter, &member.name);
        let got: Vec<i64> = enter.invoke_async(&mut self.conn()).await.map_err(down)?;
        let entered = got.first().copied().unwrap_or(-1);
        if entered == 1 {
            self.after_enter(code, member.id, rooms, got.get(1).copied().unwrap_or(0))
                .await;
        }
        match entered {
            -1 => return Err(ChatError::NoSuchRoom(code.to_string())),
            -2 => return Err(ChatError::RoomFull),
            -3 => return Err(ChatError::NameTaken(member.name.clone())),
            -4 => return Err(ChatError::Removed),
            -5 => return Err(ChatError::Locked(code.clone())),
            _ => {}
        }
        self.sync(code).await?;
        let online = self.read_online(code).await?;
        let public = self.is_public(code);
        let pair: bool = !public
            && self
                .conn()
                .hexists(keys::room(code), "pair")
                .await
                .map_err(down)?;
        let (items, last) = self.local_log(code).ok_or(ChatError::Unavailable)?;
        let view = self.view(member.id, &member.seed).await?;
        Ok(Snapshot {
            code: code.clone(),
            public,
            pair,
            items: view.filter(items),
            last,
            online,
        })
    }

    pub(super) async fn subscribe(
        self: &Arc<Self>,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError> {
        let present: Option<f64> = self
            .conn()
            .zscore(keys::present(code), member.0.to_string())
            .await
            .map_err(down)?;
        if present.is_none() {
            return Err(ChatError::NotMember);
        }
        self.sync(code).await?;
        let online = self.online_frame(code).await?;
        let stored: Option<String> = self
            .conn()
            .hget(keys::authors(code), member.0.to_string())
            .await
            .map_err(down)?;
        let me = stored
            .as_deref()
            .and_then(codec::parse_author)
            .ok_or(ChatError::NotMember)?;
        let view = self.watch_view(member, &me.seed).await?;
        if !self.count_stream(member, 1).await? {
            return Err(ChatError::TooManyStreams);
        }
        let tap = match self.attach(code, member, after, online) {
            Ok(tap) => tap,
            Err(why) => {
                let _ = self.count_stream(member, -1).await;
                return Err(why);
            }
        };
        // Present from now on, however long the page stays.
        let _ = self
            .present_until(code, &[member], self.now_ms() + self.live_ms())
            .await;
        // A resync is rendered here, outside the lock of this server's rooms.
        let now = view.borrow().clone();
        let (backlog, rx, here) = tap.open(&self.render, &now);
        Ok(Subscription {
            member,
            backlog,
            rx,
            here,
            view,
            guard: Box::new(local::StreamGuard {
                inner: Arc::clone(self),
                code: code.clone(),
                member,
            }),
        })
    }

    pub(super) async fn post(
        self: &Arc<Self>,
        code: &RoomCode,
        member: MemberId,
        text: MessageText,
    ) -> Result<(), ChatError> {
        let mentions = self.mentions(code, &text).await?;
        let now = self.now_ms();
        // The member's own slot first: their rate (given back if the room
        // refuses the message), and whether they are muted.
        let counted = uuid::Uuid::new_v4().simple().to_string();
        let paced: Vec<i64> = Scripts::call(&self.scripts.pace, keys::rate(member))
            .arg(member.0.to_string())
            .arg(now)
            .arg(self.settings.rate_window.as_millis() as i64)
            .arg(self.settings.rate_messages)
            .arg(&counted)
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        let muted = match paced.as_slice() {
            [-1, until] => rules::muted(Some(*until).filter(|u| *u > 0), now),
            [wait, ..] => return Err(ChatError::TooFast(Duration::from_millis(*wait as u64))),
            [] => return Err(ChatError::Unavailable),
        };
        let got: Vec<i64> = Scripts::call(&self.scripts.say, keys::room(code))
            .arg(code.as_str())
            .arg(member.0.to_string())
            .arg(now)
            .arg(if muted { "1" } else { "" })
            .arg(self.history_len())
            .arg(codec::message(&text, now, &mentions))
            .invoke_async(&mut self.conn())
            .await
            .map_err(down)?;
        if got.as_slice() != [1] {
            let _: Result<(), _> = self.conn().zrem(keys::rate(member), &counted).await;
        }
        match got.as_slice() {
            [1] => {}
            [-2, wait] => {
                return Err(ChatError::TooFast(Duration::from_millis(
                    (*wait).max(0) as u64
                )));
            }
            [-3] => return Err(ChatError::NoSuchRoom(code.to_string())),
            [-4, until] => return Err(ChatError::ReadOnly(rules::from_ms(*until))),
            _ => return Err(ChatError::NotMember),
        }
        self.messages.fetch_add(1, Ordering::Relaxed);
        // Posted is posted: this server's streams get it when pub/sub says so,
        // or now, whichever is first.
        let _ = self.sync_if_local(code).await;
        Ok(())
    }

    /// Whom `text` mentions among the room's present people, as its hash of
    /// authors stands just before the message is appended.
    async fn mentions(
        &self,
        code: &RoomCode,
        text: &MessageText,
    ) -> Result<Vec<Author>, ChatError> {
        if !text.as_str().contains('@') {
            return Ok(Vec::new());
        }
        let present: Vec<String> = redis::cmd("HVALS")
            .arg(keys::authors(code))
            .query_async(&mut self.conn())
            .await
            .map_err(down)?;
        let present: Vec<Author> = present
            .iter()
            .filter_map(|a| codec::parse_author(a))
            .collect();
        Ok(rules::mentions(text.as_str(), &present))
    }
}
