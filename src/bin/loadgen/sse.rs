//! Reading a `text/event-stream` and finding in each event what the load
//! generator put in: message tokens (with their send time) and join/leave
//! notices.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Buf, BytesMut};
use memchr::memmem;

use crate::client::{Conn, Failure};
use crate::dechunk::Dechunk;

/// Microseconds since the Unix epoch: the same clock in every process here.
pub fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

const MARK: &[u8] = b"~LG";

/// The text of a message: a few words and the token `~LG{run}.{room}.{seq}.{sent}~`.
pub fn message_text(run: u32, room: usize, seq: u32, sent: u64) -> String {
    format!("Hello everyone, this is a load test message ~LG{run}.{room}.{seq}.{sent}~")
}

/// A token found in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub run: u32,
    pub room: usize,
    pub seq: u32,
    pub sent: u64,
}

/// Every token in `event`.
pub fn tokens(event: &[u8], mut each: impl FnMut(Token)) {
    for at in memmem::find_iter(event, MARK) {
        let rest = &event[at + MARK.len()..];
        let end = memchr::memchr(b'~', rest).unwrap_or(0);
        let Ok(text) = std::str::from_utf8(&rest[..end]) else {
            continue;
        };
        let mut parts = text.split('.').map(str::parse::<u64>);
        if let (Some(Ok(run)), Some(Ok(room)), Some(Ok(seq)), Some(Ok(sent))) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            each(Token {
                run: run as u32,
                room: room as usize,
                seq: seq as u32,
                sent,
            });
        }
    }
}

/// How many people a join or leave notice names: "c1 joined", "c1 and c2
/// left", "c1, c2 and 37 others joined". `(joined, left)`.
pub fn notice_counts(event: &[u8]) -> (u64, u64) {
    let mut counts = (0, 0);
    for at in memmem::find_iter(event, b"class=\"notice presence\"") {
        let rest = &event[at..];
        let Some(p) = memmem::find(rest, b"<p>") else {
            continue;
        };
        let rest = &rest[p + 3..];
        // The names are isolated (`<bdi>Ann</bdi> joined`): read up to the time.
        let Some(end) = memmem::find(rest, b"<time") else {
            continue;
        };
        let Ok(line) = std::str::from_utf8(&rest[..end]) else {
            continue;
        };
        let line = line.replace("<bdi>", "").replace("</bdi>", "");
        let line = line.trim_end();
        if let Some(who) = line.strip_suffix(" joined") {
            counts.0 += people(who);
        } else if let Some(who) = line.strip_suffix(" left") {
            counts.1 += people(who);
        }
    }
    counts
}

fn people(phrase: &str) -> u64 {
    phrase
        .split(" and ")
        .flat_map(|part| part.split(", "))
        .map(|part| {
            part.strip_suffix(" others")
                .or_else(|| part.strip_suffix(" other"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
        })
        .sum()
}

/// What ended a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The server said its last words (`event: close`).
    Closed,
    /// The connection ended.
    Eof,
}

/// Reads events from a streaming answer whose head was read.
pub struct Events {
    conn: Conn,
    chunks: Option<Dechunk>,
    body: BytesMut,
    /// What came with the head is read before waiting for more (a short
    /// answer, like a stream's last words, may be all there is).
    fresh: bool,
}

impl Events {
    pub fn new(conn: Conn, chunked: bool) -> Self {
        Self {
            conn,
            chunks: chunked.then(Dechunk::default),
            body: BytesMut::new(),
            fresh: true,
        }
    }

    /// Waits for more and hands each whole event to `each`.
    pub async fn next_batch(
        &mut self,
        mut each: impl FnMut(&[u8]),
    ) -> Result<Option<End>, Failure> {
        let fresh = std::mem::take(&mut self.fresh) && !self.conn.buf.is_empty();
        if !fresh && !self.conn.fill().await? {
            return Ok(Some(End::Eof));
        }
        let done = match &mut self.chunks {
            Some(chunks) => chunks.feed(&mut self.conn.buf, &mut self.body)?,
            None => {
                self.body.extend_from_slice(&self.conn.buf);
                self.conn.buf.clear();
                false
            }
        };
        let mut closed = false;
        while let Some(end) = memmem::find(&self.body, b"\n\n") {
            let event = &self.body[..end + 1];
            if event.starts_with(b"event: close") {
                closed = true;
            }
            each(event);
            self.body.advance(end + 2);
        }
        if closed {
            return Ok(Some(End::Closed));
        }
        Ok(done.then_some(End::Eof))
    }
}

/// True for livechat's whole log sent to a stream that fell behind: one
/// morph of the list, near the start of the event.
pub fn is_resync(event: &[u8]) -> bool {
    memchr::memmem::find(&event[..event.len().min(200)], b"innerMorph").is_some()
}

/// Join and leave notices seen by a watcher, `(joined, left)`.
pub fn count_notices(event: &[u8], counts: &mut (u64, u64)) {
    let (j, l) = notice_counts(event);
    counts.0 += j;
    counts.1 += l;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_back() {
        let text = message_text(7, 3, 42, 123_456);
        let event = format!("id: 1-2\ndata: <li><p class=\"text\">{text}</p></li>\n");
        let mut found = Vec::new();
        tokens(event.as_bytes(), |t| found.push(t));
        assert_eq!(
            found,
            [Token {
                run: 7,
                room: 3,
                seq: 42,
                sent: 123_456
            }]
        );
    }

    #[tokio::test]
    async fn last_words_that_came_with_the_head_are_read_without_waiting() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut head = [0u8; 1024];
            let _ = socket.read(&mut head).await;
            let body = "data: gone\n\nevent: close\ndata: close\n\n";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.expect("write");
            // The connection stays open, as a keep-alive one does.
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let target = crate::client::Target::parse(&format!("http://{addr}")).expect("target");
        let mut conn = Conn::open(&target, std::net::Ipv4Addr::LOCALHOST)
            .await
            .expect("connect");
        // Head and body leave in one write, so they arrive in one read.
        let head = conn.send("GET", "/events", None, None).await.expect("head");
        let mut events = Events::new(conn, head.chunked);
        let mut seen = 0;
        let end = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            events.next_batch(|_| seen += 1),
        )
        .await
        .expect("not waiting for more")
        .expect("read");
        assert_eq!((end, seen), (Some(End::Closed), 2));
        server.abort();
    }

    #[test]
    fn notices_count_everyone_they_name() {
        let one =
            b"data: <li class=\"notice presence\" id=\"e1-1\"><p>c1 joined <time>x</time></p></li>";
        assert_eq!(notice_counts(one), (1, 0));
        let many =
            b"data: <li class=\"notice presence\" id=\"e1-1\"><p>c1, c2 and 37 others left <time>";
        assert_eq!(notice_counts(many), (0, 39));
        let two = b"data: <li class=\"notice presence\" id=\"e1-1\"><p>c1 and c2 joined <time>";
        assert_eq!(notice_counts(two), (2, 0));
        let three = b"<li class=\"notice presence\"><p>c1, c2 and c3 left <time>";
        assert_eq!(notice_counts(three), (0, 3));
        let isolated =
            b"<li class=\"notice presence\"><p><bdi>c1</bdi>, <bdi>c2</bdi> and 4 others joined <time>";
        assert_eq!(notice_counts(isolated), (6, 0));
    }
}
