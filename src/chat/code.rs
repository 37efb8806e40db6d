//! Room codes: 4 to 12 characters (as `--code-length` says) from an alphabet
//! without look-alikes, or the slug of a public room. Parsed once at the edge
//! into `RoomCode`.

use std::fmt;

/// Characters a private room code is made of: no 0/O, no 1/I/L.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// The length of new private room codes unless `--code-length` says otherwise.
pub const CODE_LEN: usize = 4;

/// The lengths a private room code may have: new codes are as long as
/// `--code-length` says; a code of any of these lengths is read as a code
/// (one of another length than the rooms' simply leads nowhere).
pub const CODE_LENGTHS: std::ops::RangeInclusive<usize> = 4..=12;

/// Whether `text` is written like a private code: a length in
/// `CODE_LENGTHS`, every character from `ALPHABET`.
fn is_code(text: &str) -> bool {
    CODE_LENGTHS.contains(&text.len()) && text.bytes().all(|b| ALPHABET.contains(&b))
}

/// The key of a room: a private code (`K7QX`) or a public slug (`general`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomCode(String);

impl RoomCode {
    /// A fresh random private code of `len` characters (not checked for
    /// uniqueness); `len` is kept within `CODE_LENGTHS`.
    pub fn random(len: usize) -> Self {
        let len = len.clamp(*CODE_LENGTHS.start(), *CODE_LENGTHS.end());
        let code = (0..len)
            .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
            .collect();
        Self(code)
    }

    /// Reads what a person typed as a private code: trimmed, any case.
    /// `None` when it cannot be a code at all.
    pub fn parse_private(input: &str) -> Option<Self> {
        let code = input.trim().to_ascii_uppercase();
        is_code(&code).then_some(Self(code))
    }

    /// A public room's slug: lowercase ASCII letters, digits and dashes.
    pub fn parse_slug(input: &str) -> Option<Self> {
        let slug = input.trim().to_ascii_lowercase();
        let valid = !slug.is_empty()
            && slug.len() <= 32
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        valid.then_some(Self(slug))
    }

    /// Reads a code from a URL path segment: exactly a code or a slug, as written.
    pub fn from_path(segment: &str) -> Option<Self> {
        if is_code(segment) {
            return Some(Self(segment.to_owned()));
        }
        Self::parse_slug(segment).filter(|slug| slug.0 == segment)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_use_only_the_alphabet() {
        for _ in 0..1000 {
            let code = RoomCode::random(CODE_LEN);
            assert_eq!(code.as_str().len(), CODE_LEN);
            assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        }
    }

    #[test]
    fn new_codes_have_the_length_asked_for_and_read_back() {
        for len in CODE_LENGTHS {
            let code = RoomCode::random(len);
            assert_eq!(code.as_str().len(), len);
            assert_eq!(RoomCode::parse_private(code.as_str()).as_ref(), Some(&code));
            assert_eq!(RoomCode::from_path(code.as_str()).as_ref(), Some(&code));
            let typed = code.as_str().to_ascii_lowercase();
            assert_eq!(RoomCode::parse_private(&typed).as_ref(), Some(&code));
        }
        assert_eq!(
            RoomCode::random(2).as_str().len(),
            4,
            "never shorter than 4"
        );
        assert_eq!(
            RoomCode::random(40).as_str().len(),
            12,
            "never longer than 12"
        );
    }

    #[test]
    fn codes_of_every_accepted_length_are_codes_and_no_others() {
        assert!(RoomCode::parse_private("K7QXM").is_some());
        assert!(RoomCode::parse_private("K7QXK7QXK7QX").is_some());
        assert!(RoomCode::parse_private("K7QXK7QXK7QXK").is_none(), "13");
        assert!(RoomCode::parse_private("K7Q").is_none(), "3");
        assert!(RoomCode::from_path("K7QXK7").is_some());
        assert!(RoomCode::from_path("K7QXK7QXK7QXK").is_none());
        // Not a slug either: slugs are lower case.
        assert!(RoomCode::from_path("K7Q").is_none());
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"0O1IL" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
    }

    #[test]
    fn typed_codes_are_trimmed_and_uppercased() {
        assert_eq!(
            RoomCode::parse_private(" k7qx ").expect("code").as_str(),
            "K7QX"
        );
        assert!(RoomCode::parse_private("K7Q").is_none());
        assert!(RoomCode::parse_private("K0QX").is_none());
        assert!(RoomCode::parse_private("KÉQX").is_none());
    }

    #[test]
    fn paths_must_be_exact() {
        assert!(RoomCode::from_path("K7QX").is_some());
        assert_ne!(RoomCode::from_path("k7qx"), RoomCode::from_path("K7QX"));
        assert!(RoomCode::from_path("general").is_some());
        assert!(RoomCode::from_path("General").is_none());
        assert!(RoomCode::from_path("../x").is_none());
    }
}
