//! A person chatting: making, joining and queueing for rooms, sending, and
//! waiting for the log, notices and the Online list.

use super::*;

impl Person {
    /// Home page, name, "Create private room": the code of the new room.
    pub async fn create_room(&self, server: &TestServer, name: &str) -> String {
        self.open(&server.url("/")).await;
        let suggested = self.value("Name").await;
        assert!(
            !suggested.trim().is_empty(),
            "the Name box is prefilled with a suggestion"
        );
        self.fill("Name", name).await;
        self.press("Create private room").await;
        let what = format!("{} lands in a new room", self.who);
        let code = eventually(&what, LOAD, move || async move {
            let path = self.path().await;
            match path.strip_prefix("/r/") {
                Some(code) if code.chars().count() == 4 => Ok(code.to_owned()),
                _ => Err(format!("at {path}")),
            }
        })
        .await;
        let shown = self
            .find("//strong[contains(concat(' ', normalize-space(@class), ' '), ' code ')]")
            .await;
        let shown = shown.text().await.must("the code on the page");
        assert_eq!(shown.trim(), code, "the room page shows the room's code");
        self.log_text()
            .await
            .unwrap_or_else(|e| panic!("{}'s room page has a role=log element: {e}", self.who));
        code
    }

    /// Home page, name, "Chat with a random stranger": waiting at `/pair`,
    /// or already in a room when a stranger was waiting.
    pub async fn queue_for_stranger(&self, server: &TestServer, name: &str) {
        self.open(&server.url("/")).await;
        self.fill("Name", name).await;
        self.press("Chat with a random stranger").await;
        let what = format!("{} waits or is paired", self.who);
        eventually(&what, LOAD, move || async move {
            let path = self.path().await;
            if path == "/pair" || path.starts_with("/r/") {
                Ok(())
            } else {
                Err(format!("at {path}"))
            }
        })
        .await;
    }

    /// The room a paired person lands in, once their page has moved there.
    pub async fn wait_for_room(&self) -> String {
        let what = format!("{} moves to a room", self.who);
        eventually(&what, LIVE, move || async move {
            let path = self.path().await;
            if path.starts_with("/r/") {
                Ok(path)
            } else {
                Err(format!("at {path}"))
            }
        })
        .await
    }

    /// Home page, name, code, "Join".
    pub async fn join_room(&self, server: &TestServer, name: &str, code: &str) {
        self.open(&server.url("/")).await;
        self.fill("Name", name).await;
        self.fill("Room code", code).await;
        self.press("Join").await;
        self.wait_for_path(&format!("/r/{code}")).await;
    }

    /// Waits until the page's "Live updates are not connected" notice is
    /// shown (`true`: visible, with a size) or not shown (`false`).
    pub async fn wait_for_notice(&self, shown: bool) {
        let what = format!(
            "{}'s page {} that live updates are not connected",
            self.who,
            if shown { "says" } else { "does not say" }
        );
        eventually(&what, LOAD, move || async move {
            let seen = self
                .script(
                    "const n = document.querySelector('#stream-status .not-live');\
                     if (!n) return false;\
                     const box = n.getBoundingClientRect();\
                     return getComputedStyle(n).visibility === 'visible'\
                       && getComputedStyle(n).display !== 'none' && box.height > 0;",
                )
                .await;
            if seen == json!(shown) {
                Ok(())
            } else {
                Err(format!("shown: {seen}"))
            }
        })
        .await;
    }

    /// Types `text` into the Message box and sends it.
    pub async fn send(&self, text: &str, how: Submit) {
        let input = self.textbox("Message").await;
        input.send_keys(text).await.must("type a message");
        match how {
            Submit::Enter => input.send_keys(&Key::Enter).await.must("press Enter"),
            Submit::Button => self.press("Send").await,
        }
    }

    /// The text of the page's log (the element with `role="log"`).
    pub async fn log_text(&self) -> Result<String, String> {
        let log = self
            .c
            .find(Locator::XPath("//*[@role='log']"))
            .await
            .map_err(|e| format!("no role=log: {e}"))?;
        log.text().await.map_err(|e| e.to_string())
    }

