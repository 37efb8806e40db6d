//! A message's own page: who sent it (a link to their page in the room),
//! what it said, when in full, and what the viewer may do with it (**Delete**
//! their own while they may, **Report** and **Ignore {name}** another's), with
//! the way back to the room at the message's place. The log's items carry no
//! buttons; their times lead here.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{Avatar, Who};
use super::layout::{Skip, page};
use crate::chat::{ChatError, ReportReason, RoomCode, Said, Seed};
use crate::{paths, t, th};

/// What the viewer may do with the message, as decided by the handler.
#[derive(Clone, Copy, Debug, Default)]
pub struct Actions {
    /// Their own message, still young enough to delete.
    pub delete: bool,
    /// Someone else's: **Report** (while its text stands) and **Ignore**.
    pub others: bool,
    /// Their own, too old to delete now: the page says why there is no
    /// **Delete**.
    pub late: bool,
}

/// The page of the message `said` in `code`, for a viewer whose avatar is
/// `own` (their stylesheet); `error`: why the last action was refused.
pub fn message_page(
    code: &RoomCode,
    said: &Said,
    own: &Seed,
    actions: Actions,
    error: Option<&str>,
) -> Markup {
    let name = &said.author.name;
    let skip = Skip {
        href: "#main",
        text: t!("message-skip"),
    };
    page(
        &t!("message-from", name = name),
        Some(&paths::own_css(own)),
        Some(skip),
        html! {
            main #main.message-page {
                h1 { (th!("message-from", name = Who(name))) }
                article.said aria-labelledby="said-from" {
                    p.from #said-from {
                        (Avatar(&said.author.seed))
                        a href=(paths::person(code, &said.author.seed)) { (Who(name)) }
                    }
                    @match &said.text {
                        Some(text) => p.text dir="auto" { (super::links::linked(text.as_str(), &[])) },
                        None => p.text.gone { (t!("message-deleted")) },
                    }
                    p.sent { (th!("message-sent", at = html! { (FullTime(said.at)) })) }
                }
                (delete_form(code, said, actions, error))
                @if actions.others {
                    @if said.text.is_some() { (report_form(code, said)) }
                    form.ignore action=(paths::ignore(code, &said.author.seed)) method="post" {
                        input type="hidden" name="ignore" value="on";
                        // One span: a button lays its children out as flex
                        // items, which would drop the space before the name.
                        button.secondary type="submit" { span { (th!("ignore-button", name = Who(name))) } }
                    }
                }
                p.back { a href=(paths::room_at(code, said.id)) { (t!("back-to-room")) } }
            }
        },
    )
}

/// **Delete**, when the viewer may, with the reason a delete was refused:
/// also what answers an htmx post that was refused (`#delete`, in place).
pub fn delete_form(code: &RoomCode, said: &Said, actions: Actions, error: Option<&str>) -> Markup {
    let action = paths::delete_message(code, said.id);
    html! {
        div #delete.delete {
            @if let Some(error) = error {
                p.error role="alert" { (error) }
            } @else if actions.late {
                p.note { (ChatError::TooLateToDelete) "." }
            }
            @if actions.delete {
                form action=(action) method="post" hx-post=(action) hx-target="#delete" hx-swap="outerHTML" {
                    button.danger type="submit" { (t!("message-delete")) }
                }
            }
        }
    }
}

/// **Report**, with the reasons to choose from.
fn report_form(code: &RoomCode, said: &Said) -> Markup {
    html! {
        form.report action=(paths::report(code, said.id)) method="post" {
            fieldset {
                legend { (t!("report-legend")) }
                @for reason in ReportReason::ALL {
                    label.choice {
                        input type="radio" name="reason" value=(reason.value()) required;
                        " " (reason.words())
                    }
                }
            }
            button.secondary type="submit" { (t!("report-button")) }
        }
    }
}

/// A moment in full: "Thursday 3 December 2026, 07:46 UTC", or as the
/// reader's zone and clock say it ("Thursday 3 December 2026, 8:46 AM CET").
struct FullTime(OffsetDateTime);

