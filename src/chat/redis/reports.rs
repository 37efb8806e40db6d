//! `Reports` on this store: reports kept in Redis (`keys`: `rp:{id}`, `ro`,
//! `rk`, `rseq`), one script to keep one and one to close one, so that two
//! servers never keep the same report twice; the action log a list trimmed
//! to its length in the same step as each push.

use std::collections::HashMap;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::scripts::Scripts;
use super::{RedisStore, codec, down, keys};
use crate::chat::rules::{LIVE_ROOMS, MAX_ACTIONS, MAX_REPORTS};
use crate::chat::{
    Action, ChatError, EventId, LiveRoom, MemberId, MessageText, NewReport, Report, ReportReason,
    Reports, RoomCode, Said,
};

/// Who reported what: one open report per reporter and message.
fn reported(code: &RoomCode, message: EventId, reporter: MemberId) -> String {
    format!("{code} {message} {}", reporter.0.simple())
}

fn ms(at: OffsetDateTime) -> String {
    (at.unix_timestamp_nanos() / 1_000_000).to_string()
}

fn time(ms: &str) -> Option<OffsetDateTime> {
    let ms: i128 = ms.parse().ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).ok()
}

fn member(field: &str) -> Option<MemberId> {
    Uuid::try_parse(field).ok().map(MemberId)
}

/// A report's fields, as its hash keeps them.
fn fields(report: &NewReport) -> Vec<(&'static str, String)> {
    let said = &report.message;
    let mut fields = vec![
        ("code", report.code.as_str().to_owned()),
        ("msg", said.id.to_string()),
        (
            "author",
            codec::author(&said.author.seed, &said.author.name),
        ),
        ("member", said.member.0.simple().to_string()),
        ("said", ms(said.at)),
        ("reason", report.reason.value().to_owned()),
        ("reporter", report.reporter.0.simple().to_string()),
        ("at", ms(report.at)),
    ];
    if let Some(text) = &said.text {
        fields.push(("text", text.as_str().to_owned()));
    }
    fields
}

/// Reads a report's hash back; `None` for one this version cannot read.
fn decode(id: u64, map: &HashMap<String, String>) -> Option<Report> {
    let get = |name: &str| map.get(name).map(String::as_str);
    Some(Report {
        id,
        code: RoomCode::from_path(get("code")?)?,
        message: Said {
            id: get("msg")?.parse().ok()?,
            author: codec::parse_author(get("author")?)?,
            member: member(get("member")?)?,
            text: get("text")
                .map(|text| MessageText::parse(text, usize::MAX))
                .and_then(Result::ok),
            at: time(get("said")?)?,
            muted: false,
        },
        reason: ReportReason::parse(get("reason")?)?,
        reporter: member(get("reporter")?)?,
        at: time(get("at")?)?,
    })
}

/// An action as the log keeps it: one line of tab-separated fields.
fn encode_action(action: &Action) -> String {
    let plain = |text: &str| text.replace(['\t', '\n', '\r'], " ");
    [
        ms(action.at),
        plain(&action.moderator),
        plain(&action.what),
        action.session.as_deref().map(plain).unwrap_or_default(),
        action
            .room
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
    ]
    .join("\t")
}

fn decode_action(line: &str) -> Option<Action> {
    let mut parts = line.split('\t');
    let at = time(parts.next()?)?;
    let moderator = parts.next()?.to_owned();
    let what = parts.next()?.to_owned();
    let session = Some(parts.next()?)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let room = parts.next().and_then(RoomCode::from_path);
    Some(Action {
        at,
        moderator,
        what,
        session,
        room,
    })
}

impl RedisStore {
    /// The reports numbered `ids`, in that order; those gone since are left out.
    async fn read_reports(&self, ids: &[u64]) -> Result<Vec<Report>, ChatError> {
        if ids.is_empty() {
            // An empty pipeline answers nothing to read a list from.
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.hgetall(keys::report(*id));
        }
        let maps: Vec<HashMap<String, String>> = pipe
            .query_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        Ok(ids
            .iter()
            .zip(maps)
            .filter_map(|(id, map)| decode(*id, &map))
            .collect())
    }
}

