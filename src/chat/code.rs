//! Room codes: four characters from an alphabet without look-alikes, or the
//! slug of a public room. Parsed once at the edge into `RoomCode`.

use std::fmt;

/// Characters a private room code is made of: no 0/O, no 1/I/L.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Length of a private room code.
pub const CODE_LEN: usize = 4;

/// The key of a room: a private code (`K7QX`) or a public slug (`general`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomCode(String);

impl RoomCode {
    /// A fresh random private code (not checked for uniqueness).
    pub fn random() -> Self {
        let code = (0..CODE_LEN)
            .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
            .collect();
        Self(code)
    }

    /// Reads what a person typed as a private code: trimmed, any case.
    /// `None` when it cannot be a code at all.
    pub fn parse_private(input: &str) -> Option<Self> {
        let code = input.trim().to_ascii_uppercase();
        let valid = code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(Self(code))
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
        if segment.len() == CODE_LEN && segment.bytes().all(|b| ALPHABET.contains(&b)) {
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
            let code = RoomCode::random();
            assert_eq!(code.as_str().len(), CODE_LEN);
            assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        }
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
