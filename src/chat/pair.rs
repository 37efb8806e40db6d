//! The pairing queue: who waits for a random stranger, in order of arrival,
//! and where those who were matched should go. Plain synchronous code, driven
//! by the store under its one lock; rooms, timers and locking are the store's.

use std::collections::{HashMap, VecDeque};

use tokio::sync::watch;

use super::code::RoomCode;
use super::event::{Member, MemberId};
use super::{ChatError, rules};

/// Where a member stands with the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// In the queue, waiting for a stranger.
    Waiting,
    /// Matched: their new room.
    Matched(RoomCode),
}

/// One person in the queue, or just matched.
struct Waiter {
    member: Member,
    /// Waiting pages open now.
    streams: u32,
    /// A waiting page has been open at some point: once it has, none open
    /// means the page was closed, and nobody is paired with a closed page.
    opened: bool,
    /// Bumped on every change, so a grace timer started earlier can tell it is stale.
    generation: u64,
    /// Tells open waiting pages the room, once matched.
    tx: watch::Sender<Option<RoomCode>>,
}

impl Waiter {
    fn matched(&self) -> Option<RoomCode> {
        self.tx.borrow().clone()
    }

    /// Can be paired now: waiting, and their page is not known to be closed.
    fn ready(&self) -> bool {
        self.matched().is_none() && super::rules::ready(self.opened, self.streams > 0)
    }
}

/// The queue: first come, first served.
pub struct Queue {
    /// Those waiting (not matched), oldest first.
    order: VecDeque<MemberId>,
    /// Everyone in `order`, and those matched whose pages have yet to move.
    waiters: HashMap<MemberId, Waiter>,
    cap: usize,
}

impl Queue {
    pub fn new(cap: usize) -> Self {
        Self {
            order: VecDeque::new(),
            waiters: HashMap::new(),
            cap,
        }
    }

    /// How many are waiting.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Puts `member` at the back of the queue; one already waiting keeps their
    /// place. Returns the generation to expire them at if no waiting page
    /// opens within the grace period (`None` when they were already waiting).
    pub fn join(&mut self, member: &Member) -> Result<Option<u64>, ChatError> {
        if let Some(waiter) = self.waiters.get_mut(&member.id) {
            waiter.member = member.clone();
            if waiter.matched().is_none() {
                return Ok(None);
            }
        }
        let full = !rules::fits_one_more(self.order.len(), self.cap);
        if full && !self.order.iter().any(|id| self.is_ready(*id)) {
            return Err(ChatError::QueueFull);
        }
        let waiter = self.waiters.entry(member.id).or_insert_with(|| Waiter {
            member: member.clone(),
            streams: 0,
            opened: false,
            generation: 0,
            tx: watch::channel(None).0,
        });
        // Queued anew after a match: a fresh start.
        waiter.tx.send_replace(None);
        waiter.opened = waiter.streams > 0;
        waiter.generation += 1;
        self.order.push_back(member.id);
        Ok(Some(waiter.generation))
    }

    fn is_ready(&self, id: MemberId) -> bool {
        self.waiters.get(&id).is_some_and(Waiter::ready)
    }

    /// Takes the two who have waited longest among those who can be
    /// paired and `may_pair` (neither blocked the other).
    pub fn next_pair(
        &mut self,
        may_pair: impl Fn(MemberId, MemberId) -> bool,
    ) -> Option<(Member, Member)> {
        let ready: Vec<MemberId> = self
            .order
            .iter()
            .copied()
            .filter(|id| self.is_ready(*id))
            .collect();
        let (a, b) = ready.iter().enumerate().find_map(|(i, a)| {
            let b = ready[i + 1..].iter().find(|b| may_pair(*a, **b))?;
            Some((*a, *b))
        })?;
        self.order.retain(|id| *id != a && *id != b);
        let member = |id| self.waiters.get(&id).map(|w| w.member.clone());
        Some((member(a)?, member(b)?))
    }

    /// `id` was paired into `code`: their pages are told. Returns the
    /// generation at which to forget the match if no page picks it up.
    pub fn matched(&mut self, id: MemberId, code: &RoomCode) -> Option<u64> {
        let waiter = self.waiters.get_mut(&id)?;
        waiter.tx.send_replace(Some(code.clone()));
        waiter.generation += 1;
        Some(waiter.generation)
    }

    /// The member leaves the queue (or forgets their match). True when they were in it.
    pub fn cancel(&mut self, id: MemberId) -> bool {
        self.order.retain(|other| *other != id);
        self.waiters.remove(&id).is_some()
    }

    /// Where the member stands, if anywhere.
    pub fn pairing(&self, id: MemberId) -> Option<Pairing> {
        let waiter = self.waiters.get(&id)?;
        Some(waiter.matched().map_or(Pairing::Waiting, Pairing::Matched))
    }

    /// A waiting page of the member opened: it hears the match, once there is one.
    pub fn attach(&mut self, id: MemberId) -> Option<watch::Receiver<Option<RoomCode>>> {
        let waiter = self.waiters.get_mut(&id)?;
        waiter.streams += 1;
        waiter.opened = true;
        waiter.generation += 1;
        Some(waiter.tx.subscribe())
    }

    /// A waiting page closed. Returns the generation to expire the member at
    /// after the grace period, when it was their last.
    pub fn detach(&mut self, id: MemberId) -> Option<u64> {
        let waiter = self.waiters.get_mut(&id)?;
        waiter.streams = waiter.streams.saturating_sub(1);
        waiter.generation += 1;
        (waiter.streams == 0).then_some(waiter.generation)
    }

    /// The grace period of `generation` ran out: the member leaves the queue
    /// (or their match is forgotten), unless a page came back since. True when they went.
    pub fn expire(&mut self, id: MemberId, generation: u64) -> bool {
        let live = self
            .waiters
            .get(&id)
            .is_none_or(|w| w.generation != generation || w.streams > 0);
        !live && self.cancel(id)
    }

    /// Those waiting, oldest first, for tests of the invariants.
    pub fn waiting(&self) -> Vec<MemberId> {
        self.order.iter().copied().collect()
    }
}
