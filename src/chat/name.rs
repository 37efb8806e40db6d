//! Names people go by and the text they send, each validated once at the edge.

use std::fmt;

/// A member's display name: trimmed, 1 to `max` characters, no control
/// characters, and none that change the direction of the text around it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name(String);

/// Why a typed name or message was refused; the words are shown to the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong {
        max: usize,
        got: usize,
    },
    Control,
    /// Holds a bidirectional control (`is_bidi_control`).
    Direction,
}

impl TextError {
    /// What to tell a person whose name was refused: a whole sentence that
    /// says what to do, readable on its own beside the Name box.
    pub fn name_words(&self) -> String {
        self.words("name")
    }

    /// What to tell a person whose message was refused, beside the Message box.
    pub fn message_words(&self) -> String {
        self.words("message")
    }

    fn words(&self, what: &str) -> String {
        use crate::t;
        let name = what == "name";
        match self {
            Self::Empty if name => t!("text-empty-name"),
            Self::Empty => t!("text-empty-message"),
            Self::TooLong { max, got } if name => t!("text-too-long-name", max = *max, got = *got),
            Self::TooLong { max, got } => t!("text-too-long-message", max = *max, got = *got),
            Self::Control if name => t!("text-control-name"),
            Self::Control => t!("text-control-message"),
            Self::Direction if name => t!("text-direction-name"),
            Self::Direction => t!("text-direction-message"),
        }
    }
}

/// True for characters that show nothing on their own: they cannot make a name.
pub(super) fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}' | '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}'
            | '\u{FFA0}' | '\u{0300}'..='\u{036F}' | '\u{FE00}'..='\u{FE0F}')
}

/// The bidirectional controls: embeddings and overrides (U+202A to U+202E),
/// isolates (U+2066 to U+2069) and the marks (U+200E, U+200F, U+061C). In a
/// name they would reorder the words shown after it (a right-to-left
/// override makes "Ann joined" read backwards), so names may not hold them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

impl Name {
    /// Validates what a person typed as a name.
    pub fn parse(input: &str, max: usize) -> Result<Self, TextError> {
        let name = input.trim();
        if name.chars().any(char::is_control) {
            return Err(TextError::Control);
        }
        if name.chars().any(is_bidi_control) {
            return Err(TextError::Direction);
        }
        if name.chars().all(is_invisible) {
            return Err(TextError::Empty);
        }
        let got = name.chars().count();
        if got > max {
            return Err(TextError::TooLong { max, got });
        }
        Ok(Self(name.to_owned()))
    }

