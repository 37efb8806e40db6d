//! The settings page, with JavaScript and without: reached from every
//! page, filled in by keyboard, axe clean in light and dark, no sideways
//! scrolling at 320 px; and what it changes: theme and text size on the
//! next page, join and leave notices hidden (live too), times in the chosen
//! zone and clock.

use fantoccini::Locator;
use fantoccini::key::Key;

use super::harness::*;

/// What the page wears: `<html>`'s classes, the body's background and the
/// root's font size.
const LOOKS: &str = "return [document.documentElement.className,
    getComputedStyle(document.body).backgroundColor,
    getComputedStyle(document.documentElement).fontSize];";

/// The log items holding `text` (in this document), each as
/// [its classes, its display, its time's text, its time's title].
const ITEMS: &str = "const [text] = arguments; const out = [];
    for (const li of document.querySelectorAll('li[id^=e]')) {
      if (!li.textContent.includes(text)) continue;
      const t = li.querySelector('time');
      out.push([li.className, getComputedStyle(li).display, t ? t.textContent : '', t ? t.title : '']);
    }
    return out;";

impl Person {
    /// From the page shown: **Settings** by keyboard, every choice by
    /// keyboard but the zone (a list of hundreds), then **Save settings**.
    async fn choose_settings(&self, js: Js) {
        self.activate("a:Settings").await;
        self.find("//h1[normalize-space()='Settings']").await;
        let zone = self.find("//select[@id='zone']").await;
        zone.select_by_value("Europe/Paris")
            .await
            .must("choose Europe/Paris");
        // A radio group takes the focus on its chosen button; the arrows
        // move the choice.
        for (first, downs) in [
            ("#clock-auto", 2),
            ("#notices-shown", 1),
            ("#size-normal", 2),
            ("#theme-system", 2),
        ] {
            self.tab_to(first).await;
            for _ in 0..downs {
                self.key(Key::Down).await;
            }
        }
        if js == Js::Off {
            self.mark_page().await;
        }
        self.activate("button:Save settings").await;
        if js == Js::Off {
            self.wait_for_new_page().await;
        } else {
            self.find("//p[@role='status'][normalize-space()='Settings saved']")
                .await;
        }
    }