impl maud::Render for FullTime {
    fn render(&self) -> Markup {
        let at = self.0.to_offset(time::UtcOffset::UTC);
        let machine = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        // On the reader's clock and in their zone ("UTC" when they chose none).
        let look = crate::look::current();
        let (local, zone) = look.local(at);
        let day = crate::i18n::long_date(local.date());
        let time = format!("{} {zone}", look.clock.words(local));
        let words = crate::t!("date-time", date = day, time = time);
        html! { time datetime=(machine) { (words) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Author, EventId, MemberId, MessageText, Name};

    fn said(text: Option<&str>) -> Said {
        Said {
            id: EventId { epoch: 3, seq: 9 },
            author: Author {
                name: Name::parse("Ann", 32).expect("name"),
                seed: Seed::parse("0123456789abcdef").expect("seed"),
            },
            member: MemberId::random(),
            text: text.map(|t| MessageText::parse(t, 2000).expect("text")),
            at: time::macros::datetime!(2026-12-03 07:46 UTC),
            muted: false,
        }
    }

    /// An Arabic reader reads the message's full time in Arabic: weekday,
    /// month and the half of the day, no English word.
    #[test]
    fn the_full_time_reads_in_the_readers_language() {
        use crate::look::{Clock, Lang, Look};
        let code = RoomCode::parse_slug("general").expect("slug");
        let arabic = Look {
            lang: Lang::Ar,
            clock: Clock::H12,
            zone: None,
        };
        let page = crate::look::render_with(&arabic, || {
            message_page(
                &code,
                &said(Some("hi")),
                &Seed::random(),
                Actions::default(),
                None,
            )
        })
        .into_string();
        assert!(page.contains("الخميس 3 ديسمبر 2026، 7:46 ص UTC"), "{page}");
        assert!(
            !page.contains("Thursday") && !page.contains(" AM"),
            "{page}"
        );
    }

    /// Someone else's message offers a report with every reason and an
    /// ignore by name, no delete; the way back leads to the item's place.
    #[test]
    fn another_persons_message_offers_report_and_ignore() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let others = Actions {
            others: true,
            ..Actions::default()
        };
        let page =
            message_page(&code, &said(Some("hi")), &Seed::random(), others, None).into_string();
        assert!(
            page.contains("<title>Message from Ann · livechat</title>"),
            "{page}"
        );
        assert!(page.contains(r#"<a href="/r/general/p/0123456789abcdef"><bdi>Ann</bdi></a>"#));
        assert!(
            page.contains("Thursday 3 December 2026, 07:46 UTC"),
            "{page}"
        );
        assert!(page.contains(r#"action="/r/general/m/3-9/report""#));
        for reason in ReportReason::ALL {
            assert!(page.contains(&format!(r#"value="{}""#, reason.value())));
        }
        assert!(page.contains(
            r#"<button class="secondary" type="submit"><span>Ignore <bdi>Ann</bdi></span></button>"#
        ));
        assert!(page.contains(r#"<input type="hidden" name="ignore" value="on">"#));
        assert!(!page.contains(">Delete<"), "{page}");
        assert!(page.contains(r##"<a href="/r/general#e3-9">Back to the room</a>"##));
    }

    /// One's own message offers **Delete** while it may, and nothing to
    /// report or ignore; a deleted one says so and offers nothing.
    #[test]
    fn ones_own_message_offers_delete_only() {
        let code = RoomCode::parse_slug("general").expect("slug");
        let mine = Actions {
            delete: true,
            ..Actions::default()
        };
        let page =
            message_page(&code, &said(Some("hi")), &Seed::random(), mine, None).into_string();
        assert!(
            page.contains(r#"action="/r/general/m/3-9/delete""#),
            "{page}"
        );
        assert!(
            !page.contains("Report") && !page.contains("Ignore"),
            "{page}"
        );
        let gone = message_page(
            &code,
            &said(None),
            &Seed::random(),
            Actions::default(),
            None,
        )
        .into_string();
        assert!(gone.contains("This message was deleted."), "{gone}");
        assert!(!gone.contains("<form"), "{gone}");
        let late = Actions {
            late: true,
            ..Actions::default()
        };
        let late =
            message_page(&code, &said(Some("hi")), &Seed::random(), late, None).into_string();
        assert!(
            late.contains(r#"<p class="note">A message can be deleted only in the first 5 minutes after it was sent.</p>"#),
            "{late}"
        );
        assert!(!late.contains("<form"), "{late}");
    }
}
