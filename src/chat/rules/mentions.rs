//! Who a message mentions: `@Name` of someone present when it is sent,
//! decided once as it is numbered (both stores ask `mentions`), and found
//! again in its text when it is rendered (`mention_spans`, given only those
//! it mentions, which finds the same places).

use std::collections::HashMap;
use std::ops::Range;

use super::text_key;
use crate::chat::event::Author;

/// At most this many people are marked in one message; `@` signs past the
/// first `4 * MENTIONS_MAX` are not looked at, so a message of `@`s costs
/// no more than a short one.
pub const MENTIONS_MAX: usize = 20;

/// The present people `text` mentions, each once, in the order first named.
/// A name two present people share (two strangers may) mentions neither.
pub fn mentions(text: &str, present: &[Author]) -> Vec<Author> {
    let mut out: Vec<Author> = Vec::new();
    for (_, who) in mention_spans(text, present) {
        if !out.iter().any(|a| a.seed == who.seed) {
            out.push(who.clone());
        }
    }
    out
}

/// Where `text` mentions one of `people`: the byte range of each `@Name`
/// (the `@` included) and whom it names. An `@` starts a mention at the
/// start or after a character that is not a letter or digit (so
/// "ann@example.com" is none); the name after it is compared as
/// `rules::name_key` folds names, the longest that is someone's ("@Quiet
/// Otter" over "@Quiet"), and must end where a word does.
pub fn mention_spans<'p>(text: &str, people: &'p [Author]) -> Vec<(Range<usize>, &'p Author)> {
    let mut keys: HashMap<String, Option<&'p Author>> = HashMap::new();
    let mut longest = 0;
    for who in people {
        longest = longest.max(who.name.as_str().chars().count());
        keys.entry(text_key(who.name.as_str()))
            .and_modify(|one| *one = None)
            .or_insert(Some(who));
    }
    // Folding may lengthen or shorten a name a little.
    let reach = longest * 2 + 4;
    let mut out = Vec::new();
    let mut looked = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find('@') {
        let at = from + found;
        from = at + 1;
        if out.len() >= MENTIONS_MAX || looked >= 4 * MENTIONS_MAX || keys.is_empty() {
            break;
        }
        let opens = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let name_at = at + 1;
        let named = text[name_at..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace());
        if !opens || !named {
            continue;
        }
        looked += 1;
        let mut best = None;
        let mut chars = text[name_at..].char_indices().take(reach).peekable();
        while let Some((offset, c)) = chars.next() {
            let end = name_at + offset + c.len_utf8();
            let ends_word = chars.peek().is_none_or(|(_, next)| !next.is_alphanumeric());
            if c.is_whitespace() || !ends_word {
                continue;
            }
            if let Some(Some(who)) = keys.get(&text_key(&text[name_at..end])) {
                best = Some((end, *who));
            }
        }
        if let Some((end, who)) = best {
            out.push((at..end, who));
            from = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Name, Seed};

    fn person(name: &str) -> Author {
        Author {
            name: Name::parse(name, 32).expect("name"),
            seed: Seed::random(),
        }
    }

    fn named(text: &str, present: &[Author]) -> Vec<String> {
        mentions(text, present)
            .into_iter()
            .map(|a| a.name.as_str().to_owned())
            .collect()
    }

    #[test]
    fn a_present_name_after_an_at_sign_is_a_mention_folded_as_names_are() {
        let people = [person("Ann"), person("Quiet Otter"), person("Quiet")];
        assert_eq!(named("hi @ann!", &people), ["Ann"]);
        assert_eq!(named("@ＡＮＮ, look", &people), ["Ann"]);
        assert_eq!(named("@Quiet  Otter hello", &people), ["Quiet Otter"]);
        assert_eq!(
            named("@Quiet and @Ann and @Quiet", &people),
            ["Quiet", "Ann"]
        );
        let spans = mention_spans("say @Quiet Otter.", &people);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].0, 4..16);
    }

    #[test]
    fn absent_names_emails_and_word_parts_are_no_mentions() {
        let people = [person("Ann"), person("Bob")];
        assert!(named("@Cy hi", &people).is_empty());
        assert!(named("mail ann@bob.com", &people).is_empty());
        assert!(named("@Annie and @Bobby", &people).is_empty());
        assert!(named("@ Ann", &people).is_empty());
        assert!(named("no at sign: Ann", &people).is_empty());
    }

    #[test]
    fn a_name_two_present_people_share_mentions_neither() {
        let people = [person("Ann"), person("ann")];
        assert!(named("@Ann", &people).is_empty());
    }

    #[test]
    fn a_message_of_at_signs_is_cheap_and_bounded() {
        let ann = person("Ann");
        let text = "@Ann ".repeat(400);
        assert_eq!(
            mention_spans(&text, std::slice::from_ref(&ann)).len(),
            MENTIONS_MAX
        );
        assert!(mentions(&"@".repeat(2000), &[ann]).is_empty());
    }

    #[test]
    fn the_spans_found_again_among_those_mentioned_are_the_same() {
        let people = [person("Quiet"), person("Quiet Otter"), person("Bo")];
        let text = "@Quiet Otter, @Quiet and @Bo";
        let said = mentions(text, &people);
        let first: Vec<_> = mention_spans(text, &people)
            .into_iter()
            .map(|(r, a)| (r, a.seed.clone()))
            .collect();
        let again: Vec<_> = mention_spans(text, &said)
            .into_iter()
            .map(|(r, a)| (r, a.seed.clone()))
            .collect();
        assert_eq!(first, again);
    }
}
