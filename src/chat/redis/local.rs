//! What one server keeps of the rooms its streams read: the room's log
//! (`RoomLog`: each event rendered once here, shared by every local stream,
//! with the channel streams listen on), and which of its members have
//! streams open. `sync` brings a room up to date from its Redis stream:
//! whatever pub/sub said or missed, it reads everything after the last id
//! it delivered, so nothing is lost or sent twice. Reads of a room go one at
//! a time, and every call that waited while one was under way is answered by
//! the next: however many joins, resumes, posts and notices ask at once, the
//! room is read about twice, not once per ask (`Fetch`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};

use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::codec::{self, Entry};
use super::{Inner, down, keys};
use crate::chat::Clock;
use crate::chat::log::RoomLog;
use crate::chat::room::Tap;
use crate::chat::{ChatError, Event, EventId, Frame, MemberId, Render, RoomCode, View};

#[derive(Default)]
pub(super) struct Local {
    pub rooms: HashMap<RoomCode, LocalRoom>,
    /// Members with a waiting page open here, and what their pages hear.
    pub watchers: HashMap<MemberId, Watcher>,
    pub streams: usize,
    /// What the streams of each member open here are shown; changed when
    /// any server says their ignore list changed.
    pub views: HashMap<MemberId, watch::Sender<View>>,
    /// How many ignore changes this server has heard: a list read while
    /// one was heard may be older than it (`Inner::watch_view`).
    pub ignore_changes: u64,
    /// No sweeping before then (set after Redis was out of reach).
    pub sweep_after: Option<Instant>,
}

pub(super) struct Watcher {
    pub pages: u32,
    pub tx: watch::Sender<Option<RoomCode>>,
}

pub(super) struct LocalRoom {
    pub(super) log: RoomLog,
    /// The log was read at least once: its last id is the last event
    /// delivered here.
    read: bool,
    members: HashMap<MemberId, LocalMember>,
    pub(super) online_sent: Option<Instant>,
    pub(super) online_scheduled: bool,
    /// One read of the log at a time, so entries are applied in order, once.
    fetch: Arc<Fetch>,
    /// A read was asked for by pub/sub and no read has started since: more
    /// notices can wait for it.
    pub wanted: bool,
    /// When the room last had a stream here, to forget it later.
    pub used: Instant,
    /// When this server last pushed back the expiry of the room's keys.
    pub kept: Option<Instant>,
}

/// The reads of one room's log: one at a time, numbered as they start. A
/// call that finds a read numbered after the ones started when it asked
/// already done has nothing left to read: that read began after the call,
/// so it saw everything Redis held when the call was made.
#[derive(Default)]
struct Fetch {
    /// Reads started.
    started: AtomicU64,
    /// Held while reading; the number of the last read that was applied.
    done: tokio::sync::Mutex<u64>,
}

struct LocalMember {
    streams: u32,
    /// Dropped when the member leaves: their streams here end.
    here: watch::Sender<()>,
}

impl LocalRoom {
    fn new(code: &RoomCode, history_len: usize, clock: &Clock) -> Self {
        Self {
            log: RoomLog::new(code.clone(), EventId::start(0), history_len),
            read: false,
            members: HashMap::new(),
            online_sent: None,
            online_scheduled: false,
            fetch: Arc::default(),
            wanted: false,
            used: clock.now(),
            kept: None,
        }
    }

    /// Streams open here on this room.
    pub fn streams(&self) -> u32 {
        self.members.values().map(|m| m.streams).sum()
    }

    /// Those of its members that have a stream open here.
    pub fn attached(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.members
            .iter()
            .filter(|(_, m)| m.streams > 0)
            .map(|(id, _)| *id)
    }

    pub fn idle(&self) -> bool {
        self.streams() == 0 && self.log.receivers() == 0
    }

    /// The last event delivered here; `None` until the log was first read.
    pub(super) fn last(&self) -> Option<EventId> {
        self.read.then(|| self.log.last())
    }
}

/// What a read of the log found.
enum Read {
    /// The room is gone from Redis.
    Gone,
    /// Entries of the room born at `epoch`; `fresh` when they replace
    /// everything kept (first read, or the room was made anew).
    Entries {
        epoch: u64,
        fresh: bool,
        entries: Vec<Entry>,
    },
}

fn parse_id(id: &str) -> Option<EventId> {
    id.parse().ok()
}

