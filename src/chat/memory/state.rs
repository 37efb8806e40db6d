//! What the in-memory store keeps behind its one lock: the rooms, the
//! stranger queue, members, the counts that caps and `/metrics` read.

use std::collections::{HashMap, HashSet, VecDeque};
use std::num::NonZeroUsize;

use lru::LruCache;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::chat::pair::Queue;
use crate::chat::room::Room;
use crate::chat::{Author, ChatError, EventId, MemberId, RoomCode, Seed, View, rules};

pub(super) struct State {
    pub(super) rooms: HashMap<RoomCode, Room>,
    pub(super) queue: Queue,
    pub(super) members: HashMap<MemberId, MemberState>,
    /// When each room last sent its Online list, and whether a flush is due.
    pub(super) flushes: HashMap<RoomCode, Flush>,
    /// Open private rooms made with **Create private room**, and random-chat rooms.
    pub(super) private_rooms: usize,
    pub(super) pair_rooms: usize,
    /// Who holds each private room (a client address), and how many each holds.
    pub(super) holders: HashMap<RoomCode, String>,
    pub(super) held: HashMap<String, usize>,
    /// Streams open now per member, over all rooms and waiting pages.
    pub(super) member_streams: HashMap<MemberId, usize>,
    /// Room streams open now (for `/metrics`).
    pub(super) streams: usize,
    pub(super) messages: u64,
    pub(super) last_epoch: u64,
    /// Pairs dropped for want of a room since the last warning, and when
    /// that was: a full pool is logged once a minute, not once a pair.
    pub(super) dropped_pairs: u64,
    pub(super) warned_full: Option<Instant>,
    /// Whom each session ignores, oldest first (`ignore::add`), for the
    /// `rules::KEPT_LISTS` sessions that changed theirs last.
    pub(super) ignored: LruCache<MemberId, Vec<Author>>,
    /// What each member's open streams are shown, changed when their ignore
    /// list changes; kept while they are in a room.
    pub(super) views: HashMap<MemberId, watch::Sender<View>>,
    /// Until when (on the store's clock) each muted session's messages
    /// reach only itself.
    pub(super) mutes: HashMap<MemberId, Instant>,
    /// Whom each session blocked in random chat: never paired again (for
    /// the `rules::KEPT_LISTS` sessions that blocked someone last).
    pub(super) blocks: LruCache<MemberId, HashSet<MemberId>>,
    /// Bans (until, ms since 1970) by member and by client address key.
    pub(super) bans: HashMap<MemberId, i64>,
    pub(super) address_bans: HashMap<String, i64>,
    /// The client address key each member was last seen from, and when.
    pub(super) seen: HashMap<MemberId, (String, Instant)>,
    /// The last item each member was shown of each room, for the
    /// `rules::KEPT_SEEN` places noted last.
    pub(super) read: LruCache<(MemberId, RoomCode), EventId>,
}

impl State {
    pub(super) fn new(max_queue: usize) -> Self {
        Self {
            rooms: HashMap::new(),
            queue: Queue::new(max_queue),
            members: HashMap::new(),
            flushes: HashMap::new(),
            private_rooms: 0,
            pair_rooms: 0,
            holders: HashMap::new(),
            held: HashMap::new(),
            member_streams: HashMap::new(),
            streams: 0,
            messages: 0,
            last_epoch: 0,
            dropped_pairs: 0,
            warned_full: None,
            ignored: LruCache::new(kept_lists()),
            views: HashMap::new(),
            mutes: HashMap::new(),
            blocks: LruCache::new(kept_lists()),
            bans: HashMap::new(),
            address_bans: HashMap::new(),
            seen: HashMap::new(),
            read: LruCache::new(NonZeroUsize::new(rules::KEPT_SEEN).unwrap_or(NonZeroUsize::MIN)),
        }
    }
}

fn kept_lists() -> NonZeroUsize {
    NonZeroUsize::new(rules::KEPT_LISTS).unwrap_or(NonZeroUsize::MIN)
}

