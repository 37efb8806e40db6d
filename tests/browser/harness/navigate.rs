//! A person finding their way: pages, elements found by label and name,
//! typing, the keyboard's focus, titles.

use super::*;

impl Person {
    pub async fn open(&self, url: &str) {
        self.c
            .goto(url)
            .await
            .must(&format!("{} opens {url}", self.who));
    }

    pub async fn path(&self) -> String {
        self.c
            .current_url()
            .await
            .must("current URL")
            .path()
            .to_owned()
    }

    pub async fn wait_for_path(&self, path: &str) {
        let what = format!("{} is at {path}", self.who);
        eventually(&what, LOAD, move || async move {
            let now = self.path().await;
            if now == path {
                Ok(())
            } else {
                Err(format!("at {now}"))
            }
        })
        .await;
    }

    /// The first element matching `xpath`, waiting for it to appear.
    pub async fn find(&self, xpath: &str) -> Element {
        let what = format!("{} sees {xpath}", self.who);
        eventually(&what, LOAD, move || async move {
            match self.c.find(Locator::XPath(xpath)).await {
                Ok(el) => Ok(el),
                Err(e) => Err(format!(
                    "{e} (page {})",
                    self.c
                        .current_url()
                        .await
                        .map(|u| u.to_string())
                        .unwrap_or_default()
                )),
            }
        })
        .await
    }

    /// The textbox whose `<label>` reads `label`.
    pub async fn textbox(&self, label: &str) -> Element {
        let label_el = self
            .find(&format!(
                "//label[normalize-space()={}]",
                xpath_literal(label)
            ))
            .await;
        let id = label_el
            .attr("for")
            .await
            .must("label's for")
            .unwrap_or_else(|| panic!("the label {label:?} is not tied to a control with `for`"));
        let input = self
            .c
            .find(Locator::Id(&id))
            .await
            .must(&format!("the control labelled {label:?} (#{id})"));
        let tag = input.tag_name().await.must("tag name");
        assert!(
            tag == "input" || tag == "textarea",
            "the control labelled {label:?} is a <{tag}>, not a textbox"
        );
        input
    }

    /// The button whose text reads `name`.
    pub async fn button(&self, name: &str) -> Element {
        self.find(&format!(
            "//button[normalize-space()={}]",
            xpath_literal(name)
        ))
        .await
    }

    pub async fn value(&self, label: &str) -> String {
        let input = self.textbox(label).await;
        input.prop("value").await.must("value").unwrap_or_default()
    }