/// What was read, decoded (`None`: unreadable), newer than `last` and of
/// the life `epoch`, in order. A deleted message's own entry is gone from
/// Redis: where its deletion was read and the message was not delivered
/// here before, what stands in its place is put at its place, so this
/// server's log has it where every other server has it.
fn in_order(
    code: &RoomCode,
    epoch: u64,
    last: EventId,
    entries: Vec<Entry>,
) -> Vec<(EventId, Option<codec::Decoded>)> {
    let mut read: Vec<(EventId, Option<codec::Decoded>)> = entries
        .into_iter()
        .filter_map(|(id, fields)| Some((parse_id(&id)?, fields)))
        // Older, or of another life of the room than the one just read.
        .filter(|(id, _)| *id > last && id.epoch == epoch)
        .map(|(id, fields)| (id, codec::decode(code, &fields)))
        .collect();
    let places: Vec<(EventId, codec::Decoded)> = read
        .iter()
        .filter_map(|(_, decoded)| {
            let decoded = decoded.as_ref()?;
            let target = decoded.deletes?;
            (target > last && target.epoch == epoch).then(|| {
                let place = codec::Decoded {
                    event: decoded.event.clone(),
                    left: None,
                    reach: decoded.reach.clone(),
                    deletes: None,
                };
                (target, place)
            })
        })
        .collect();
    for (target, place) in places {
        if !read.iter().any(|(id, _)| *id == target) {
            read.push((target, Some(place)));
        }
    }
    read.sort_by_key(|(id, _)| *id);
    read
}

impl Inner {
    pub(super) fn lock(&self) -> MutexGuard<'_, Local> {
        self.local
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads what is new in the room's log and delivers it to local streams:
    /// everything Redis held when this was called is delivered when it returns.
    pub(super) async fn sync(self: &Arc<Self>, code: &RoomCode) -> Result<(), ChatError> {
        let (fetch, last) = {
            let mut local = self.lock();
            let history_len = self.history_len();
            let room = local
                .rooms
                .entry(code.clone())
                .or_insert_with(|| LocalRoom::new(code, history_len, &self.clock));
            (Arc::clone(&room.fetch), room.last())
        };
        let asked = fetch.started.load(Ordering::SeqCst);
        let mut done = fetch.done.lock().await;
        if *done > asked {
            // A read that began after this call was applied meanwhile.
            return Ok(());
        }
        let number = fetch.started.fetch_add(1, Ordering::SeqCst) + 1;
        // Read again: another sync may have gone before us. From here on, a
        // notice heard asks for a read of its own.
        let last = match self.lock().rooms.get_mut(code) {
            Some(room) => {
                room.wanted = false;
                room.last()
            }
            None => last,
        };
        let read = self.read(code, last).await.map_err(down)?;
        self.apply(code, read);
        *done = number;
        Ok(())
    }

    /// `sync`, only for a room this server already follows.
    pub(super) async fn sync_if_local(self: &Arc<Self>, code: &RoomCode) -> Result<(), ChatError> {
        if self.lock().rooms.contains_key(code) {
            self.sync(code).await?;
        }
        Ok(())
    }

    /// The room's epoch and its log after `last` (or its newest entries),
    /// in one round trip; a second one only when the room began a new life
    /// since `last`.
    async fn read(&self, code: &RoomCode, last: Option<EventId>) -> redis::RedisResult<Read> {
        let mut conn = self.conn();
        let log = keys::log(code);
        let mut pipe = redis::pipe();
        pipe.hget(keys::room(code), "epoch");
        match last {
            Some(last) => pipe
                .cmd("XRANGE")
                .arg(&log)
                .arg(format!("({last}"))
                .arg("+"),
            None => pipe.add_command(self.newest(&log)),
        };
        let (epoch, entries): (Option<u64>, Vec<Entry>) = pipe.query_async(&mut conn).await?;
        let Some(epoch) = epoch else {
            return Ok(Read::Gone);
        };
        match last {
            Some(last) if last.epoch == epoch => Ok(Read::Entries {
                epoch,
                fresh: false,
                entries,
            }),
            Some(_) => {
                let mut entries: Vec<Entry> = self.newest(&log).query_async(&mut conn).await?;
                entries.reverse();
                Ok(Read::Entries {
                    epoch,
                    fresh: true,
                    entries,
                })
            }
            None => {
                let mut entries = entries;
                entries.reverse();
                Ok(Read::Entries {
                    epoch,
                    fresh: true,
                    entries,
                })
            }
        }
    }

    /// The newest entries of `log`, as many as the history keeps, newest first.
    fn newest(&self, log: &str) -> redis::Cmd {
        let mut cmd = redis::cmd("XREVRANGE");
        cmd.arg(log)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(self.history_len());
        cmd
    }

    /// Renders (once) and delivers what was read.
    fn apply(self: &Arc<Self>, code: &RoomCode, read: Read) {
        let mut local = self.lock();
        let history_len = self.history_len();
        let Read::Entries {
            epoch,
            fresh,
            entries,
        } = read
        else {
            if !self.is_public(code) && local.rooms.remove(code).is_some() {
                tracing::info!(room = %crate::logs::RoomTag(code.as_str()), "room closed");
            }
            return;
        };
        let Some(room) = local.rooms.get_mut(code) else {
            return;
        };
        // A public room made anew (Redis lost it) keeps its streams, which
        // are sent the new log whole; a private one's streams end with it.
        let resync = fresh && room.read && self.is_public(code);
        if fresh {
            if room.read && !resync {
                *room = LocalRoom::new(code, history_len, &self.clock);
            }
            room.log.restart(EventId::start(epoch));
            room.read = true;
        }
        let mut presence_changed = false;
        for (id, read) in in_order(code, epoch, room.log.last(), entries) {
            room.log.skip_to(id);
            let Some(decoded) = read else {
                tracing::warn!(room = %crate::logs::RoomTag(code.as_str()), %id, "unreadable log entry skipped");
                continue;
            };
            presence_changed |=
                !matches!(decoded.event, Event::Message { .. } | Event::Deleted { .. });
            if let Some(gone) = decoded.left {
                room.members.remove(&gone);
            }
            match decoded.deletes {
                Some(target) => {
                    room.log.delete_as(&self.render, id, target, &decoded.event);
                }
                None => room
                    .log
                    .publish_as(&self.render, id, &decoded.event, decoded.reach),
            }
        }
        if resync {
            let whole = room.log.resync().frame(&self.render);
            room.log.send(whole);
        }
        drop(local);
        if presence_changed || fresh {
            self.online_changed(code);
        }
    }

