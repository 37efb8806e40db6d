use super::*;
use crate::chat::event::Seed;
use crate::chat::name::MessageText;
use time::macros::datetime;

fn said(author: &Author, at: OffsetDateTime) -> Event {
    Event::Message {
        mentions: Vec::new(),
        author: author.clone(),
        text: MessageText::parse("hi", 10).expect("text"),
        at,
    }
}

fn author(name: &str) -> Author {
    Author {
        name: Name::parse(name, 32).expect("name"),
        seed: Seed::random(),
    }
}

#[test]
fn the_first_item_of_a_log_opens_its_day() {
    let ann = author("Ann");
    let place = place(None, &said(&ann, datetime!(2026-12-03 07:46 UTC)));
    assert_eq!(
        place,
        Place {
            new_day: true,
            grouped: false,
            before: None,
        }
    );
}

#[test]
fn messages_of_one_author_within_a_few_minutes_are_grouped() {
    let ann = author("Ann");
    let first = said(&ann, datetime!(2026-12-03 07:46 UTC));
    let near = said(&ann, datetime!(2026-12-03 07:51 UTC));
    let late = said(&ann, datetime!(2026-12-03 07:51:01 UTC));
    let before = Tail::of(&first);
    assert!(place(Some(&before), &near).grouped);
    assert!(!place(Some(&before), &late).grouped);
    assert!(!place(Some(&before), &near).new_day);
}

#[test]
fn another_author_a_notice_or_a_new_name_breaks_a_group() {
    let (ann, bob) = (author("Ann"), author("Bob"));
    let at = datetime!(2026-12-03 07:46 UTC);
    let before = Tail::of(&said(&ann, at));
    assert!(!place(Some(&before), &said(&bob, at)).grouped);
    let annie = Author {
        name: Name::parse("Annie", 32).expect("name"),
        ..ann.clone()
    };
    assert!(!place(Some(&before), &said(&annie, at)).grouped);
    let joined = Event::Joined {
        names: vec![bob.name.clone()],
        more: 0,
        at,
    };
    assert!(!place(Some(&before), &joined).grouped);
    assert!(!place(Some(&Tail::of(&joined)), &said(&ann, at)).grouped);
}

#[test]
fn a_new_utc_day_opens_with_a_divider_and_no_group() {
    let ann = author("Ann");
    let before = Tail::of(&said(&ann, datetime!(2026-12-03 23:59 UTC)));
    let after = place(Some(&before), &said(&ann, datetime!(2026-12-04 00:01 UTC)));
    assert_eq!(
        after,
        Place {
            new_day: true,
            grouped: false,
            before: Some(datetime!(2026-12-03 23:59 UTC)),
        }
    );
    // 23:30 at UTC-1 is 00:30 the next day in UTC.
    let west = datetime!(2026-12-03 23:30 -1);
    assert!(place(Some(&before), &said(&ann, west)).new_day);
}

fn names(n: usize) -> Vec<Name> {
    (0..n)
        .map(|i| Name::parse(&format!("P{i}"), 32).expect("name"))
        .collect()
}

#[test]
fn a_notice_spells_out_one_more_name_rather_than_one_other() {
    assert_eq!(spell(names(0), 2), None);
    assert_eq!(spell(names(3), 2).map(|(n, m)| (n.len(), m)), Some((3, 0)));
    assert_eq!(spell(names(4), 2).map(|(n, m)| (n.len(), m)), Some((2, 2)));
    assert_eq!(spell(names(5), 3).map(|(n, m)| (n.len(), m)), Some((3, 2)));
}

#[test]
fn pairs_are_told_by_their_own_notices_and_busy_rooms_gather() {
    assert_eq!(notice(true, Shape::of(true, 2, 50, false)), Notice::Silent);
    assert_eq!(
        notice(false, Shape::of(true, 1, 50, false)),
        Notice::StrangerLeft
    );
    assert_eq!(notice(true, Shape::of(false, 3, 3, false)), Notice::Now);
    assert_eq!(notice(true, Shape::of(false, 4, 3, false)), Notice::Gather);
    assert_eq!(notice(false, Shape::of(false, 1, 3, true)), Notice::Gather);
}

#[test]
fn a_closed_waiting_page_is_not_paired_but_one_yet_to_load_is() {
    assert!(ready(false, false) && ready(true, true));
    assert!(!ready(true, false));
}

#[test]
fn a_pair_room_admits_its_two_only_and_an_open_room_anyone() {
    let (a, b, c) = (MemberId::random(), MemberId::random(), MemberId::random());
    let pair = Door::of(Some([a, b]));
    assert!(pair.admits(Some(a)) && pair.admits(Some(b)));
    assert!(!pair.admits(Some(c)) && !pair.admits(None));
    assert!(Door::of(None).admits(None) && Door::of(None).admits(Some(c)));
}

fn key(typed: &str) -> String {
    name_key(&Name::parse(typed, 32).expect("name"))
}