    pub async fn wait_for_value(&self, label: &str, expected: &str) {
        let what = format!("{}'s {label:?} box holds {expected:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let input = self
                .c
                .find(Locator::XPath(&format!(
                    "//label[normalize-space()={}]",
                    xpath_literal(label)
                )))
                .await;
            let id = match input {
                Ok(label) => label.attr("for").await.ok().flatten().unwrap_or_default(),
                Err(e) => return Err(e.to_string()),
            };
            let value = match self.c.find(Locator::Id(&id)).await {
                Ok(el) => el
                    .prop("value")
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default(),
                Err(e) => return Err(e.to_string()),
            };
            if value == expected {
                Ok(())
            } else {
                Err(format!("value {value:?}"))
            }
        })
        .await;
    }

    /// Replaces the text in the textbox labelled `label`.
    pub async fn fill(&self, label: &str, text: &str) {
        let input = self.textbox(label).await;
        input.clear().await.must(&format!("clear {label:?}"));
        input
            .send_keys(text)
            .await
            .must(&format!("type into {label:?}"));
        let value = input.prop("value").await.must("value").unwrap_or_default();
        assert_eq!(value, text, "{} typed into {label:?}", self.who);
    }

    pub async fn press(&self, name: &str) {
        self.button(name)
            .await
            .click()
            .await
            .must(&format!("{} presses {name:?}", self.who));
    }

    /// Presses `keys` one after the other on the keyboard (WebDriver key
    /// actions), as a person would: into whatever has the focus.
    pub async fn keys(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.c
            .perform_actions(actions)
            .await
            .must(&format!("{} presses keys", self.who));
    }

    pub async fn key(&self, key: Key) {
        self.keys(&[key.into()]).await;
    }

    /// Types `text` key by key.
    pub async fn type_text(&self, text: &str) {
        self.keys(&text.chars().collect::<Vec<_>>()).await;
    }

    /// Ctrl+A, then `text`: replaces what the focused box holds.
    pub async fn type_over(&self, text: &str) {
        let ctrl: char = Key::Control.into();
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: ctrl })
            .then(KeyAction::Down { value: 'a' })
            .then(KeyAction::Up { value: 'a' })
            .then(KeyAction::Up { value: ctrl });
        self.c.perform_actions(actions).await.must("Ctrl+A");
        self.type_text(text).await;
    }

    /// What has the keyboard focus: `#id`, else the tag and its text
    /// (`button:Leave`), or `body` when nothing does.
    pub async fn focused(&self) -> String {
        let js = "const e = document.activeElement;
            if (!e || e === document.body || e === document.documentElement) return 'body';
            if (e.id) return '#' + e.id;
            return e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().replace(/\\s+/g, ' ');";
        self.script(js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the focus is on `target` (as `focused` names it).
    pub async fn wait_for_focus(&self, target: &str) {
        let what = format!("{}'s focus is on {target}", self.who);
        eventually(&what, LOAD, move || async move {
            let now = self.focused().await;
            if now == target {
                Ok(())
            } else {
                Err(format!("focus on {now}"))
            }
        })
        .await;
    }

    /// Presses Tab until the focus is on `target`; fails if it never gets there.
    pub async fn tab_to(&self, target: &str) {
        let mut seen = Vec::new();
        for _ in 0..60 {
            let now = self.focused().await;
            if now == target {
                return;
            }
            seen.push(now);
            self.key(Key::Tab).await;
        }
        panic!(
            "{}: Tab never reached {target}; went through {seen:?}",
            self.who
        );
    }

    /// Marks the document shown now, so that `wait_for_new_page` can tell
    /// when another one has replaced it.
    pub async fn mark_page(&self) {
        self.script("window.__seen = true").await;
    }

    pub async fn wait_for_new_page(&self) {
        let what = format!("{} sees a new page", self.who);
        eventually(&what, LOAD, move || async move {
            match self
                .c
                .execute("return window.__seen === true", vec![])
                .await
            {
                Ok(Value::Bool(false)) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
    }

    /// Tab to `target`, then Enter.
    pub async fn activate(&self, target: &str) {
        self.tab_to(target).await;
        self.key(Key::Enter).await;
    }

    /// From the home page: queues for a stranger and cancels, by keyboard.
    /// The waiting page, and home again, start with the focus at their top.
    pub async fn pair_and_cancel_by_keyboard(&self) {
        self.textbox("Name").await;
        self.activate("#pair").await;
        self.wait_for_path("/pair").await;
        self.find("//h1[normalize-space()='Waiting for a stranger']")
            .await;
        self.wait_for_focus("body").await;
        self.activate("button:Cancel").await;
        self.wait_for_path("/").await;
        self.textbox("Name").await;
        self.wait_for_focus("body").await;
    }

    pub async fn wait_for_title(&self, expected: &str) {
        let what = format!("{}'s tab is titled {expected:?}", self.who);
        eventually(&what, LIVE, move || async move {
            let now = self.c.title().await.map_err(|e| e.to_string())?;
            if now == expected {
                Ok(())
            } else {
                Err(format!("titled {now:?}"))
            }
        })
        .await;
    }

    pub async fn script(&self, js: &str) -> Value {
        self.c
            .execute(js, vec![])
            .await
            .must(&format!("run script {js:?}"))
    }

    pub async fn close(self) {
        self.c
            .close()
            .await
            .must(&format!("close {}'s browser", self.who));
    }
}