    /// `member` left `code`: their streams here end, and the Online list
    /// follows (also when the notice waits in a batch).
    pub(super) fn gone(self: &Arc<Self>, code: &RoomCode, member: MemberId) {
        let followed = match self.lock().rooms.get_mut(code) {
            Some(room) => {
                room.members.remove(&member);
                true
            }
            None => false,
        };
        if followed {
            self.online_changed(code);
        }
    }

    /// The log a page load shows, and its last id.
    pub(super) fn local_log(&self, code: &RoomCode) -> Option<(Vec<Frame>, EventId)> {
        let local = self.lock();
        let room = local.rooms.get(code)?;
        Some((room.log.history(), room.last()?))
    }

    /// The whole log as `view` is shown it, and a receiver that starts
    /// right after it; rendered after the lock is let go, once for every
    /// stream that asks (and is shown every item).
    pub(super) fn whole_log(
        &self,
        code: &RoomCode,
        view: &View,
    ) -> Option<(Frame, broadcast::Receiver<Frame>)> {
        let (resync, rx) = {
            let mut local = self.lock();
            let room = local.rooms.get_mut(code)?;
            room.last()?;
            (room.log.resync(), room.log.receiver())
        };
        Some((resync.frame_for(&self.render, view), rx))
    }

    /// A stream of `member` opens here: what it missed, and what it listens to.
    pub(super) fn attach(
        &self,
        code: &RoomCode,
        member: MemberId,
        after: Option<EventId>,
        online: Frame,
    ) -> Result<Tap, ChatError> {
        let mut local = self.lock();
        let room = local.rooms.get_mut(code).ok_or(ChatError::Unavailable)?;
        if !room.read {
            return Err(ChatError::Unavailable);
        }
        let seat = room.members.entry(member).or_insert_with(|| LocalMember {
            streams: 0,
            here: watch::channel(()).0,
        });
        seat.streams += 1;
        let here = seat.here.subscribe();
        room.used = self.clock.now();
        let tap = Tap {
            missed: room.log.missed(after),
            online: Some(online),
            rx: room.log.receiver(),
            here,
        };
        local.streams += 1;
        Ok(tap)
    }

    /// A stream closed; when it was the member's last here, their presence
    /// runs out after the grace period unless a stream elsewhere keeps it.
    fn detach(self: &Arc<Self>, code: &RoomCode, member: MemberId) {
        let inner = Arc::clone(self);
        self.spawn_pending(async move {
            let _ = inner.count_stream(member, -1).await;
        });
        let last_one = {
            let mut local = self.lock();
            local.streams = local.streams.saturating_sub(1);
            let Some(room) = local.rooms.get_mut(code) else {
                return;
            };
            room.used = self.clock.now();
            match room.members.get_mut(&member) {
                Some(seat) => {
                    seat.streams = seat.streams.saturating_sub(1);
                    seat.streams == 0
                }
                None => false,
            }
        };
        if !last_one {
            return;
        }
        let inner = Arc::clone(self);
        let code = code.clone();
        self.spawn_pending(async move {
            let until = inner.now_ms() + inner.grace_ms();
            let _ = inner.present_until(&code, &[member], until).await;
        });
    }

    /// Tells every local stream something about the connection to Redis.
    pub(super) fn tell_streams(&self, text: &str) {
        let local = self.lock();
        for room in local.rooms.values() {
            if let Some(last) = room.last() {
                room.log.send(self.render.status(last, text));
            }
        }
    }

    /// Rooms this server follows.
    pub(super) fn local_rooms(&self) -> Vec<RoomCode> {
        self.lock().rooms.keys().cloned().collect()
    }
}

#[cfg(test)]
impl super::RedisStore {
    /// How many reads of the room's log this server has started.
    pub(crate) fn log_reads(&self, code: &RoomCode) -> u64 {
        self.inner
            .lock()
            .rooms
            .get(code)
            .map_or(0, |room| room.fetch.started.load(Ordering::SeqCst))
    }
}

/// Holds a member present while a stream is open.
pub(super) struct StreamGuard {
    pub inner: Arc<Inner>,
    pub code: RoomCode,
    pub member: MemberId,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.inner.detach(&self.code, self.member);
    }
}
