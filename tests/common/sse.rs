//! A `text/event-stream` client that reads a stream as a browser would:
//! message by message, and (`Tab`) reconnecting with `Last-Event-ID`.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

/// Whether `html` holds `needle`, as markup or as it reads: names are
/// isolated in `<bdi>`, so "Bob joined" is `<bdi>Bob</bdi> joined` on the wire.
pub fn holds(html: &str, needle: &str) -> bool {
    html.contains(needle) || (html.contains("<bdi") && without_bdi(html).contains(needle))
}

/// `html` without its `<bdi>` tags.
pub fn without_bdi(html: &str) -> String {
    let mut out = html.replace("</bdi>", "");
    while let Some(at) = out.find("<bdi") {
        let end = out[at..].find('>').map_or(out.len(), |i| at + i + 1);
        out.replace_range(at..end, "");
    }
    out
}

/// One parsed `text/event-stream` message (or a comment).
#[derive(Debug, Default, Clone)]
pub struct Event {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
    pub comment: bool,
    pub retry: Option<u64>,
}

/// Reads a stream message by message.
pub struct Sse {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// The server ended the stream (or the connection broke).
    pub ended: bool,
}

impl Sse {
    pub async fn open(
        http: &reqwest::Client,
        url: &str,
        last_event_id: Option<&str>,
    ) -> (reqwest::header::HeaderMap, Sse) {
        Self::try_open(http, url, last_event_id)
            .await
            .unwrap_or_else(|why| panic!("stream {url}: {why}"))
    }

    /// `open`, saying what went wrong instead of panicking.
    pub async fn try_open(
        http: &reqwest::Client,
        url: &str,
        last_event_id: Option<&str>,
    ) -> Result<(reqwest::header::HeaderMap, Sse), String> {
        let mut req = http.get(url);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let res = req.send().await.map_err(|e| e.to_string())?;
        if res.status() != 200 {
            return Err(format!("status {}", res.status()));
        }
        let headers = res.headers().clone();
        Ok((
            headers,
            Sse {
                body: Box::pin(res.bytes_stream()),
                buffer: String::new(),
                ended: false,
            },
        ))
    }

    /// The next message, or `None` when the stream ended or 5 s passed.
    pub async fn next(&mut self) -> Option<Event> {
        self.next_within(Duration::from_secs(5)).await
    }

    /// The next message, or `None` when the stream ended or `limit` passed.
    pub async fn next_within(&mut self, limit: Duration) -> Option<Event> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&raw));
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(_) => self.ended = true,
                Err(_) => return None,
            }
        }
    }

    /// Messages until one whose data contains `needle`; panics if it does
    /// not come within 10 s.
    pub async fn until(&mut self, needle: &str) -> Vec<Event> {
        self.until_within(needle, Duration::from_secs(10)).await
    }

    /// The id of the first message whose data contains `needle`.
    pub async fn id_of(&mut self, needle: &str) -> String {
        let seen = self.until(needle).await;
        seen.last()
            .and_then(|e| e.id.clone())
            .unwrap_or_else(|| panic!("{needle:?} came without an id: {seen:#?}"))
    }

    /// Messages until one whose data contains `needle`; panics if it does
    /// not come within `limit` (or the stream ends first).
    pub async fn until_within(&mut self, needle: &str, limit: Duration) -> Vec<Event> {
        let deadline = Instant::now() + limit;
        let mut seen = Vec::new();
        while let Some(event) = self
            .next_within(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            let found = holds(&event.data, needle);
            seen.push(event);
            if found {
                return seen;
            }
        }
        panic!(
            "{needle:?} never came within {limit:?} (stream ended: {}); got {seen:#?}",
            self.ended
        );
    }
}

pub fn parse(raw: &str) -> Event {
    let mut event = Event::default();
    let mut data = Vec::new();
    for line in raw.lines() {
        if let Some(rest) = line.strip_prefix(':') {
            event.comment = true;
            data.push(rest.trim());
        } else if let Some((field, value)) = line.split_once(": ").or_else(|| line.split_once(':'))
        {
            match field {
                "id" => event.id = Some(value.to_owned()),
                "event" => event.event = Some(value.to_owned()),
                "data" => data.push(value),
                "retry" => event.retry = value.parse().ok(),
                _ => {}
            }
        }
    }
    event.data = data.join("\n");
    event
}

