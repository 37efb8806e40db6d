//! Why a request cannot be served as asked, and the one mapping from the
//! chat's refusals to what the site answers: status, words and how long to
//! wait. Every handler, form, page and stream takes its answer from here, so
//! the same refusal reads the same everywhere. Rendering the answer as a page
//! or a fragment is `http::errors`'s job; this module knows no HTTP layer and
//! no views.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::chat::{ChatError, Waiting, whole_seconds};
use crate::t;

/// How long to come back after when the shared store is out of reach: its
/// words say "in a few seconds".
const UNAVAILABLE_RETRY: u64 = 5;

/// How long to come back after when a pool of the whole site (rooms, a
/// room's members, the stranger queue) is full: their words say "later" or
/// "in a minute".
const FULL_RETRY: u64 = 60;

/// A refusal as the site answers it, whichever handler meets it:
///
/// - `404`: no such room, or not a member of it (one answer for every miss,
///   as the code door gives: it must not tell which);
/// - `403`: not allowed to this person: an owner's action by anyone else,
///   a member the owner removed, a locked room to someone new, a ban, a
///   read-only room (the words say until when);
/// - `409`: a name someone else in the room already goes by (the name is
///   fine; the room has it);
/// - `429`: what one person or address did too often (with `Retry-After`,
///   the wait its words say) or holds too much of (private rooms held);
/// - `503`: the site cannot take more just now: a full pool (rooms, a room,
///   the stranger queue) or the store out of reach, with `Retry-After`; or
///   the caps on open pages, which free when a page is closed, without.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub status: StatusCode,
    /// The heading of an error page.
    pub title: String,
    /// What people read: a form's alert, a page's explanation, a stream's
    /// last words.
    pub words: String,
    /// Seconds to wait before trying again, when known.
    pub retry_after: Option<u64>,
    /// The wait in parts, when this is one, so that a page that never
    /// changes by itself can say until when rather than how long.
    pub waiting: Option<Waiting>,
}

impl From<&ChatError> for Refused {
    fn from(why: &ChatError) -> Self {
        let words = why.to_string();
        match why {
            ChatError::NoSuchRoom(_) | ChatError::NotMember | ChatError::NoSuchMessage => {
                Self::missed(words)
            }
            ChatError::NotYours | ChatError::TooLateToDelete => Self {
                status: StatusCode::FORBIDDEN,
                title: t!("refused-title-not-yours"),
                words,
                retry_after: None,
                waiting: None,
            },
            ChatError::TooFast(wait)
            | ChatError::SessionsFromAddress(wait)
            | ChatError::MessagesFromAddress(wait)
            | ChatError::RoomsFromAddress(wait)
            | ChatError::PairsFromAddress(wait)
            | ChatError::TooManyReports(wait)
            | ChatError::ReportsFromAddress(wait)
            | ChatError::SignInsFromAddress(wait)
            | ChatError::TypingTooOften(wait) => match why.waiting() {
                Some(waiting) => Self::waiting(waiting),
                None => Self::wait(words, *wait),
            },
            ChatError::RoomsHeld => Self {
                status: StatusCode::TOO_MANY_REQUESTS,
                title: t!("refused-title-slow-down"),
                words,
                retry_after: None,
                waiting: None,
            },
            ChatError::Full | ChatError::RoomFull | ChatError::QueueFull => Self {
                status: StatusCode::SERVICE_UNAVAILABLE,
                title: t!("refused-title-full"),
                words,
                retry_after: Some(FULL_RETRY),
                waiting: None,
            },
            ChatError::TooManyStreams => Self::busy(words),
            ChatError::Unavailable => Self::unavailable(words),
            ChatError::NotOwner
            | ChatError::Removed
            | ChatError::Locked(_)
            | ChatError::Banned(_)
            | ChatError::ReadOnly(_) => Self::forbidden(words),
            ChatError::RemoveSelf => Self::invalid(words),
            ChatError::NoTyping => Self {
                status: StatusCode::CONFLICT,
                title: t!("refused-title-no-typing"),
                words,
                retry_after: None,
                waiting: None,
            },
            ChatError::NameTaken(_) => Self {
                status: StatusCode::CONFLICT,
                title: t!("refused-title-name-taken"),
                words,
                retry_after: None,
                waiting: None,
            },
            ChatError::IgnoreSelf => Self::invalid(words),
        }
    }
}

impl Refused {
    /// A code or room that leads nowhere this person may go.
    pub fn missed(words: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            title: t!("refused-title-missed"),
            words: words.into(),
            retry_after: None,
            waiting: None,
        }
    }

    /// Not allowed to this person: not the room's owner, removed from the
    /// room, a locked room, a ban, a read-only room.
    pub fn forbidden(words: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            title: t!("refused-title-forbidden"),
            words: words.into(),
            retry_after: None,
            waiting: None,
        }
    }

    /// What was typed cannot be taken as it is (a form field's own error).
    pub fn invalid(words: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: t!("refused-title-invalid"),
            words: words.into(),
            retry_after: None,
            waiting: None,
        }
    }

    /// Too often: try again after `wait`.
    pub fn wait(words: impl Into<String>, wait: Duration) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            title: t!("refused-title-slow-down"),
            words: words.into(),
            retry_after: Some(whole_seconds(wait)),
            waiting: None,
        }
    }

    /// Too often, in parts: try again after `waiting.wait`.
    pub fn waiting(waiting: Waiting) -> Self {
        Self {
            waiting: Some(waiting),
            ..Self::wait(waiting.to_string(), waiting.wait)
        }
    }

    /// Too many pages open (of one member, or from one address): free again
    /// once one of them is closed.
    pub fn busy(words: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: t!("refused-title-full"),
            words: words.into(),
            retry_after: None,
            waiting: None,
        }
    }

    /// A part the site needs cannot be reached, or the server is restarting.
    pub fn unavailable(words: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: t!("refused-title-unavailable"),
            words: words.into(),
            retry_after: Some(UNAVAILABLE_RETRY),
            waiting: None,
        }
    }

    /// The words as a sentence, for a page or a stream's last words.
    pub fn sentence(&self) -> String {
        let words = self.words.trim_end();
        if words.ends_with(['.', '!', '?']) {
            words.to_owned()
        } else {
            format!("{words}.")
        }
    }

    /// `res` (a form, a page or a fragment saying why) with this refusal's
    /// status and `Retry-After`.
    pub fn answer(&self, mut res: Response) -> Response {
        *res.status_mut() = self.status;
        if let Some(seconds) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res
    }
}

