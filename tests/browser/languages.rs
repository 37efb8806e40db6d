//! A room in Arabic, right to left: the layout mirrors (the Online list on
//! the left, the Message box starting on the right), axe finds nothing in
//! the light and the dark, and nothing scrolls sideways at 320 px, with
//! JavaScript and without.

use axum_extra::extract::cookie::SameSite;
use fantoccini::cookies::Cookie;
use fantoccini::key::Key;
use serde_json::Value;

use super::harness::*;
use crate::common::TestServer;

/// Chooses Arabic for `person` on the site it is on (the `l` setting).
async fn choose_arabic(person: &Person) {
    let mut cookie = Cookie::new("settings", "l=ar");
    cookie.set_domain("127.0.0.1");
    cookie.set_path("/");
    cookie.set_same_site(Some(SameSite::Lax));
    person
        .c
        .add_cookie(cookie)
        .await
        .must("set the settings cookie");
}

/// The home page in Arabic, a name (and a room code), and a press on `button`.
async fn start_in_arabic(
    person: &Person,
    server: &TestServer,
    name: &str,
    code: Option<&str>,
    button: &str,
) {
    person.open(&server.url("/")).await;
    choose_arabic(person).await;
    person.open(&server.url("/")).await;
    person.fill("الاسم", name).await;
    if let Some(code) = code {
        person.fill("رمز الغرفة", code).await;
    }
    person.press(button).await;
}

/// Sends `text` from the Message box, found by its Arabic label.
async fn send_in_arabic(person: &Person, text: &str) {
    let input = person.textbox("الرسالة").await;
    input.send_keys(text).await.must("type a message");
    input.send_keys(&Key::Enter).await.must("press Enter");
}

/// Where the room page's parts stand, measured by the browser.
const LAYOUT: &str = "const at = s => document.querySelector(s).getBoundingClientRect();
    const html = document.documentElement;
    return {
      lang: html.lang, dir: html.dir, direction: getComputedStyle(document.body).direction,
      chat: at('section.chat').left, side: at('aside.side').left,
      box: at('#message').right, send: at('#send button[type=submit]').right,
      heading: document.querySelector('#online-h').textContent,
    };";

/// The first of someone else's messages: its avatar and its bubble.
const BUBBLE: &str = "const item = document.querySelector('li.msg');
    return item ? [item.querySelector('.avatar').getBoundingClientRect().left,
                   item.querySelector('.msg-body').getBoundingClientRect().left] : null;";

fn number(layout: &Value, key: &str) -> f64 {
    layout[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} measured: {layout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_in_arabic_mirrors_and_is_accessible() {
    let Some(Stage { server, mut driver }) = stage().await else {
        return;
    };
    let bob = driver.person("Bob", Js::On).await;
    for js in [Js::On, Js::Off] {
        for (switches, theme) in [(&[][..], "light"), (DARK, "dark")] {
            let state = format!("a room in Arabic, {theme}, JavaScript {js:?}");
            let ann = driver.person_with("Ann", js, switches).await;
            ann.set_viewport(1280, 900).await;
            // Both in Arabic, so that the notices their joins make are too.
            start_in_arabic(&ann, &server, "عمر", None, "أنشئ غرفة خاصة").await;
            let room = ann.wait_for_room().await;
            let code = room.trim_start_matches("/r/").to_owned();
            start_in_arabic(&bob, &server, "Bob", Some(&code), "انضم").await;
            bob.wait_for_path(&room).await;
            send_in_arabic(&bob, "مرحبًا! هل هذا نادي الكتاب؟").await;
            ann.wait_for_page_log(js, "نادي الكتاب").await;
            if js == Js::On {
                send_in_arabic(&ann, "نعم، نقرأ «بيرانيزي» هذا الشهر.").await;
                ann.wait_for_log("بيرانيزي").await;
                eventually("Bob in the Online list", LIVE, || async {
                    let list = ann
                        .script("return document.querySelector('#online').textContent")
                        .await;
                    let list = list.as_str().unwrap_or_default().to_owned();
                    if list.contains("Bob") && list.contains("عمر") {
                        Ok(())
                    } else {
                        Err(list)
                    }
                })
                .await;
            }
            ann.script("document.activeElement.blur()").await;

            let layout = ann.script(LAYOUT).await;
            assert_eq!(layout["lang"], "ar", "{state}: {layout}");
            assert_eq!(layout["dir"], "rtl", "{state}: {layout}");
            assert_eq!(layout["direction"], "rtl", "{state}: {layout}");
            assert_eq!(layout["heading"], "المتصلون", "{state}: {layout}");
            assert!(
                number(&layout, "side") < number(&layout, "chat"),
                "{state}: the Online list stands left of the chat: {layout}"
            );
            assert!(
                number(&layout, "box") > number(&layout, "send"),
                "{state}: the Message box starts on the right, Send after it: {layout}"
            );
            if js == Js::On {
                let bubble = ann.script(BUBBLE).await;
                let (avatar, body) = (bubble[0].as_f64(), bubble[1].as_f64());
                assert!(
                    avatar > body,
                    "{state}: an avatar stands at the right of its message: {bubble}"
                );
                if theme == "light" {
                    // A page load: the whole page rendered for this reader.
                    ann.open(&server.url(&room)).await;
                    ann.wait_for_log("بيرانيزي").await;
                    ann.script("document.activeElement.blur()").await;
                    eventually("the fade-ins are over", LIVE, || async {
                        let running = ann
                            .script("return document.getAnimations().filter(a => a.timeline === document.timeline && a.playState === 'running').length")
                            .await;
                        if running == 0 { Ok(()) } else { Err(running.to_string()) }
                    })
                    .await;
                    ann.screenshot("room-arabic.png", (1280, 900)).await;
                }
            }
            assert_no_axe_violations(&ann.c, &state).await;

            ann.set_viewport(320, 640).await;
            ann.assert_no_sideways_scrolling(&format!("{state}, at 320 px"))
                .await;
            assert_no_axe_violations(&ann.c, &format!("{state}, at 320 px")).await;
            bob.open(&server.url("/")).await;
            ann.close().await;
        }
    }
    bob.close().await;
    server.shut_down().await;
}