/// A page's stream as the browser keeps it: when it ends without being told
/// to close, it is opened again after the `retry:` time, with the id of the
/// last event seen as `Last-Event-ID`, to any server behind `url`'s address.
pub struct Tab {
    http: reqwest::Client,
    /// Where the stream is opened; the servers it may be opened at in turn.
    urls: Vec<String>,
    turn: usize,
    sse: Option<Sse>,
    last_id: Option<String>,
    retry: Duration,
    closed: bool,
    /// How many times the stream was opened again.
    pub reconnects: usize,
}

impl Tab {
    /// Opens the stream at the first of `urls`; reconnects go round them.
    pub async fn open(http: &reqwest::Client, urls: Vec<String>) -> Tab {
        let (_, sse) = Sse::open(http, &urls[0], None).await;
        Tab {
            http: http.clone(),
            urls,
            turn: 0,
            sse: Some(sse),
            last_id: None,
            retry: Duration::from_secs(1),
            closed: false,
            reconnects: 0,
        }
    }

    /// Every message until one whose data contains `needle`, reconnecting as
    /// needed; panics with what came if it does not come within `limit`.
    pub async fn until(&mut self, needle: &str, limit: Duration) -> Vec<Event> {
        let deadline = Instant::now() + limit;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let Some(sse) = self.sse.as_mut() else {
                if self.closed {
                    break;
                }
                tokio::time::sleep(self.retry.min(Duration::from_secs(3))).await;
                self.turn = (self.turn + 1) % self.urls.len();
                let url = &self.urls[self.turn];
                if let Ok((_, sse)) = Sse::try_open(&self.http, url, self.last_id.as_deref()).await
                {
                    self.reconnects += 1;
                    self.sse = Some(sse);
                }
                continue;
            };
            let left = deadline.saturating_duration_since(Instant::now());
            match sse.next_within(left).await {
                Some(event) => {
                    if let Some(id) = &event.id {
                        self.last_id = Some(id.clone());
                    }
                    if let Some(ms) = event.retry {
                        self.retry = Duration::from_millis(ms);
                    }
                    if event.event.as_deref() == Some("close") {
                        self.closed = true;
                        self.sse = None;
                    }
                    let found = holds(&event.data, needle);
                    seen.push(event);
                    if found {
                        return seen;
                    }
                }
                None if sse.ended => self.sse = None,
                None => {}
            }
        }
        panic!(
            "{needle:?} never came within {limit:?} (closed: {}, reconnects: {}); got {seen:#?}",
            self.closed, self.reconnects
        );
    }
}

/// A document that never ends (the no-JavaScript log, the waiting
/// document), read as it grows.
pub struct Growing {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    /// Everything read so far.
    pub text: String,
}

impl Growing {
    /// `GET url`, which must answer 200; its headers, and the document.
    pub async fn open(http: &reqwest::Client, url: &str) -> (reqwest::header::HeaderMap, Growing) {
        let res = http.get(url).send().await.expect(url);
        assert_eq!(res.status(), 200, "{url}");
        let headers = res.headers().clone();
        let doc = Growing {
            body: Box::pin(res.bytes_stream()),
            text: String::new(),
        };
        (headers, doc)
    }

    /// Reads to the document's end; panics if it does not end within 10 s.
    pub async fn until_it_ends(&mut self) -> &str {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => return &self.text,
                Err(_) => panic!("the document never ended: {}", self.text),
            }
        }
    }

    /// Reads until the text so far contains `needle`; panics if it does not
    /// within 10 s.
    pub async fn until(&mut self, needle: &str) -> &str {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !holds(&self.text, needle) {
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => panic!("the document ended before {needle:?}: {}", self.text),
                Err(_) => panic!("{needle:?} never came: {}", self.text),
            }
        }
        &self.text
    }
}