#[derive(Debug)]
pub enum AppError {
    NotFound,
    Forbidden,
    /// Refused for a reason people are told (see `Refused`).
    Refused(Refused),
    Internal(String),
}

impl From<ChatError> for AppError {
    /// A room that cannot be entered or read: gone or not yours (the `404`
    /// of any page that is not there), or refused for a reason people read.
    fn from(why: ChatError) -> Self {
        match why {
            ChatError::NoSuchRoom(_) | ChatError::NotMember | ChatError::NoSuchMessage => {
                Self::NotFound
            }
            why => Self::Refused(Refused::from(&why)),
        }
    }
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        Self::Refused(refused)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Refused(refused) => refused.status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let res = self.status().into_response(); // the body is added by `http::errors`
        let mut res = match &self {
            Self::Refused(refused) => refused.answer(res),
            _ => res,
        };
        res.extensions_mut().insert(Arc::new(self));
        res
    }
}

/// What a handler that panicked answers: logged, then a 500 like any other
/// internal error (its page comes from `http::errors`); the server goes on.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    AppError::Internal(format!("handler panicked: {cause}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal of the chat has one status, and a wait says how long in
    /// `Retry-After` as in its words.
    #[test]
    fn each_refusal_has_one_status_and_waits_say_how_long() {
        let wait = Duration::from_millis(41_200);
        let cases = [
            (ChatError::NoSuchRoom("ZZZZ".into()), 404, None),
            (ChatError::NotMember, 404, None),
            (ChatError::TooFast(wait), 429, Some(42)),
            (ChatError::SessionsFromAddress(wait), 429, Some(42)),
            (ChatError::MessagesFromAddress(wait), 429, Some(42)),
            (ChatError::RoomsFromAddress(wait), 429, Some(42)),
            (ChatError::PairsFromAddress(wait), 429, Some(42)),
            (ChatError::TooManyReports(wait), 429, Some(42)),
            (ChatError::ReportsFromAddress(wait), 429, Some(42)),
            (ChatError::SignInsFromAddress(wait), 429, Some(42)),
            (ChatError::TypingTooOften(wait), 429, Some(42)),
            (ChatError::NoTyping, 409, None),
            (ChatError::RoomsHeld, 429, None),
            (
                ChatError::NameTaken(crate::chat::Name::suggest()),
                409,
                None,
            ),
            (ChatError::IgnoreSelf, 422, None),
            (ChatError::Full, 503, Some(FULL_RETRY)),
            (ChatError::RoomFull, 503, Some(FULL_RETRY)),
            (ChatError::QueueFull, 503, Some(FULL_RETRY)),
            (ChatError::TooManyStreams, 503, None),
            (ChatError::Unavailable, 503, Some(UNAVAILABLE_RETRY)),
            (ChatError::NoSuchMessage, 404, None),
            (ChatError::NotYours, 403, None),
            (ChatError::TooLateToDelete, 403, None),
        ];
        for (why, status, retry) in cases {
            let refused = Refused::from(&why);
            assert_eq!(refused.status.as_u16(), status, "{why:?}");
            assert_eq!(refused.retry_after, retry, "{why:?}");
            assert_eq!(refused.words, why.to_string(), "the words are kept");
            let res = refused.answer(StatusCode::OK.into_response());
            assert_eq!(res.status().as_u16(), status);
            let header = res.headers().get(header::RETRY_AFTER);
            assert_eq!(
                header.and_then(|v| v.to_str().ok()?.parse::<u64>().ok()),
                retry
            );
        }
    }

    /// A page that is refused carries the same status and wait as a form.
    #[test]
    fn a_page_refused_answers_as_a_form_would() {
        let why = ChatError::RoomFull;
        let page = AppError::from(why.clone()).into_response();
        let form = Refused::from(&why).answer(StatusCode::OK.into_response());
        assert_eq!(page.status(), form.status());
        assert_eq!(
            page.headers().get(header::RETRY_AFTER),
            form.headers().get(header::RETRY_AFTER)
        );
        assert_eq!(
            AppError::from(ChatError::NotMember).status(),
            StatusCode::NOT_FOUND,
            "one answer for every miss"
        );
    }

    #[test]
    fn words_become_one_sentence() {
        assert_eq!(Refused::busy("Close some").sentence(), "Close some.");
        assert_eq!(Refused::busy("Close some.").sentence(), "Close some.");
    }
}
