//! The pairing queue through the store: first come, first served, nobody with
//! themselves, with someone who cancelled or whose waiting page closed.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::*;

fn matched(pairing: Option<Pairing>) -> RoomCode {
    match pairing {
        Some(Pairing::Matched(code)) => code,
        other => panic!("expected a match, got {other:?}"),
    }
}

async fn the_two_who_waited_longest_are_paired_into_a_new_room(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    assert_eq!(chat.queue(&ann).await, Ok(Pairing::Waiting));
    let code = matched(chat.queue(&bob).await.ok());
    assert_eq!(chat.queue(&cy).await, Ok(Pairing::Waiting));
    assert_eq!(matched(chat.pairing(ann.id).await), code);
    assert_eq!(chat.stats().await.queue, 1);
    let snapshot = chat.enter(&code, &ann).await.expect("ann is in the room");
    assert!(!snapshot.public);
    assert_eq!(snapshot.online.total, 2, "both are present");
    assert_eq!(log_texts(&snapshot), vec!["paired Ann,Bob"]);
    assert!(
        chat.enter(&code, &cy).await.is_err(),
        "a pair room is for its two only"
    );
}

async fn a_second_tab_keeps_the_one_place_and_is_never_paired_with_itself(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    assert_eq!(chat.queue(&ann).await, Ok(Pairing::Waiting));
    let tab1 = chat
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("queued");
    let tab2 = chat
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("queued");
    assert_eq!(chat.queue(&ann).await, Ok(Pairing::Waiting));
    assert_eq!(chat.stats().await.queue, 1);
    let bob = member("Bob");
    let code = matched(chat.queue(&bob).await.ok());
    for tab in [tab1, tab2] {
        let heard = kit
            .until(|| async { *tab.matched.borrow() == Some(code.clone()) })
            .await;
        assert!(heard, "every tab hears it");
    }
}

async fn someone_who_cancelled_is_never_paired(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    chat.cancel(ann.id).await;
    assert_eq!(chat.pairing(ann.id).await, None);
    assert_eq!(chat.queue(&bob).await, Ok(Pairing::Waiting));
    assert_eq!(chat.stats().await.queue, 1);
}

async fn a_closed_waiting_page_is_not_paired_and_leaves_after_grace(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    chat.queue(&ann).await.expect("queued");
    drop(
        chat.watch_pairing(ann.id)
            .await
            .expect("within the caps")
            .expect("queued"),
    );
    assert_eq!(chat.queue(&bob).await, Ok(Pairing::Waiting), "not with Ann");
    assert_eq!(chat.stats().await.queue, 2);
    kit.pass(kit.grace * 2).await;
    let gone = kit
        .until(|| async { chat.pairing(ann.id).await.is_none() })
        .await;
    assert!(gone, "Ann is gone after grace");
    let gone = kit
        .until(|| async { chat.pairing(bob.id).await.is_none() })
        .await;
    assert!(gone, "Bob never opened the page");
    assert_eq!(chat.stats().await.queue, 0);
    let _bob_page = {
        chat.queue(&bob).await.expect("queued");
        chat.watch_pairing(bob.id)
            .await
            .expect("within the caps")
            .expect("queued")
    };
    kit.pass(kit.grace * 2).await;
    assert_eq!(
        chat.pairing(bob.id).await,
        Some(Pairing::Waiting),
        "an open page keeps the place"
    );
    let code = matched(chat.queue(&cy).await.ok());
    assert_eq!(matched(chat.pairing(bob.id).await), code);
}

async fn a_reopened_waiting_page_is_paired_again(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    drop(
        chat.watch_pairing(ann.id)
            .await
            .expect("within the caps")
            .expect("queued"),
    );
    chat.queue(&bob).await.expect("queued");
    let page = chat
        .watch_pairing(ann.id)
        .await
        .expect("within the caps")
        .expect("still queued within grace");
    let code = page
        .matched
        .borrow()
        .clone()
        .expect("paired when the page came back");
    assert_eq!(matched(chat.pairing(bob.id).await), code);
}

async fn a_full_queue_refuses_with_a_clear_reason(kit: Kit) {
    let chat = kit.store().await; // room for three
    for name in ["Ann", "Bob", "Cy"] {
        let m = member(name);
        chat.queue(&m).await.expect("queued");
        drop(
            chat.watch_pairing(m.id)
                .await
                .expect("within the caps")
                .expect("queued"),
        ); // closed: not pairable
    }
    let dee = member("Dee");
    let refused = chat.queue(&dee).await;
    assert_eq!(refused, Err(ChatError::QueueFull));
    assert_eq!(
        ChatError::QueueFull.to_string(),
        "The queue is full right now: try again in a minute"
    );
    assert_eq!(chat.stats().await.queue, 3);
}

async fn when_one_of_a_pair_leaves_the_other_is_offered_a_new_stranger(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    let code = matched(chat.queue(&bob).await.ok());
    chat.leave(&code, ann.id).await.expect("ann leaves");
    let snapshot = chat.enter(&code, &bob).await.expect("bob stays");
    assert_eq!(
        log_texts(&snapshot),
        vec![
            "paired Ann,Bob".to_owned(),
            format!("stranger left Ann {code}")
        ]
    );
}

