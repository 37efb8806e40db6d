//! Names are unique in a room, as a person meets it: a name someone in the
//! room already goes by is refused beside the Name box, in words, the typed
//! name still there, with JavaScript and without; axe finds nothing.

use super::*;

/// Waits for the alert that says `typed` is taken, and checks that the
/// Name box still holds it.
async fn told_taken(who: &Person, typed: &str, state: &str) {
    let words = format!("Someone in this room is already called {typed}: pick another name");
    who.find(&format!(
        "//*[@role='alert' and normalize-space()={}]",
        xpath_literal(&words)
    ))
    .await;
    assert_eq!(who.value("Name").await, typed, "{state}: the name stays");
    assert_no_axe_violations(&who.c, state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_someone_in_the_room_has_is_refused_with_the_name_kept() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::On).await;
    let code = ann.create_room(&server, "Ann").await;
    for (who, js) in [("Eve", Js::On), ("Zed", Js::Off)] {
        let guest = driver.person(who, js).await;
        guest.open(&server.url(&format!("/r/{code}"))).await;
        guest.wait_for_path("/").await;
        let join = format!("Join room {code}");
        guest.fill("Name", "ANN").await;
        guest.press(&join).await;
        told_taken(&guest, "ANN", &format!("invite card, {who}")).await;
        guest.fill("Name", who).await;
        guest.press(&join).await;
        guest.wait_for_path(&format!("/r/{code}")).await;
        ann.wait_for_log(&format!("{who} joined")).await;

        // In the room, Change name to Ann's name is refused the same way.
        guest.fill("Name", "ann").await;
        guest.press("Change name").await;
        told_taken(&guest, "ann", &format!("Change name, {who}")).await;
        guest.close().await;
    }
    let log = ann.log_text().await.expect("Ann's log");
    assert!(!log.contains("known as"), "nobody was renamed: {log}");
    ann.close().await;
}
