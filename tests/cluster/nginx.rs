//! The README's nginx set-up in front of two servers is one site.

use super::*;

#[tokio::test]
async fn through_nginx_as_the_readme_sets_it_up_two_servers_are_one_site() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let Some(site) = Nginx::start(&c.nodes).await else {
        return;
    };
    let (ann, mut anns) = member(&site, "Ann", "general").await;
    let (bob, mut bobs) = member(&site, "Bob", "general").await;
    anns.until("Bob joined").await;
    ann.say(&site, "general", "through nginx").await;
    bobs.until(">through nginx<").await;
    // A browser that sends only `Origin` is let in too: `Host` is passed on.
    let res = bob
        .http
        .post(site.url("/r/general/messages"))
        .header("origin", site.origin())
        .header("hx-request", "true")
        .form(&[("text", "and back")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    anns.until(">and back<").await;
    // The no-JavaScript log document streams through it as well.
    let (_, mut doc) = Growing::open(&bob.http, &site.url("/r/general/log")).await;
    ann.say(&site, "general", "into the frame").await;
    doc.until(">into the frame<").await;
    let page = get_text(&ann.http, &site.url("/r/general")).await;
    let share = format!(r#"value="{}/r/general""#, site.origin());
    assert!(
        page.contains(&share),
        "the share link names the site: {page}"
    );
    // Strangers meet through it, the no-JavaScript waiting document too.
    let cy = queue_for_stranger(&site, "Cy").await;
    let (_, mut cy_waits) = Growing::open(&cy, &site.url("/pair/wait")).await;
    let dee = queue_for_stranger(&site, "Dee").await;
    let (_, mut dee_waits) = Sse::open(&dee, &site.url("/pair/events"), None).await;
    let link = cy_waits.until("</a>").await;
    let heard = dee_waits.until("A stranger is here").await;
    let room = room_in(&heard.last().expect("the match").data);
    assert!(link.contains(&format!(r#"href="{room}""#)), "{link}");
    let spread = site.access_log();
    for node in &c.nodes {
        assert!(
            spread.contains(&node.addr.to_string()),
            "none to {}: {spread}",
            node.addr
        );
    }
}