    async fn items(&self, text: &str) -> Vec<Vec<String>> {
        let found = self
            .c
            .execute(ITEMS, vec![serde_json::json!(text)])
            .await
            .must("the items");
        serde_json::from_value(found).unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_chosen_by_keyboard_and_change_the_next_pages_and_live_items() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    for js in [Js::On, Js::Off] {
        let how = format!("JavaScript {}", if js == Js::On { "on" } else { "off" });
        let ann = driver.person("Ann", js).await;
        let bob = driver.person("Bob", js).await;
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        ann.activate("a:Settings").await;
        ann.find("//h1[normalize-space()='Settings']").await;
        assert_no_axe_violations(&ann.c, &format!("settings page, light ({how})")).await;
        ann.set_viewport(320, 640).await;
        ann.assert_no_sideways_scrolling(&format!("settings page at 320 px ({how})"))
            .await;
        ann.set_viewport(1280, 900).await;
        if js == Js::On {
            ann.screenshot("settings.png", (1280, 900)).await;
        }
        ann.open(&server.url("/")).await;
        ann.textbox("Name").await;
        ann.choose_settings(js).await;
        if js == Js::Off {
            ann.wait_for_path("/").await;
        } else {
            assert_no_axe_violations(&ann.c, &format!("settings saved ({how})")).await;
            ann.open(&server.url("/")).await;
        }
        ann.textbox("Name").await;
        let looks = ann.script(LOOKS).await;
        assert_eq!(
            looks,
            serde_json::json!([
                "theme-dark text-larger no-notices",
                "rgb(18, 20, 25)",
                "20px"
            ]),
            "the next page is dark and larger ({how})"
        );
        assert_no_axe_violations(&ann.c, &format!("home page, dark by choice ({how})")).await;
        ann.set_viewport(320, 640).await;
        ann.assert_no_sideways_scrolling(&format!("home page larger at 320 px ({how})"))
            .await;
        ann.set_viewport(1280, 900).await;

        let code = ann.create_room(&server, "Ann").await;
        let room = format!("/r/{code}");
        bob.join_room(&server, "Bob", &code).await;
        bob.send_and_see(js, &room, "hello from Bob").await;
        ann.wait_for_page_log(js, "hello from Bob").await;
        if js == Js::Off {
            ann.log_frame()
                .await
                .enter_frame()
                .await
                .must("enter the log iframe");
        }
        // Bob's join came live (or in the document as it grew): there,
        // marked, and hidden; the message in Paris on a 12-hour clock.
        let joined = ann.items("Bob joined").await;
        assert!(
            joined
                .iter()
                .any(|item| item[0] == "notice presence" && item[1] == "none"),
            "{joined:?} ({how})"
        );
        let said = ann.items("hello from Bob").await;
        let [_, display, time, title] = &said[..].first().cloned().unwrap_or_default()[..] else {
            panic!("no item: {said:?}");
        };
        assert_ne!(display, "none");
        assert!(
            time.ends_with(" AM") || time.ends_with(" PM"),
            "{time} ({how})"
        );
        assert!(
            title.ends_with(" CET") || title.ends_with(" CEST"),
            "{title} ({how})"
        );
        if js == Js::Off {
            assert_eq!(
                ann.script(LOOKS).await[0],
                serde_json::json!("theme-dark text-larger no-notices"),
                "the log document wears the same classes"
            );
            ann.c
                .enter_parent_frame()
                .await
                .must("leave the log iframe");
        }
        assert_no_axe_violations(&ann.c, &format!("room, dark by choice ({how})")).await;
        ann.set_viewport(320, 640).await;
        ann.assert_no_sideways_scrolling(&format!("room, larger text at 320 px ({how})"))
            .await;
        ann.set_viewport(1280, 900).await;

        // Bob chose nothing: UTC, said so, and the notices shown.
        if js == Js::Off {
            bob.log_frame()
                .await
                .enter_frame()
                .await
                .must("enter Bob's log");
        }
        let said = bob.items("hello from Bob").await;
        assert!(
            said.first().is_some_and(|item| item[3].ends_with(" UTC")),
            "{said:?}"
        );
        let joined = bob.items("Bob joined").await;
        assert!(joined.iter().all(|item| item[1] != "none"), "{joined:?}");
        if js == Js::Off {
            bob.c.enter_parent_frame().await.must("leave Bob's log");
        }
        ann.close().await;
        bob.close().await;
    }
    server.shut_down().await;
}

/// In the dark (the system's), the settings page is axe clean too, and a
/// forced light theme wins over the system's dark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_page_is_axe_clean_in_the_dark_and_light_wins_when_chosen() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    for js in [Js::On, Js::Off] {
        let ann = driver.person_with("Ann", js, DARK).await;
        ann.open(&server.url("/settings")).await;
        ann.find("//h1[normalize-space()='Settings']").await;
        let looks = ann.script(LOOKS).await;
        assert_eq!(looks[1], serde_json::json!("rgb(18, 20, 25)"), "{looks}");
        assert_no_axe_violations(&ann.c, &format!("settings page, dark ({js:?})")).await;
        let light = ann.c.find(Locator::Css("#theme-light")).await.must("Light");
        light.click().await.must("choose Light");
        if js == Js::Off {
            ann.mark_page().await;
        }
        ann.press("Save settings").await;
        if js == Js::Off {
            ann.wait_for_new_page().await;
        } else {
            ann.find("//p[@role='status'][normalize-space()='Settings saved']")
                .await;
        }
        ann.open(&server.url("/settings")).await;
        ann.find("//h1[normalize-space()='Settings']").await;
        let looks = ann.script(LOOKS).await;
        assert_eq!(
            looks,
            serde_json::json!(["theme-light", "rgb(245, 246, 248)", "16px"]),
            "light, though the system is dark"
        );
        assert_no_axe_violations(
            &ann.c,
            &format!("settings page, light by choice in a dark system ({js:?})"),
        )
        .await;
        ann.close().await;
    }
    server.shut_down().await;
}