#[async_trait]
impl Reports for RedisStore {
    async fn report(&self, report: NewReport) -> Result<Option<u64>, ChatError> {
        let key = reported(&report.code, report.message.id, report.reporter);
        let mut call = Scripts::call(&self.inner.scripts.report, keys::REPORT_SEQ);
        call.arg(key).arg(MAX_REPORTS);
        for (name, value) in fields(&report) {
            call.arg(name).arg(value);
        }
        let id: u64 = call
            .invoke_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        Ok((id > 0).then_some(id))
    }

    async fn reports(&self) -> Result<Vec<Report>, ChatError> {
        let ids: Vec<u64> = redis::cmd("ZREVRANGE")
            .arg(keys::REPORTS)
            .arg(0)
            .arg(-1)
            .query_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        self.read_reports(&ids).await
    }

    async fn open_report(&self, id: u64) -> Result<Option<Report>, ChatError> {
        let open: Option<f64> = redis::cmd("ZSCORE")
            .arg(keys::REPORTS)
            .arg(id)
            .query_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        if open.is_none() {
            return Ok(None);
        }
        Ok(self.read_reports(&[id]).await?.pop())
    }

    async fn close_report(&self, id: u64) -> Result<bool, ChatError> {
        let closed: i64 = Scripts::call(&self.inner.scripts.close_report, keys::REPORT_SEQ)
            .arg(id)
            .invoke_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        Ok(closed == 1)
    }

    async fn record(&self, action: Action) -> Result<(), ChatError> {
        redis::pipe()
            .atomic()
            .lpush(keys::ACTIONS, encode_action(&action))
            .ignore()
            .ltrim(keys::ACTIONS, 0, MAX_ACTIONS as isize - 1)
            .ignore()
            .query_async::<()>(&mut self.inner.conn())
            .await
            .map_err(down)
    }

    async fn actions(&self) -> Result<Vec<Action>, ChatError> {
        let lines: Vec<String> = redis::cmd("LRANGE")
            .arg(keys::ACTIONS)
            .arg(0)
            .arg(-1)
            .query_async(&mut self.inner.conn())
            .await
            .map_err(down)?;
        Ok(lines
            .iter()
            .filter_map(|line| decode_action(line))
            .collect())
    }

    async fn live_rooms(&self) -> Result<Vec<LiveRoom>, ChatError> {
        let mut conn = self.inner.conn();
        let (private, pairs): (Vec<String>, Vec<String>) = redis::pipe()
            .hkeys(keys::PRIVATE)
            .smembers(keys::PAIR_ROOMS)
            .query_async(&mut conn)
            .await
            .map_err(down)?;
        let public = self.inner.settings.public_rooms.iter().cloned();
        let rooms: Vec<(RoomCode, bool, bool)> = public
            .map(|code| (code, true, false))
            .chain(
                private
                    .iter()
                    .filter_map(|c| RoomCode::from_path(c))
                    .map(|c| (c, false, false)),
            )
            .chain(
                pairs
                    .iter()
                    .filter_map(|c| RoomCode::from_path(c))
                    .map(|c| (c, false, true)),
            )
            .collect();
        if rooms.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for (code, _, _) in &rooms {
            pipe.zcard(keys::present(code));
        }
        let counts: Vec<usize> = pipe.query_async(&mut conn).await.map_err(down)?;
        let mut rooms: Vec<LiveRoom> = rooms
            .into_iter()
            .zip(counts)
            .map(|((code, public, pair), members)| LiveRoom {
                code,
                members,
                public,
                pair,
            })
            .collect();
        rooms.sort_by(|a, b| b.members.cmp(&a.members).then(a.code.cmp(&b.code)));
        rooms.truncate(LIVE_ROOMS);
        Ok(rooms)
    }
}
