//! The moderator console across servers: a sign-in made on one server holds
//! on another (they share `--secret`), and the sign-in tries of an address
//! are counted over all of them.

use super::*;

const TOKEN: &str = "one moderator token for the whole cluster";

async fn sign_in(http: &reqwest::Client, node: &Node, token: &str) -> u16 {
    post(http, node, "/admin/sign-in")
        .form(&[("token", token)])
        .send()
        .await
        .expect("sign-in")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_sign_in_holds_on_every_server_and_its_tries_are_counted_over_all() {
    let Some(c) = cluster(2, &["--admin-token", TOKEN]).await else {
        return;
    };
    let (a, b) = (c.node(0), c.node(1));
    let moderator = client();
    assert_eq!(sign_in(&moderator, a, TOKEN).await, 303);
    let console = get_text(&moderator, &b.url("/admin")).await;
    assert!(console.contains("Open reports (0)"), "{console}");
    post_see_other(&moderator, b, "/admin/sign-out", &[]).await;
    let signed_out = get_text(&moderator, &a.url("/admin")).await;
    assert!(signed_out.contains(">Sign in</button>"), "{signed_out}");

    let guesser = client();
    for (i, node) in [a, b, a, b, a].into_iter().enumerate() {
        assert_eq!(sign_in(&guesser, node, "wrong").await, 403, "try {i}");
    }
    for node in [a, b] {
        assert_eq!(
            sign_in(&guesser, node, TOKEN).await,
            429,
            "five wrong tries over both servers use up the address's"
        );
    }
}
