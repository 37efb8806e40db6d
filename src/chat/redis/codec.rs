//! Events as they are kept in a room's Redis stream: plain fields (kind,
//! names, seed, text, time), written by the scripts and read back here. Each
//! server renders what it reads, once.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::chat::{Author, Event, MemberId, MessageText, Name, RoomCode, Seed};

/// One entry of a room's stream: its id and its fields.
pub type Entry = (String, Vec<String>);

/// What an entry says: the event, and who left (for leave notices).
pub struct Decoded {
    pub event: Event,
    pub left: Option<MemberId>,
}

/// The author field of the room's authors hash: "{seed} {name}".
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
    let names = || -> Option<Vec<Name>> { get("n")?.split('\n').map(parse_name).collect() };
    let more = get("m").and_then(|m| m.parse().ok()).unwrap_or(0);
    let left = get("w")
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(MemberId);
    let event = match get("k")? {
        "msg" => Event::Message {
            author: Author {
                name: parse_name(get("n")?)?,
                seed: Seed::parse(get("s")?)?,
            },
            text: MessageText::parse(get("t")?, usize::MAX).ok()?,
            at,
        },
        "joined" => Event::Joined {
            names: names()?,
            more,
            at,
        },
        "left" => Event::Left {
            names: names()?,
            more,
            at,
        },
        "renamed" => Event::Renamed {
            from: parse_name(get("f")?)?,
            to: parse_name(get("n")?)?,
            at,
        },
        "paired" => {
            let [a, b]: [Name; 2] = names()?.try_into().ok()?;
            Event::Paired { names: [a, b], at }
        }
        "stranger" => Event::StrangerLeft {
            name: parse_name(get("n")?)?,
            code: code.clone(),
            at,
        },
        _ => return None,
    };
    Some(Decoded { event, left })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<String> {
        pairs
            .iter()
            .flat_map(|(k, v)| [k.to_string(), v.to_string()])
            .collect()
    }

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
            Event::Message { author, text, at } => {
                assert_eq!(author.name.as_str(), "Ann");
                assert_eq!(text.as_str(), "hi\nthere");
                assert_eq!(at.unix_timestamp(), 1_700_000_000);
            }
            other => panic!("not a message: {other:?}"),
        }
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
    fn authors_round_trip() {
        let seed = Seed::random();
        let name = Name::parse("Ann Lee", 32).expect("name");
        let back = parse_author(&author(&seed, &name)).expect("author");
        assert_eq!(back.name, name);
        assert_eq!(back.seed, seed);
    }
}