#[derive(Default)]
pub(super) struct MemberState {
    pub(super) rooms: HashSet<RoomCode>,
    /// When the member's recent messages were sent, oldest first.
    pub(super) sent: VecDeque<Instant>,
}

#[derive(Default)]
pub(super) struct Flush {
    pub(super) last: Option<Instant>,
    pub(super) scheduled: bool,
}

impl State {
    /// A fresh epoch for a new room: the time in milliseconds, made unique.
    pub(super) fn next_epoch(&mut self, now_ms: i64) -> u64 {
        let now = now_ms.max(0) as u64;
        self.last_epoch = now.max(self.last_epoch + 1);
        self.last_epoch
    }

    pub(super) fn room(&mut self, code: &RoomCode) -> Result<&mut Room, ChatError> {
        self.rooms
            .get_mut(code)
            .ok_or_else(|| ChatError::NoSuchRoom(code.to_string()))
    }

    /// Forgets a member's tie to a room that they left, and a private room
    /// that nobody is in any more.
    pub(super) fn after_leaving(&mut self, code: &RoomCode, member: MemberId) {
        if let Some(state) = self.members.get_mut(&member) {
            state.rooms.remove(code);
            if state.rooms.is_empty() {
                self.members.remove(&member);
                self.views.remove(&member);
            }
        }
        let empty_private = self
            .rooms
            .get(code)
            .is_some_and(|room| !room.public && room.member_count() == 0);
        if empty_private && let Some(room) = self.rooms.remove(code) {
            self.flushes.remove(code);
            if room.pair.is_some() {
                self.pair_rooms = self.pair_rooms.saturating_sub(1);
            } else {
                self.private_rooms = self.private_rooms.saturating_sub(1);
            }
            // The room's place among its holder's is given back.
            if let Some(holder) = self.holders.remove(code)
                && let Some(held) = self.held.get_mut(&holder)
            {
                *held = held.saturating_sub(1);
                if *held == 0 {
                    self.held.remove(&holder);
                }
            }
            tracing::info!(room = %crate::logs::RoomTag(code.as_str()), "room closed");
        }
    }

    /// What `member`, whose avatar is `me`, is shown now.
    pub(super) fn view(&self, member: MemberId, me: &Seed) -> View {
        let list = self.ignored.peek(&member).map_or(&[][..], Vec::as_slice);
        View::ignoring(me.clone(), list)
    }

    /// What `member`'s streams are shown, now and as it changes.
    pub(super) fn watch_view(&mut self, member: MemberId, me: &Seed) -> watch::Receiver<View> {
        let view = self.view(member, me);
        let tx = self
            .views
            .entry(member)
            .or_insert_with(|| watch::channel(view.clone()).0);
        tx.send_if_modified(|now| {
            let changed = *now != view;
            *now = view;
            changed
        });
        tx.subscribe()
    }

    /// `member`'s ignore list changed: their open streams follow.
    pub(super) fn ignored_changed(&mut self, member: MemberId) {
        if let Some(tx) = self.views.get(&member) {
            let me = tx.borrow().me.clone();
            tx.send_replace(self.view(member, &me));
        }
    }

    /// Whether `member` is muted at `now`; a mute that ran out is forgotten.
    pub(super) fn muted(&mut self, member: MemberId, now: Instant) -> bool {
        let until = self.mutes.get(&member).copied();
        let muted = rules::muted(until, now);
        if until.is_some() && !muted {
            self.mutes.remove(&member);
        }
        muted
    }

    /// Counts a stream of `member` opening; false when one more would be
    /// more than `max`.
    pub(super) fn open_stream(&mut self, member: MemberId, max: usize) -> bool {
        let open = self.member_streams.entry(member).or_default();
        if !rules::fits_one_more(*open, max) {
            return false;
        }
        *open += 1;
        true
    }

    /// Counts a stream of `member` closing.
    pub(super) fn close_stream(&mut self, member: MemberId) {
        if let Some(open) = self.member_streams.get_mut(&member) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                self.member_streams.remove(&member);
            }
        }
    }
}