async fn an_unfollowed_match_is_forgotten_after_grace(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    chat.queue(&ann).await.expect("queued");
    chat.queue(&bob).await.expect("queued");
    kit.pass(kit.grace * 2).await;
    let forgotten = kit
        .until(|| async {
            let stats = chat.stats().await;
            (stats.rooms, stats.members, stats.queue) == (1, 0, 0)
        })
        .await;
    assert!(
        forgotten,
        "only the public room is left: no pair room, member or waiter"
    );
    assert_eq!(chat.pairing(ann.id).await, None);
    assert_eq!(chat.pairing(bob.id).await, None);
}

on_both_stores!(
    the_two_who_waited_longest_are_paired_into_a_new_room,
    a_second_tab_keeps_the_one_place_and_is_never_paired_with_itself,
    someone_who_cancelled_is_never_paired,
    a_closed_waiting_page_is_not_paired_and_leaves_after_grace,
    a_reopened_waiting_page_is_paired_again,
    a_full_queue_refuses_with_a_clear_reason,
    when_one_of_a_pair_leaves_the_other_is_offered_a_new_stranger,
    an_unfollowed_match_is_forgotten_after_grace,
);

/// Everyone in `people` at once, spread over `stores` (servers): a third
/// queue, a third queue and cancel (on the next server), a third queue from
/// two tabs (on two servers) at the same moment.
pub(super) async fn churn(people: &[Member], stores: &[Chat]) {
    let mut tasks = tokio::task::JoinSet::new();
    for (n, person) in people.iter().cloned().enumerate() {
        let here = stores[n % stores.len()].clone();
        let there = stores[(n + 1) % stores.len()].clone();
        tasks.spawn(async move {
            match n % 3 {
                0 => {
                    here.queue(&person).await.expect("room in the queue");
                }
                1 => {
                    here.queue(&person).await.expect("room in the queue");
                    tokio::task::yield_now().await;
                    there.cancel(person.id).await;
                }
                _ => {
                    // Two tabs at once: one member, one place.
                    let (a, b) = tokio::join!(here.queue(&person), there.queue(&person));
                    a.expect("queued");
                    b.expect("queued");
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("no task panicked");
    }
}

/// Keeps the names of every pairing notice, to check who was paired with whom.
struct Recorder(Arc<Mutex<Vec<[Name; 2]>>>);

impl Render for Recorder {
    fn log_item(&self, room: &RoomCode, id: EventId, event: &Event, place: Place) -> Frame {
        if let Event::Paired { names, .. } = event {
            self.0.lock().expect("not poisoned").push(names.clone());
        }
        Plain.log_item(room, id, event, place)
    }
    fn online(&self, room: &RoomCode, last: EventId, online: &Online) -> Frame {
        Plain.online(room, last, online)
    }
    fn resync(&self, room: &RoomCode, last: EventId, items: &[Frame]) -> Frame {
        Plain.resync(room, last, items)
    }
    fn status(&self, last: EventId, text: &str) -> Frame {
        Plain.status(last, text)
    }
}

/// Many people queue, cancel and queue again at once, from many threads:
/// every pair is two different people, nobody is in two pairs, and at most
/// one person is left waiting, as the queue length says.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pairing_stays_exact_under_concurrency() {
    let pairs = Arc::new(Mutex::new(Vec::new()));
    let settings = Settings {
        public_rooms: vec![],
        grace: Duration::from_secs(600),
        max_queue: 10_000,
        ..Kit::memory().settings(50, 50, 10)
    };
    let chat: Chat = Arc::new(MemoryStore::new(
        settings,
        Arc::new(Recorder(pairs.clone())),
    ));
    let people: Vec<Member> = (0..600).map(|n| member(&format!("m{n}"))).collect();
    churn(&people, std::slice::from_ref(&chat)).await;
    let pairs = pairs.lock().expect("not poisoned").clone();
    // Only the two-tab members may be queued again after a match.
    let two_tabs: HashSet<Name> = people
        .iter()
        .skip(2)
        .step_by(3)
        .map(|p| p.name.clone())
        .collect();
    let mut times: HashMap<Name, usize> = HashMap::new();
    for [a, b] in &pairs {
        assert_ne!(a, b, "nobody is paired with themselves");
        *times.entry(a.clone()).or_default() += 1;
        *times.entry(b.clone()).or_default() += 1;
    }
    for (name, n) in &times {
        let most = if two_tabs.contains(name) { 2 } else { 1 };
        assert!(*n <= most, "{name} is in {n} pairs");
    }
    let mut waiting = HashSet::new();
    for person in &people {
        match chat.pairing(person.id).await {
            Some(Pairing::Waiting) => {
                waiting.insert(person.id);
            }
            Some(Pairing::Matched(_)) => assert!(times.contains_key(&person.name)),
            None => {}
        }
    }
    assert!(
        waiting.len() <= 1,
        "nobody waits while another could be paired: {waiting:?}"
    );
    assert_eq!(chat.stats().await.queue, waiting.len(), "no leaked entries");
    for person in &people {
        chat.cancel(person.id).await;
    }
    assert_eq!(chat.stats().await.queue, 0);
}
