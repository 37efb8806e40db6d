//! `POST /r/{code}/m/{id}/report`: a member reports a message of the room to
//! the moderators, with one of the reasons a message's page offers. The
//! report keeps the message as it is kept (text, author, time), the room,
//! the reason, when, and both sessions (kept on the server, never shown).
//! Counted per member and per client address; reporting a message again
//! counts once.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use time::OffsetDateTime;

use super::client::{ClientAddr, take_counted};
use super::door::{self, Knock};
use super::session::Session;
use super::shape::Shape;
use crate::AppState;
use crate::chat::{Access, ChatError, EventId, NewReport, ReportReason, RoomCode};
use crate::error::{AppError, Refused};
use crate::paths;

/// What the reporter is told once the report is kept (or was kept before).
pub fn sent() -> String {
    crate::t!("report-sent")
}

/// What a report without one of the reasons is told.
pub fn no_reason() -> String {
    crate::t!("report-no-reason")
}

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
}

/// The words of a report's answer, as the reporter's page shows them.
pub fn sent_status() -> Markup {
    html! { p #report-status.status role="status" { (sent()) } }
}

/// `POST /r/{code}/m/{id}/report`
pub async fn post_report(
    State(app): State<AppState>,
    shape: Shape,
    session: Session,
    client: ClientAddr,
    Path((segment, id)): Path<(String, String)>,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    let knock = Knock::of(client, &session);
    let code = door::pass(&app, knock, RoomCode::from_path(&segment), Access::Member).await?;
    let me = session.member.ok_or(AppError::NotFound)?;
    let id: EventId = id.parse().map_err(|()| AppError::NotFound)?;
    let Some(reason) = ReportReason::parse(form.reason.trim()) else {
        return Err(Refused::invalid(no_reason()).into());
    };
    let said = app
        .chat
        .message(&code, id)
        .await?
        .filter(|said| said.shown_to(me.id))
        .ok_or(AppError::NotFound)?;
    let member = match app.member_reports.take(&me.id.0.simple().to_string()).await {
        Ok(attempt) => attempt,
        Err(wait) => return Err(ChatError::TooManyReports(wait).into()),
    };
    let address = match take_counted(&*app.address_reports, &*app.network_reports, client).await {
        Ok(attempt) => attempt,
        Err(wait) => {
            member.forgive();
            return Err(ChatError::ReportsFromAddress(wait).into());
        }
    };
    let report = NewReport {
        code: code.clone(),
        message: said,
        reason,
        reporter: me.id,
        at: OffsetDateTime::now_utc(),
    };
    match app.chat.report(report).await {
        Ok(Some(_)) => {
            member.keep();
            address.keep();
            tracing::info!(room = %crate::logs::RoomTag(code.as_str()), reason = reason.value(), "message reported");
        }
        // Reported before by this member: counted once, and told the same.
        Ok(None) => {
            member.forgive();
            address.forgive();
        }
        Err(why) => {
            member.forgive();
            address.forgive();
            return Err(why.into());
        }
    }
    Ok(if shape.is_htmx() {
        sent_status().into_response()
    } else {
        shape.redirect(&paths::room_reported(&code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_of_the_form_is_read_back() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.value()), Some(reason));
        }
        assert_eq!(ReportReason::parse("SPAM"), None);
        assert_eq!(ReportReason::parse(""), None);
    }
}
