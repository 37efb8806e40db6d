//! The Redis store as handlers see it: each `Store` call, handed to the
//! part of the store that does it (`rooms`, `queue`, `notices`, `limits`).

use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use tokio::sync::broadcast;

use super::{RedisStore, down, keys};
use crate::chat::View;
use crate::chat::rate::Key;
use crate::chat::rules;
use crate::chat::{
    Access, ChatError, Doors, EventId, Frame, Member, MemberId, MessageText, Name, PairWatch,
    Pairing, RoomCode, RoomSummary, Rooms, Snapshot, Stats, Store, Strangers, Subscription,
};

#[async_trait]
impl Doors for RedisStore {
    async fn public_rooms(&self) -> Vec<RoomSummary> {
        let public = &self.inner.settings.public_rooms;
        let mut pipe = redis::pipe();
        for code in public {
            pipe.zcard(keys::present(code));
        }
        let counts: Vec<usize> = pipe
            .query_async(&mut self.inner.conn())
            .await
            .unwrap_or_else(|why| {
                tracing::warn!(%why, "redis");
                vec![0; public.len()]
            });
        public
            .iter()
            .zip(counts)
            .map(|(code, members)| RoomSummary {
                code: code.clone(),
                members,
            })
            .collect()
    }

    async fn create_room(
        &self,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        self.inner.create_room(member, holder).await
    }

    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError> {
        let meant = rules::meant(typed, &self.inner.settings.public_rooms)?;
        let open = match meant.private() {
            Some(code) => self.inner.conn().exists(keys::room(code)).await,
            None => Ok(true),
        };
        meant.found(open.map_err(down)?, typed)
    }

    async fn leads(
        &self,
        code: &RoomCode,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<bool, ChatError> {
        self.inner.leads(code, member, access).await
    }

    async fn try_code(
        &self,
        keys: &[Key],
        code: Option<&RoomCode>,
        member: Option<MemberId>,
        access: Access,
    ) -> Result<Result<bool, Duration>, ChatError> {
        let public = code.is_some_and(|code| self.inner.is_public(code));
        let guesses = &self.inner.guesses;
        guesses.try_code(keys, code, member, access, public).await
    }
}

#[async_trait]
impl Rooms for RedisStore {
    async fn enter(&self, code: &RoomCode, member: &Member) -> Result<Snapshot, ChatError> {
        self.inner.enter(code, member).await
    }

    async fn subscribe(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
    ) -> Result<Subscription, ChatError> {
        self.inner.subscribe(code, member, after).await
    }

    async fn resync(
        &self,
        code: &RoomCode,
        view: &View,
    ) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        self.inner.whole_log(code, view)
    }

    async fn post(
        &self,
        code: &RoomCode,
        member: MemberId,
        text: MessageText,
    ) -> Result<(), ChatError> {
        self.inner.post(code, member, text).await
    }

    async fn leave(&self, code: &RoomCode, member: MemberId) -> Result<(), ChatError> {
        let inner = &self.inner;
        match inner.leave_script(code, member, "now").await? {
            0 => Err(ChatError::NotMember),
            _ => {
                // Their streams here get their leave notice, then end.
                let _ = inner.sync_if_local(code).await;
                inner.gone(code, member);
                Ok(())
            }
        }
    }

    async fn rename(&self, member: MemberId, to: &Name) -> Result<(), ChatError> {
        let inner = &self.inner;
        let codes: Vec<String> = inner
            .conn()
            .smembers(keys::rooms_of(member))
            .await
            .map_err(down)?;
        let codes: Vec<RoomCode> = codes
            .iter()
            .filter_map(|c| RoomCode::from_path(c))
            .collect();
        inner.rename_in(&codes, member, to).await?;
        for code in &codes {
            let _ = inner.sync_if_local(code).await;
        }
        Ok(())
    }
}

#[async_trait]
impl Strangers for RedisStore {
    async fn queue(&self, member: &Member) -> Result<Pairing, ChatError> {
        self.inner.queue(member).await
    }

    async fn cancel(&self, member: MemberId) {
        self.inner.cancel(member).await;
    }

    async fn pairing(&self, member: MemberId) -> Option<Pairing> {
        // Redis away: whoever asks is told to wait, not sent off the page.
        self.inner
            .read_pairing(member)
            .await
            .unwrap_or(Some(Pairing::Waiting))
    }

    async fn watch_pairing(&self, member: MemberId) -> Result<Option<PairWatch>, ChatError> {
        self.inner.watch_pairing(member).await
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn stats(&self) -> Stats {
        let inner = &self.inner;
        let mut pipe = redis::pipe();
        pipe.hlen(keys::PRIVATE)
            .scard(keys::PAIR_ROOMS)
            .hlen(keys::MEMBERS)
            .zcard(keys::QUEUE);
        let (private, pairs, members, queue): (usize, usize, usize, usize) = pipe
            .query_async(&mut inner.conn())
            .await
            .unwrap_or_default();
        Stats {
            rooms: private + pairs + inner.settings.public_rooms.len(),
            members,
            streams: inner.lock().streams,
            messages: inner.messages.load(Ordering::Relaxed),
            renders: inner.render.count(),
            resyncs: inner.render.resyncs(),
            queue,
        }
    }

    async fn health(&self) -> Result<(), String> {
        let inner = &self.inner;
        let ping = redis::cmd("PING")
            .query_async::<String>(&mut inner.conn())
            .await;
        match ping {
            Err(why) => Err(format!("redis does not answer: {why}")),
            Ok(_) if !inner.listening.load(Ordering::Relaxed) => {
                Err("redis answers, but live updates are reconnecting".to_owned())
            }
            Ok(_) => Ok(()),
        }
    }
}
