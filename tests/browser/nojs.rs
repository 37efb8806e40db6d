//! Without JavaScript the room page stays true: its Online list is a
//! document of its own that follows joins and leaves.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::elements::Element;

use super::harness::*;

/// The `<iframe>` that holds the Online list without JavaScript.
pub(crate) async fn online_frame(person: &Person) -> Element {
    person
        .find("//iframe[contains(concat(' ', normalize-space(@class), ' '), ' online-frame ')]")
        .await
}

/// The names in the Online lists shown inside `frame`, one `Vec` per list
/// shown (there must be one); back in the page afterwards.
async fn shown_lists(person: &Person, frame: &Element) -> Result<Vec<Vec<String>>, String> {
    frame
        .clone()
        .enter_frame()
        .await
        .map_err(|e| format!("cannot enter the Online iframe: {e}"))?;
    let mut lists = Vec::new();
    // By the computed style: WebDriver's "displayed" counts nothing under
    // the page's <noscript> as shown, though the browser shows it.
    let found = person.c.find_all(Locator::Css("body > *")).await;
    for block in found.map_err(|e| e.to_string())? {
        let display = block
            .css_value("display")
            .await
            .map_err(|e| e.to_string())?;
        if display == "none" {
            continue;
        }
        let Ok(list) = block.find(Locator::Css("ul.online")).await else {
            continue;
        };
        let mut names = Vec::new();
        for item in list
            .find_all(Locator::Css("li"))
            .await
            .map_err(|e| e.to_string())?
        {
            names.push(item.text().await.map_err(|e| e.to_string())?);
        }
        lists.push(names);
    }
    person
        .c
        .enter_parent_frame()
        .await
        .map_err(|e| format!("cannot leave the Online iframe: {e}"))?;
    Ok(lists)
}

/// Waits until `frame` shows one Online list, with `present` and without `absent`.
pub(crate) async fn wait_for_frame_online(
    person: &Person,
    frame: &Element,
    present: &[&str],
    absent: &[&str],
) {
    let lists = |items: &[String], name: &str| {
        items.iter().any(|item| {
            item.trim() == name
                || item.trim().starts_with(&format!("{name}\n"))
                || item.trim().starts_with(&format!("{name} "))
        })
    };
    let what = format!(
        "{}'s Online iframe shows one list, with {present:?} and not {absent:?}",
        person.who
    );
    eventually(&what, Duration::from_secs(15), move || async move {
        let shown = shown_lists(person, frame).await?;
        match shown.as_slice() {
            [items]
                if present.iter().all(|name| lists(items, name))
                    && !absent.iter().any(|name| lists(items, name)) =>
            {
                Ok(())
            }
            _ => Err(format!("{shown:?}")),
        }
    })
    .await;
}

/// Without JavaScript, a person who leaves is gone from the Online list of
/// those who stay, without their reloading: the page's list is an iframe
/// whose document streams the whole list at each change and shows only the
/// newest one; axe finds nothing on the page or in that document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_online_list_follows_a_leave() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let ann = driver.person("Ann", Js::Off).await;
    let bob = driver.person("Bob", Js::Off).await;

    let code = ann.create_room(&server, "Ann").await;
    let frame = online_frame(&ann).await;
    assert!(
        frame
            .is_displayed()
            .await
            .must("is the Online iframe displayed"),
        "with JavaScript off the Online iframe is displayed"
    );
    assert_eq!(
        frame.attr("title").await.must("iframe title").as_deref(),
        Some("Online"),
        "the Online iframe is titled"
    );
    let page_list = ann.find("//ul[@id='online']").await;
    assert_eq!(
        page_list
            .css_value("display")
            .await
            .must("the page list's display"),
        "none",
        "the page's own list, which cannot follow, is hidden without JavaScript"
    );

    bob.join_room(&server, "Bob", &code).await;
    wait_for_frame_online(&ann, &frame, &["Ann", "Bob"], &[]).await;

    bob.press("Leave").await;
    bob.wait_for_path("/").await;
    wait_for_frame_online(&ann, &frame, &["Ann"], &["Bob"]).await;
    assert_eq!(
        ann.path().await,
        format!("/r/{code}"),
        "Ann's page was not reloaded"
    );

    assert_no_axe_violations(&ann.c, "room page with the Online iframe (JavaScript off)").await;
    frame
        .clone()
        .enter_frame()
        .await
        .must("enter the Online iframe");
    assert_no_axe_violations(&ann.c, "Online iframe document (JavaScript off)").await;
    ann.c
        .enter_parent_frame()
        .await
        .must("leave the Online iframe");

    ann.close().await;
    bob.close().await;
    server.shut_down().await;
}
