//! A store that answers as the in-memory one, but keeps every message as
//! said by one member and writes down what moderators ask of `Messages` and
//! `Control`: what the console's and the report route's requests reach.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use livechat::chat::memory::MemoryStore;
use livechat::chat::rate::Key;
use livechat::chat::*;
use time::OffsetDateTime;
use tokio::sync::broadcast;

/// The in-memory store, with every message said by `author` and the
/// moderators' requests written down.
pub struct Moderated {
    pub inner: MemoryStore,
    pub author: Mutex<Option<Member>>,
    pub asked: Mutex<Vec<String>>,
}

/// What every message says.
pub const TEXT: &str = "Buy cheap pills at spam.example";

impl Moderated {
    pub fn new(config: &livechat::config::Config) -> Arc<Self> {
        let settings = livechat::store_settings(config).expect("settings");
        Arc::new(Self {
            inner: MemoryStore::new(settings, Arc::new(livechat::views::stream::Renderer)),
            author: Mutex::default(),
            asked: Mutex::default(),
        })
    }

    fn ask(&self, what: String) -> Result<(), ChatError> {
        self.asked.lock().expect("not poisoned").push(what);
        Ok(())
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().expect("not poisoned").clone()
    }
}

/// An end as the test reads it: about how many seconds from now.
fn from_now(until: Option<OffsetDateTime>) -> String {
    until.map_or("none".into(), |until| {
        let secs = (until - OffsetDateTime::now_utc()).whole_seconds();
        format!("{}", (secs + 30) / 60 * 60)
    })
}

#[async_trait]
impl Messages for Moderated {
    async fn message(&self, _: &RoomCode, id: EventId) -> Result<Option<Said>, ChatError> {
        let author = self.author.lock().expect("not poisoned").clone();
        Ok(author.map(|author| Said {
            id,
            author: author.author(),
            member: author.id,
            text: Some(MessageText::parse(TEXT, 2000).expect("text")),
            at: OffsetDateTime::now_utc(),
            muted: false,
        }))
    }

    async fn delete(&self, code: &RoomCode, id: EventId, by: Deleter) -> Result<(), ChatError> {
        self.ask(format!("delete {code} {id} {by:?}"))
    }

    async fn mute(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        self.ask(format!("mute {} {}", member.0, from_now(until)))
    }

    async fn person(&self, code: &RoomCode, seed: &Seed) -> Result<Option<Person>, ChatError> {
        self.inner.person(code, seed).await
    }
    async fn ignore(&self, me: &Member, person: &Author) -> Result<(), ChatError> {
        self.inner.ignore(me, person).await
    }
    async fn unignore(&self, me: MemberId, seed: &Seed) -> Result<(), ChatError> {
        self.inner.unignore(me, seed).await
    }
    async fn block(&self, me: MemberId, code: &RoomCode) -> Result<(), ChatError> {
        self.inner.block(me, code).await
    }
    async fn ignored(&self, me: MemberId) -> Result<Vec<Author>, ChatError> {
        self.inner.ignored(me).await
    }
}

#[async_trait]
impl Control for Moderated {
    async fn ban(&self, member: MemberId, until: Option<OffsetDateTime>) -> Result<(), ChatError> {
        self.ask(format!("ban {} {}", member.0, from_now(until)))
    }

    async fn slow_mode(&self, code: &RoomCode, every: Option<Duration>) -> Result<(), ChatError> {
        self.ask(format!("slow {code} {every:?}"))
    }

    async fn read_only(
        &self,
        code: &RoomCode,
        until: Option<OffsetDateTime>,
    ) -> Result<(), ChatError> {
        self.ask(format!("read-only {code} {}", from_now(until)))
    }

    async fn owner(&self, code: &RoomCode) -> Result<Option<MemberId>, ChatError> {
        self.inner.owner(code).await
    }
    async fn room_rules(&self, code: &RoomCode) -> Result<RoomRules, ChatError> {
        self.inner.room_rules(code).await
    }
    async fn remove(&self, code: &RoomCode, by: MemberId, seed: &Seed) -> Result<(), ChatError> {
        self.inner.remove(code, by, seed).await
    }
    async fn lock(&self, code: &RoomCode, by: MemberId, locked: bool) -> Result<(), ChatError> {
        self.inner.lock(code, by, locked).await
    }
    async fn removed(&self, code: &RoomCode, member: MemberId) -> Result<bool, ChatError> {
        self.inner.removed(code, member).await
    }
    async fn cleared(&self, member: MemberId, address: Option<&str>) -> Result<(), ChatError> {
        self.inner.cleared(member, address).await
    }
}

#[async_trait]
impl Reports for Moderated {
    async fn report(&self, report: NewReport) -> Result<Option<u64>, ChatError> {
        self.inner.report(report).await
    }
    async fn reports(&self) -> Result<Vec<Report>, ChatError> {
        self.inner.reports().await
    }
    async fn open_report(&self, id: u64) -> Result<Option<Report>, ChatError> {
        self.inner.open_report(id).await
    }
    async fn close_report(&self, id: u64) -> Result<bool, ChatError> {
        self.inner.close_report(id).await
    }
    async fn record(&self, action: Action) -> Result<(), ChatError> {
        self.inner.record(action).await
    }
    async fn actions(&self) -> Result<Vec<Action>, ChatError> {
        self.inner.actions().await
    }
    async fn live_rooms(&self) -> Result<Vec<LiveRoom>, ChatError> {
        self.inner.live_rooms().await
    }
}

#[async_trait]
impl Reading for Moderated {
    async fn seen(&self, code: &RoomCode, member: MemberId) -> Result<Option<EventId>, ChatError> {
        self.inner.seen(code, member).await
    }
    async fn saw(
        &self,
        code: &RoomCode,
        member: MemberId,
        shown: EventId,
    ) -> Result<(), ChatError> {
        self.inner.saw(code, member, shown).await
    }
    async fn typing(&self, code: &RoomCode, member: &Member) -> Result<(), ChatError> {
        self.inner.typing(code, member).await
    }
}

#[async_trait]
impl Doors for Moderated {
    async fn public_rooms(&self) -> Vec<RoomSummary> {
        self.inner.public_rooms().await
    }
    async fn create_room(
        &self,
        member: &Member,
        holder: Option<&str>,
    ) -> Result<RoomCode, ChatError> {
        self.inner.create_room(member, holder).await
    }
    async fn resolve(&self, typed: &str) -> Result<RoomCode, ChatError> {
        self.inner.resolve(typed).await
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
        self.inner.try_code(keys, code, member, access).await
    }
}

#[async_trait]
impl Rooms for Moderated {
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
        self.inner.resync(code, view).await
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
        self.inner.leave(code, member).await
    }
    async fn rename(&self, member: MemberId, to: &Name) -> Result<(), ChatError> {
        self.inner.rename(member, to).await
    }
}

#[async_trait]
impl Strangers for Moderated {
    async fn queue(&self, member: &Member) -> Result<Pairing, ChatError> {
        self.inner.queue(member).await
    }
    async fn cancel(&self, member: MemberId) {
        self.inner.cancel(member).await
    }
    async fn pairing(&self, member: MemberId) -> Option<Pairing> {
        self.inner.pairing(member).await
    }
    async fn watch_pairing(&self, member: MemberId) -> Result<Option<PairWatch>, ChatError> {
        self.inner.watch_pairing(member).await
    }
}

#[async_trait]
impl Store for Moderated {
    async fn stats(&self) -> Stats {
        self.inner.stats().await
    }
}