    pub async fn wait_for_log(&self, needle: &str) -> String {
        let what = format!("{}'s log shows {needle:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let text = self.log_text().await?;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(text)
            }
        })
        .await
    }

    /// The `<iframe>` that holds the log without JavaScript.
    pub async fn log_frame(&self) -> Element {
        self.find("//iframe[contains(concat(' ', normalize-space(@class), ' '), ' log-frame ')]")
            .await
    }

    /// The log's text inside `frame`; back in the page afterwards.
    pub async fn frame_log_text(&self, frame: &Element) -> Result<String, String> {
        frame
            .enter_frame()
            .await
            .map_err(|e| format!("cannot enter the log iframe: {e}"))?;
        let text = self.log_text().await;
        self.c
            .enter_parent_frame()
            .await
            .map_err(|e| format!("cannot leave the log iframe: {e}"))?;
        text
    }

    pub async fn wait_for_frame_log(&self, frame: &Element, needle: &str) -> String {
        let what = format!("{}'s log iframe shows {needle:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let text = self.frame_log_text(frame).await?;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(text)
            }
        })
        .await
    }

    /// Waits until the page's log shows `needle`: the `role="log"` element
    /// with JavaScript, else the log `<iframe>`, found anew at each look (a
    /// form sent without JavaScript loads a new page, with a new iframe).
    pub async fn wait_for_page_log(&self, js: Js, needle: &str) {
        if js == Js::On {
            self.wait_for_log(needle).await;
            return;
        }
        let what = format!("{}'s log iframe shows {needle:?}", self.who);
        let frame_path =
            "//iframe[contains(concat(' ', normalize-space(@class), ' '), ' log-frame ')]";
        eventually(&what, LIVE, move || async move {
            let frame = self
                .c
                .find(Locator::XPath(frame_path))
                .await
                .map_err(|e| e.to_string())?;
            let text = self.frame_log_text(&frame).await?;
            if text.contains(needle) {
                Ok(())
            } else {
                Err(text)
            }
        })
        .await;
    }

    /// Sends `text` with the Send button and waits until the log shows it,
    /// back in `room` (without JavaScript: on the new page the form led to).
    pub async fn send_and_see(&self, js: Js, room: &str, text: &str) {
        self.fill("Message", text).await;
        if js == Js::Off {
            self.mark_page().await;
        }
        self.press("Send").await;
        if js == Js::Off {
            self.wait_for_new_page().await;
        }
        self.wait_for_path(room).await;
        self.wait_for_page_log(js, text).await;
    }

    /// The list labelled by the heading "Online".
    pub async fn online_list(&self) -> Result<Element, String> {
        let heading = self
            .c
            .find(Locator::XPath(
                "//*[self::h1 or self::h2 or self::h3 or self::h4][normalize-space()='Online']",
            ))
            .await
            .map_err(|e| format!("no heading 'Online': {e}"))?;
        let id = heading
            .attr("id")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the heading 'Online' has no id")?;
        self.c
            .find(Locator::XPath(&format!(
                "//*[@aria-labelledby={}]",
                xpath_literal(&id)
            )))
            .await
            .map_err(|e| format!("nothing is labelled by the 'Online' heading: {e}"))
    }

    /// The names in the Online list.
    pub async fn online(&self) -> Result<Vec<String>, String> {
        let list = self.online_list().await?;
        let mut names = Vec::new();
        for item in list
            .find_all(Locator::Css("li"))
            .await
            .map_err(|e| e.to_string())?
        {
            names.push(
                item.text()
                    .await
                    .map_err(|e| e.to_string())?
                    .trim()
                    .to_owned(),
            );
        }
        Ok(names)
    }

    pub async fn wait_for_online(&self, present: &[&str], absent: &[&str]) {
        // An item is "Ann", or "Ann" followed by a marker such as "(you)".
        let lists = |items: &[String], name: &str| {
            items.iter().any(|item| {
                item == name
                    || item.starts_with(&format!("{name} "))
                    || item.starts_with(&format!("{name}\n"))
            })
        };
        let what = format!(
            "{}'s Online list has {present:?} and not {absent:?}",
            self.who
        );
        eventually(&what, LIVE, move || async move {
            let items = self.online().await?;
            let ok = present.iter().all(|name| lists(&items, name))
                && !absent.iter().any(|name| lists(&items, name));
            if ok {
                Ok(())
            } else {
                Err(format!("{items:?}"))
            }
        })
        .await;
    }
}
