//! Events as they are kept in a room's Redis stream: plain fields (kind,
//! authors or names, text, time), written here (the scripts append them as
//! given, adding only an author as stored) and read back here. Each server
//! renders what it reads, once. An author is one field that only this
//! module writes and reads.

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::chat::{
    Author, Change, Event, EventId, MemberId, MessageText, Name, Reach, RoomCode, Said, Seed, rules,
};

/// One entry of a room's stream: its id and its fields.
pub type Entry = (String, Vec<String>);

/// What an entry says: the event, who left (for leave notices), whose it
/// is and who it reaches, and the message whose place it takes (for a
/// deletion).
pub struct Decoded {
    pub event: Event,
    pub left: Option<MemberId>,
    pub reach: Reach,
    pub deletes: Option<EventId>,
}

/// Kinds of entries, as the `k` field says.
pub const MESSAGE: &str = "msg";
pub const JOINED: &str = "joined";
pub const LEFT: &str = "left";
pub const RENAMED: &str = "renamed";
pub const PAIRED: &str = "paired";
pub const STRANGER: &str = "stranger";
pub const CHANGED: &str = "changed";
/// What stands in a deleted message's place (written by `delete.lua`).
pub const DELETED: &str = "del";
/// A deletion's `by` field when a moderator deleted.
pub const BY_MODERATOR: &str = "moderator";
/// A deletion's `by` field when its author deleted.
pub const BY_AUTHOR: &str = "author";

/// What a change notice's `c` field says changed.
const OWNER: &str = "owner";
const LOCKED: &str = "locked";
const SLOW: &str = "slow";
const READ_ONLY: &str = "ro";

/// The notice that someone now owns the room, but its author (the new
/// owner, whom only the script knows: it adds them as stored).
pub fn changed_owner(at_ms: i64) -> Vec<String> {
    fields(&[("k", CHANGED), ("c", OWNER), ("at", &at_ms.to_string())])
}

/// A change notice's fields (but an owner's: `changed_owner`), with the
/// value the room's hash keeps for it (`""` when cleared), and that hash's
/// field.
pub fn change(change: &Change, at_ms: i64) -> (Vec<String>, &'static str, String) {
    let (what, value) = match change {
        Change::Owner(_) => (OWNER, String::new()),
        Change::Locked(locked) => (LOCKED, if *locked { "1".into() } else { String::new() }),
        Change::SlowMode(every) => (
            SLOW,
            every.map_or_else(String::new, |e| e.as_millis().to_string()),
        ),
        Change::ReadOnly(until) => (
            READ_ONLY,
            until.map_or_else(String::new, |u| rules::to_ms(u).to_string()),
        ),
    };
    let notice = fields(&[
        ("k", CHANGED),
        ("c", what),
        ("v", &value),
        ("at", &at_ms.to_string()),
    ]);
    (notice, what, value)
}

/// Reads a change notice back.
fn decode_change(what: &str, value: Option<&str>, owner: Option<Author>) -> Option<Change> {
    let number = || value.and_then(|v| v.parse::<i64>().ok());
    Some(match what {
        OWNER => Change::Owner(owner?.name),
        LOCKED => Change::Locked(value == Some("1")),
        SLOW => Change::SlowMode(number().map(|ms| Duration::from_millis(ms.max(0) as u64))),
        READ_ONLY => Change::ReadOnly(number().map(rules::from_ms)),
        _ => return None,
    })
}

/// A message's fields, but its author (the script adds the author as
/// stored, and marks a muted author's message as reaching only them).
/// The people it mentions go in one field, an author (as `author` writes
/// it) a line, so every server renders the same marks.
pub fn message(text: &MessageText, at_ms: i64, mentions: &[Author]) -> Vec<String> {
    let mut out = fields(&[
        ("k", MESSAGE),
        ("t", text.as_str()),
        ("at", &at_ms.to_string()),
    ]);
    if !mentions.is_empty() {
        let list: Vec<String> = mentions.iter().map(|a| author(&a.seed, &a.name)).collect();
        out.extend(fields(&[("@", &list.join("\n"))]));
    }
    out
}

/// A rename notice's fields: the names, and the avatar of who it names.
pub fn renamed(from: &Name, to: &Name, seed: &Seed, at_ms: i64) -> Vec<String> {
    fields(&[
        ("k", RENAMED),
        ("f", from.as_str()),
        ("n", to.as_str()),
        ("s", seed.as_str()),
        ("at", &at_ms.to_string()),
    ])
}