    /// A friendly random name such as "Quiet Otter".
    pub fn suggest() -> Self {
        const ADJECTIVES: &[&str] = &[
            "Quiet", "Brave", "Sunny", "Clever", "Gentle", "Lucky", "Swift", "Calm", "Merry",
            "Bright", "Curious", "Jolly", "Kind", "Nimble", "Witty", "Bold", "Cosy", "Eager",
            "Happy", "Mellow",
        ];
        const ANIMALS: &[&str] = &[
            "Otter", "Fox", "Heron", "Panda", "Badger", "Falcon", "Lynx", "Koala", "Robin",
            "Walrus", "Owl", "Hare", "Seal", "Tiger", "Wren", "Bison", "Gecko", "Moose", "Puffin",
            "Yak",
        ];
        let pick = |words: &[&'static str]| words[rand::random_range(0..words.len())];
        Self(format!("{} {}", pick(ADJECTIVES), pick(ANIMALS)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text of a message: 1 to `max` characters, line breaks normalised to `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    /// Validates what a person typed as a message.
    pub fn parse(input: &str, max: usize) -> Result<Self, TextError> {
        let text = input.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.chars().all(is_invisible) {
            return Err(TextError::Empty);
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(TextError::Control);
        }
        let got = text.chars().count();
        if got > max {
            return Err(TextError::TooLong { max, got });
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(Name::parse("  Ann ", 32).expect("name").as_str(), "Ann");
    }

    #[test]
    fn names_that_look_empty_are_refused() {
        assert_eq!(Name::parse("   ", 32), Err(TextError::Empty));
        assert_eq!(Name::parse("\u{200B}\u{200B}", 32), Err(TextError::Empty));
        assert_eq!(Name::parse("\u{0301}", 32), Err(TextError::Empty));
    }

    #[test]
    fn names_count_characters_not_bytes() {
        assert!(Name::parse(&"é".repeat(32), 32).is_ok());
        assert_eq!(
            Name::parse(&"é".repeat(33), 32),
            Err(TextError::TooLong { max: 32, got: 33 })
        );
    }

    #[test]
    fn names_refuse_control_characters() {
        assert_eq!(Name::parse("A\u{7}nn", 32), Err(TextError::Control));
        assert_eq!(Name::parse("A\nnn", 32), Err(TextError::Control));
    }

    #[test]
    fn names_refuse_every_bidirectional_control() {
        let controls = ('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200E}', '\u{200F}', '\u{061C}']);
        for c in controls {
            for typed in [
                format!("Ann{c}"),
                format!("{c}Ann"),
                format!("A{c}nn"),
                c.to_string(),
            ] {
                assert_eq!(
                    Name::parse(&typed, 32),
                    Err(TextError::Direction),
                    "{typed:?}"
                );
            }
        }
        assert!(
            TextError::Direction.name_words().contains("direction"),
            "the words say what is wrong"
        );
    }

    #[test]
    fn names_in_right_to_left_scripts_are_welcome() {
        assert_eq!(Name::parse("عمر", 32).expect("Arabic").as_str(), "عمر");
        assert_eq!(Name::parse("דנה", 32).expect("Hebrew").as_str(), "דנה");
    }

    proptest::proptest! {
        /// Whatever is typed, an accepted name holds no bidirectional control.
        #[test]
        fn no_accepted_name_holds_a_bidirectional_control(typed in "\\PC{0,8}[\u{200E}\u{200F}\u{061C}\u{202A}-\u{202E}\u{2066}-\u{2069}a]\\PC{0,8}") {
            if let Ok(name) = Name::parse(&typed, 32) {
                proptest::prop_assert!(!name.as_str().chars().any(is_bidi_control));
            }
        }
    }

    #[test]
    fn suggestions_are_valid_names() {
        for _ in 0..100 {
            let name = Name::suggest();
            assert_eq!(Name::parse(name.as_str(), 32).as_ref(), Ok(&name));
        }
    }

    #[test]
    fn messages_keep_line_breaks_and_refuse_other_controls() {
        let text = MessageText::parse("a\r\nb\rc", 2000).expect("text");
        assert_eq!(text.as_str(), "a\nb\nc");
        assert_eq!(MessageText::parse("a\u{0}", 2000), Err(TextError::Control));
        assert_eq!(MessageText::parse(" \n ", 2000), Err(TextError::Empty));
    }

    #[test]
    fn messages_have_a_length_limit() {
        assert!(MessageText::parse(&"x".repeat(2000), 2000).is_ok());
        assert_eq!(
            MessageText::parse(&"x".repeat(2001), 2000),
            Err(TextError::TooLong {
                max: 2000,
                got: 2001
            })
        );
    }

    /// The words say what to do, not "Name: is empty".
    #[test]
    fn refusals_are_plain_sentences_that_name_the_field() {
        assert_eq!(TextError::Empty.name_words(), "Enter a name");
        assert_eq!(TextError::Empty.message_words(), "Type a message first");
        assert_eq!(
            TextError::TooLong { max: 32, got: 33 }.name_words(),
            "A name can be at most 32 characters long; this one has 33"
        );
        assert_eq!(
            TextError::Control.message_words(),
            "A message cannot hold control characters"
        );
    }
}
