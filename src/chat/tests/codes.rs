//! Room codes: what a typed code names, where a code leads, the count of
//! wrong codes, and the length of new codes.

use super::*;

async fn codes_resolve_in_any_case_and_unknown_ones_say_what_was_typed(kit: Kit) {
    let chat = kit.store().await;
    let ann = member("Ann");
    let code = chat.create_room(&ann, None).await.expect("create");
    let lower = code.as_str().to_lowercase();
    assert_eq!(chat.resolve(&format!(" {lower} ")).await, Ok(code));
    assert_eq!(chat.resolve("General").await, Ok(general()));
    let err = chat.resolve("ZZZZ").await.expect_err("unknown");
    assert_eq!(err.to_string(), "No room with code ZZZZ");
}

/// A code leads where a person may go, and nowhere else: a missing room and
/// a random-chat room of two others look the same.
async fn a_code_leads_only_where_the_person_may_go(kit: Kit) {
    let chat = kit.store().await;
    let (ann, bob, cy) = (member("Ann"), member("Bob"), member("Cy"));
    let code = chat.create_room(&ann, None).await.expect("create");
    let leads = |code: RoomCode, who: Option<&Member>, access| {
        let (chat, who) = (chat.clone(), who.map(|m| m.id));
        async move { chat.leads(&code, who, access).await.expect("answers") }
    };
    assert!(leads(code.clone(), Some(&ann), Access::Member).await);
    assert!(!leads(code.clone(), Some(&bob), Access::Member).await);
    assert!(!leads(code.clone(), None, Access::Member).await);
    assert!(leads(code.clone(), Some(&bob), Access::Enter).await);
    assert!(leads(code.clone(), None, Access::Enter).await);
    let missing = RoomCode::parse_private("ZZZZZZZZZZZZ").expect("a code");
    for access in [Access::Enter, Access::Member] {
        assert!(!leads(missing.clone(), Some(&ann), access).await);
        assert!(!leads(missing.clone(), None, access).await);
    }
    assert!(leads(general(), None, Access::Enter).await);
    assert!(!leads(general(), Some(&cy), Access::Member).await);
    chat.enter(&general(), &cy).await.expect("enter");
    assert!(leads(general(), Some(&cy), Access::Member).await);
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    for access in [Access::Enter, Access::Member] {
        assert!(leads(pair.clone(), Some(&ann), access).await);
        assert!(leads(pair.clone(), Some(&bob), access).await);
        assert!(!leads(pair.clone(), Some(&cy), access).await, "{access:?}");
        assert!(!leads(pair.clone(), None, access).await, "{access:?}");
    }
}

/// A try at a code counts only when it misses, in the same step as the
/// look-up: many right codes at once never use up the budget, and past the
/// limit every code is refused, a right one too.
async fn a_try_at_a_code_counts_only_misses_and_then_refuses_every_code(kit: Kit) {
    let settings = Settings {
        guesses: rate::Allowance {
            limit: 3,
            window: Duration::from_secs(60),
            max_keys: 100,
        },
        ..kit.settings(200, 50, 1000)
    };
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let (ann, bob, eve) = (member("Ann"), member("Bob"), member("Eve"));
    let code = chat.create_room(&ann, None).await.expect("create");
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    let keys = vec![Key::new("a:192.0.2.1"), Key::new(format!("m:{}", eve.id.0))];
    let try_code = |code: Option<RoomCode>, access| {
        let (chat, keys) = (chat.clone(), keys.clone());
        async move {
            chat.try_code(&keys, code.as_ref(), Some(eve.id), access)
                .await
                .expect("answers")
        }
    };
    let hits = (0..40).map(|n| {
        let access = if n % 2 == 0 {
            Access::Enter
        } else {
            Access::Member
        };
        let code = if n % 2 == 0 { code.clone() } else { general() };
        try_code(Some(code), access)
    });
    chat.enter(&general(), &eve).await.expect("enter");
    let hits = futures_util::future::join_all(hits).await;
    assert!(hits.iter().all(|hit| *hit == Ok(true)), "{hits:?}");
    for _ in 0..10 {
        let outside = chat
            .try_code(&keys, Some(&general()), Some(bob.id), Access::Member)
            .await;
        assert_eq!(
            outside,
            Ok(Ok(false)),
            "not in a public room: no secret, no count"
        );
    }
    let missing = RoomCode::parse_private("ZZZZZZZZZZZ").expect("a code");
    assert_eq!(try_code(Some(pair), Access::Enter).await, Ok(false));
    assert_eq!(try_code(Some(missing), Access::Enter).await, Ok(false));
    assert_eq!(try_code(None, Access::Member).await, Ok(false));
    let Err(wait) = try_code(Some(code.clone()), Access::Enter).await else {
        panic!("a right code is refused too, past the limit")
    };
    assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
    let elsewhere = [Key::new("a:192.0.2.2")];
    assert_eq!(
        chat.try_code(&elsewhere, Some(&code), None, Access::Enter)
            .await,
        Ok(Ok(true)),
        "another address without the member is not slowed"
    );
}

/// New rooms, private and random-chat, get codes as long as configured.
async fn new_codes_are_as_long_as_configured(kit: Kit) {
    let settings = Settings {
        code_length: 9,
        ..kit.settings(200, 50, 1000)
    };
    let chat = kit.make(settings, Arc::new(Plain)).await;
    let (ann, bob) = (member("Ann"), member("Bob"));
    let code = chat.create_room(&ann, None).await.expect("create");
    assert_eq!(code.as_str().len(), 9, "{code}");
    assert_eq!(chat.resolve(&code.as_str().to_lowercase()).await, Ok(code));
    chat.queue(&ann).await.expect("queued");
    let Ok(Pairing::Matched(pair)) = chat.queue(&bob).await else {
        panic!("a pair")
    };
    assert_eq!(pair.as_str().len(), 9, "{pair}");
    assert!(RoomCode::from_path(pair.as_str()).is_some());
}

on_both_stores!(
    codes_resolve_in_any_case_and_unknown_ones_say_what_was_typed,
    a_code_leads_only_where_the_person_may_go,
    a_try_at_a_code_counts_only_misses_and_then_refuses_every_code,
    new_codes_are_as_long_as_configured,
);