/// A gathered notice's fields: the names spelled out, and how many more.
pub fn gathered(joined: bool, names: &[Name], more: usize, at_ms: i64) -> Vec<String> {
    let names: Vec<&str> = names.iter().map(Name::as_str).collect();
    fields(&[
        ("k", if joined { JOINED } else { LEFT }),
        ("n", &names.join("\n")),
        ("m", &more.to_string()),
        ("at", &at_ms.to_string()),
    ])
}

fn fields(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| [(*k).to_owned(), (*v).to_owned()])
        .collect()
}

/// An author, as the room's authors hash keeps it: "{seed} {name}".
pub fn author(seed: &Seed, name: &Name) -> String {
    format!("{} {name}", seed.as_str())
}

/// Reads an author field back.
pub fn parse_author(field: &str) -> Option<Author> {
    let (seed, name) = field.split_once(' ')?;
    Some(Author {
        seed: Seed::parse(seed)?,
        name: parse_name(name)?,
    })
}

/// A name that was checked when it was typed; only its shape is checked again.
fn parse_name(raw: &str) -> Option<Name> {
    Name::parse(raw, usize::MAX).ok()
}

/// Decodes an entry of room `code`; `None` for one this version cannot read.
pub fn decode(code: &RoomCode, fields: &[String]) -> Option<Decoded> {
    let map: HashMap<&str, &str> = fields
        .chunks_exact(2)
        .map(|pair| (pair[0].as_str(), pair[1].as_str()))
        .collect();
    let get = |key: &str| map.get(key).copied();
    let at = get("at")
        .and_then(|ms| ms.parse::<i128>().ok())
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).ok())
        .unwrap_or_else(OffsetDateTime::now_utc);
    let author = |key: &str| get(key).and_then(parse_author);
    // One author ("a"), or names spelled out ("n", the form gathered notices
    // and entries of earlier versions take).
    let names = || -> Option<Vec<Name>> {
        match author("a") {
            Some(one) => Some(vec![one.name]),
            None => get("n")?.split('\n').map(parse_name).collect(),
        }
    };
    let more = get("m").and_then(|m| m.parse().ok()).unwrap_or(0);
    let who = get("w")
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(MemberId);
    let kind = get("k")?;
    let event = match kind {
        MESSAGE => Event::Message {
            author: author("a").or_else(|| {
                Some(Author {
                    name: parse_name(get("n")?)?,
                    seed: Seed::parse(get("s")?)?,
                })
            })?,
            text: MessageText::parse(get("t")?, usize::MAX).ok()?,
            at,
            mentions: get("@")
                .map(|list| list.split('\n').filter_map(parse_author).collect())
                .unwrap_or_default(),
        },
        JOINED => Event::Joined {
            names: names()?,
            more,
            at,
        },
        LEFT => Event::Left {
            names: names()?,
            more,
            at,
        },
        RENAMED => Event::Renamed {
            from: parse_name(get("f")?)?,
            to: parse_name(get("n")?)?,
            at,
        },
        PAIRED => {
            let [a, b]: [Name; 2] = match (author("a"), author("b")) {
                (Some(a), Some(b)) => [a.name, b.name],
                _ => names()?.try_into().ok()?,
            };
            Event::Paired { names: [a, b], at }
        }
        STRANGER => Event::StrangerLeft {
            name: names()?.pop()?,
            code: code.clone(),
            at,
        },
        CHANGED => Event::Changed {
            change: decode_change(get("c")?, get("v"), author("a"))?,
            at,
        },
        DELETED => Event::Deleted {
            author: author("a")?,
            at,
            moderator: get("by") == Some(BY_MODERATOR),
        },
        _ => return None,
    };
    let left = who.filter(|_| kind == LEFT || kind == STRANGER);
    // The one person a notice is about: its author, or a rename's avatar.
    let one = author("a")
        .map(|a| a.seed)
        .or_else(|| get("s").and_then(Seed::parse));
    let reach = rules::reach(&event, one.as_ref(), get("o") == Some("1"));
    let deletes = match kind {
        DELETED => Some(get("of")?.parse().ok()?),
        _ => None,
    };
    Some(Decoded {
        event,
        left,
        reach,
        deletes,
    })
}