#[test]
fn names_that_read_alike_share_a_key() {
    assert_eq!(key("Ann"), key("ANN"));
    assert_eq!(key("Ann"), key("ａｎｎ"), "full-width letters");
    assert_eq!(key("Ann"), key("A\u{200B}nn"), "a zero-width space");
    assert_eq!(key("Ann Lee"), key("ann   lee"), "spaces");
    assert_eq!(key("José"), key("Jose\u{0301}"), "an accent apart or not");
    assert_eq!(key("Straße"), key("STRAẞE"));
    assert_ne!(key("José"), key("Jose"), "an accent tells names apart");
    assert_ne!(key("Ann"), key("Anne"));
}

#[test]
fn names_are_unique_in_every_room_but_two_strangers() {
    assert!(names_unique(false));
    assert!(!names_unique(true));
}

#[test]
fn full_means_as_many_as_may_be_and_a_same_name_is_no_rename() {
    assert!(fits_one_more(0, 1) && fits_one_more(2, 3));
    assert!(!fits_one_more(3, 3) && !fits_one_more(0, 0));
    let (ann, bob) = (names(2)[0].clone(), names(2)[1].clone());
    assert!(renames(&ann, &bob) && !renames(&ann, &ann));
}

#[test]
fn the_longest_present_takes_over_when_the_owner_goes() {
    let [ann, bob, cy] = [MemberId::random(), MemberId::random(), MemberId::random()];
    assert_eq!(next_owner(Some(ann), ann, &[ann, bob, cy]), Some(Some(bob)));
    assert_eq!(next_owner(Some(ann), ann, &[cy, bob]), Some(Some(cy)));
    assert_eq!(
        next_owner(Some(ann), ann, &[ann]),
        Some(None),
        "nobody left"
    );
    assert_eq!(
        next_owner(Some(ann), bob, &[ann, cy]),
        None,
        "not the owner"
    );
    assert_eq!(next_owner(None, bob, &[ann, cy]), None, "nobody owns it");
}

#[test]
fn a_locked_room_keeps_out_the_new_and_the_removed_always() {
    let code = RoomCode::parse_private("K7QX").expect("code");
    assert_eq!(may_enter(&code, false, false, false), Ok(()));
    assert_eq!(may_enter(&code, true, true, false), Ok(()), "a member");
    assert_eq!(
        may_enter(&code, false, true, false),
        Err(ChatError::Locked(code.clone()))
    );
    assert_eq!(may_enter(&code, true, false, true), Err(ChatError::Removed));
}

#[test]
fn read_only_and_slow_mode_refuse_posts_with_their_wait() {
    assert_eq!(may_post(1_000, None, None, None), Ok(()));
    assert_eq!(
        may_post(1_000, Some(61_000), None, None),
        Err(ChatError::ReadOnly(from_ms(61_000)))
    );
    assert_eq!(may_post(61_000, Some(61_000), None, None), Ok(()), "over");
    assert_eq!(
        may_post(10_000, None, Some(30_000), Some(5_000)),
        Err(ChatError::TooFast(Duration::from_secs(25)))
    );
    assert_eq!(may_post(35_000, None, Some(30_000), Some(5_000)), Ok(()));
    assert_eq!(may_post(10_000, None, Some(30_000), None), Ok(()), "first");
}

#[test]
fn a_ban_holds_until_its_time() {
    assert_eq!(may_act(1_000, None), Ok(()));
    assert_eq!(
        may_act(1_000, Some(2_000)),
        Err(ChatError::Banned(from_ms(2_000)))
    );
    assert_eq!(may_act(2_000, Some(2_000)), Ok(()));
}

/// Its author may delete a message for 5 minutes (to the second), nobody
/// else ever; a moderator any time; what stands in its place keeps the
/// message's place among the items after it.
#[test]
fn a_message_is_its_authors_to_delete_for_five_minutes_and_a_moderators_always() {
    let (ann, bob) = (MemberId::random(), MemberId::random());
    let at = datetime!(2026-12-03 07:46 UTC);
    let by_ann = Deleter::Author(ann);
    assert_eq!(may_delete(ann, at, by_ann, at), Ok(()));
    assert_eq!(may_delete(ann, at, by_ann, at + DELETE_WITHIN), Ok(()));
    let late = at + DELETE_WITHIN + Duration::from_secs(1);
    assert_eq!(
        may_delete(ann, at, by_ann, late),
        Err(ChatError::TooLateToDelete)
    );
    assert_eq!(
        may_delete(ann, at, Deleter::Author(bob), at),
        Err(ChatError::NotYours)
    );
    let years = at + Duration::from_secs(3 * 365 * 86_400);
    assert_eq!(may_delete(ann, at, Deleter::Moderator, years), Ok(()));

    let frank = author("Frank");
    let deleted = Event::Deleted {
        author: frank.clone(),
        at,
        moderator: false,
    };
    let next = said(&frank, at + Duration::from_secs(60));
    assert_eq!(
        place(Some(&Tail::of(&deleted)), &next),
        place(Some(&Tail::of(&said(&frank, at))), &next),
        "the next message groups under a deleted one as under the message"
    );
}