/// A message as its page shows it, from its entry (`id`) or from the entry
/// that stands in its place once deleted; `None` for any other entry. A
/// message of an earlier version, which did not keep its sender, is no
/// one's to delete but a moderator's.
pub fn said(code: &RoomCode, id: EventId, fields: &[String]) -> Option<Said> {
    let member = fields
        .chunks_exact(2)
        .find(|pair| pair[0] == "w")
        .and_then(|pair| Uuid::parse_str(&pair[1]).ok())
        .map_or(MemberId(Uuid::nil()), MemberId);
    let decoded = decode(code, fields)?;
    let muted = decoded.reach.only_whose;
    match decoded.event {
        Event::Message {
            author, text, at, ..
        } => Some(Said {
            id,
            author,
            member,
            text: Some(text),
            at,
            muted,
        }),
        Event::Deleted { author, at, .. } if decoded.deletes == Some(id) => Some(Said {
            id,
            author,
            member,
            text: None,
            at,
            muted,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let entry = fields(&[
            ("k", "msg"),
            ("s", "0123456789abcdef"),
            ("n", "Ann"),
            ("t", "hi\nthere"),
            ("at", "1700000000000"),
        ]);
        let decoded = decode(&code, &entry).expect("decoded");
        match decoded.event {
            Event::Message {
                author, text, at, ..
            } => {
                assert_eq!(author.name.as_str(), "Ann");
                assert_eq!(text.as_str(), "hi\nthere");
                assert_eq!(at.unix_timestamp(), 1_700_000_000);
            }
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn the_people_a_message_mentions_read_back() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let who = |name: &str| Author {
            name: Name::parse(name, 32).expect("name"),
            seed: Seed::random(),
        };
        let (ann, otter) = (who("Ann"), who("Quiet Otter"));
        let text = MessageText::parse("@Ann @Quiet Otter", 100).expect("text");
        let mut entry = message(&text, 0, &[ann.clone(), otter.clone()]);
        entry.extend(["a".to_owned(), author(&ann.seed, &ann.name)]);
        match decode(&code, &entry).expect("decoded").event {
            Event::Message { mentions, .. } => assert_eq!(mentions, [ann, otter]),
            other => panic!("not a message: {other:?}"),
        }
        // A message of an earlier version mentions nobody.
        let plain = message(&text, 0, &[]);
        assert!(!plain.contains(&"@".to_owned()), "{plain:?}");
    }

    #[test]
    fn unknown_or_broken_entries_are_skipped() {
        let code = RoomCode::parse_slug("general").expect("slug");
        assert!(decode(&code, &fields(&[("k", "what")])).is_none());
        assert!(decode(&code, &fields(&[("k", "msg"), ("n", "Ann")])).is_none());
        let paired = fields(&[("k", "paired"), ("n", "Ann")]);
        assert!(decode(&code, &paired).is_none(), "a pair is two");
    }

    #[test]
    fn what_is_written_reads_back_with_its_stored_author() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let seed = Seed::random();
        let ann = Name::parse("Ann", 32).expect("name");
        let mut entry = message(&MessageText::parse("hi", 10).expect("text"), 0, &[]);
        entry.extend(["a".to_owned(), author(&seed, &ann)]);
        match decode(&code, &entry).expect("decoded").event {
            Event::Message { author, .. } => {
                assert_eq!((&author.name, &author.seed), (&ann, &seed))
            }
            other => panic!("not a message: {other:?}"),
        }
        let names = [ann.clone(), Name::parse("Bob Lee", 32).expect("name")];
        match decode(&code, &gathered(true, &names, 4, 0))
            .expect("decoded")
            .event
        {
            Event::Joined {
                names: got, more, ..
            } => assert_eq!((got, more), (names.to_vec(), 4)),
            other => panic!("not a join: {other:?}"),
        }
        let joined = fields(&[
            ("k", JOINED),
            ("a", &author(&seed, &ann)),
            ("w", &MemberId::random().0.to_string()),
        ]);
        assert!(
            decode(&code, &joined).expect("decoded").left.is_none(),
            "a join ends no stream"
        );
    }

    #[test]
    fn changes_read_back() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let until = rules::from_ms(1_700_000_060_000);
        for change in [
            Change::Locked(true),
            Change::Locked(false),
            Change::SlowMode(Some(Duration::from_secs(30))),
            Change::SlowMode(None),
            Change::ReadOnly(Some(until)),
            Change::ReadOnly(None),
        ] {
            let (entry, _, _) = super::change(&change, 0);
            match decode(&code, &entry).expect("decoded").event {
                Event::Changed { change: back, .. } => assert_eq!(back, change),
                other => panic!("not a change: {other:?}"),
            }
        }
        let seed = Seed::random();
        let ann = Name::parse("Ann", 32).expect("name");
        let mut entry = changed_owner(0);
        entry.extend(["a".to_owned(), author(&seed, &ann)]);
        match decode(&code, &entry).expect("decoded").event {
            Event::Changed { change, .. } => assert_eq!(change, Change::Owner(ann)),
            other => panic!("not a change: {other:?}"),
        }
    }

    #[test]
    fn authors_round_trip() {
        let seed = Seed::random();
        let name = Name::parse("Ann Lee", 32).expect("name");
        let back = parse_author(&author(&seed, &name)).expect("author");
        assert_eq!(back.name, name);
        assert_eq!(back.seed, seed);
    }
}
