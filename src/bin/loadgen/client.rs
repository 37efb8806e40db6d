//! A small HTTP/1.1 client over tokio sockets, just what a browser does on
//! livechat: form posts with cookies, `303` answers, and never-ending chunked
//! `text/event-stream` bodies. Every connection leaves from one of several
//! loopback source addresses, so one address's ephemeral ports are not a limit.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::dechunk::Dechunk;

/// A server to drive, from `--target http://127.0.0.1:3000`.
#[derive(Clone, Debug)]
pub struct Target {
    pub addr: SocketAddr,
    /// What goes in `Host`.
    pub host: String,
}

impl Target {
    /// Only plain-HTTP loopback targets: this tool never loads anyone else.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("--target {url}: only http:// URLs are supported"))?;
        let host = rest.trim_end_matches('/');
        let addr: SocketAddr = host.parse().map_err(|_| {
            format!("--target {url}: give an IP address and port, e.g. http://127.0.0.1:3000")
        })?;
        if !addr.ip().is_loopback() {
            return Err(format!(
                "--target {url}: only loopback addresses (127.0.0.0/8) may be loaded"
            ));
        }
        Ok(Self {
            addr,
            host: host.to_owned(),
        })
    }
}

/// Loopback source addresses, handed out round-robin.
#[derive(Debug)]
pub struct Sources {
    addrs: Vec<Ipv4Addr>,
    next: AtomicUsize,
}

impl Sources {
    /// `count` addresses from 127.0.0.`first` on.
    pub fn new(first: u8, count: u8) -> Self {
        let addrs = (0..count.max(1))
            .map(|n| Ipv4Addr::new(127, 0, 0, first.saturating_add(n)))
            .collect();
        Self {
            addrs,
            next: AtomicUsize::new(0),
        }
    }

    pub fn pick(&self) -> Ipv4Addr {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.addrs[n % self.addrs.len()]
    }
}

/// Why a request failed, with what to do about a limit of the machine.
#[derive(Debug)]
pub enum Failure {
    /// The operating system refused: a limit was hit, or the server is gone.
    Io(io::Error, &'static str),
    /// The server answered something unexpected.
    Http(String),
}

impl Failure {
    /// True for limits of this machine or this process, where trying harder is useless.
    pub fn is_limit(&self) -> bool {
        matches!(self, Self::Io(why, _) if matches!(why.raw_os_error(), Some(EMFILE | ENFILE | EADDRNOTAVAIL | ENOBUFS | ENOMEM)))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(why, doing) => {
                let hint = match why.raw_os_error() {
                    Some(EMFILE) => {
                        " (EMFILE: this process's open-file limit is reached: raise `ulimit -n`, or spread the load over more loadgen processes with --workers)"
                    }
                    Some(ENFILE) => {
                        " (ENFILE: the whole system's open-file table is full: fs.file-max)"
                    }
                    Some(EADDRNOTAVAIL) => {
                        " (EADDRNOTAVAIL: no free local port on the source address: add source addresses with --sources)"
                    }
                    Some(ECONNREFUSED) => {
                        " (ECONNREFUSED: is the server running, and is its listen backlog full?)"
                    }
                    Some(ECONNRESET) => {
                        " (ECONNRESET: the server dropped the connection, maybe out of file descriptors)"
                    }
                    Some(ENOBUFS | ENOMEM) => " (the kernel is out of socket memory)",
                    _ => "",
                };
                write!(f, "{doing}: {why}{hint}")
            }
            Self::Http(why) => f.write_str(why),
        }
    }
}

const ENFILE: i32 = 23;
const EMFILE: i32 = 24;
const EADDRNOTAVAIL: i32 = 99;
const ENOBUFS: i32 = 105;
const ENOMEM: i32 = 12;
const ECONNREFUSED: i32 = 111;
const ECONNRESET: i32 = 104;

fn io(doing: &'static str) -> impl Fn(io::Error) -> Failure {
    move |why| Failure::Io(why, doing)
}

/// The parts of a response head this tool looks at.
#[derive(Debug, Default)]
pub struct Head {
    pub status: u16,
    pub location: Option<String>,
    /// `name=value` of the first `Set-Cookie`.
    pub cookie: Option<String>,
    pub chunked: bool,
    pub length: usize,
    pub close: bool,
}

/// One keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    /// Read but not yet used.
    pub buf: BytesMut,
    host: String,
}

impl Conn {
    /// Opens a connection to `target` from `source`.
    pub async fn open(target: &Target, source: Ipv4Addr) -> Result<Self, Failure> {
        let socket = TcpSocket::new_v4().map_err(io("opening a socket"))?;
        socket
            .bind(SocketAddr::new(IpAddr::V4(source), 0))
            .map_err(io("binding a source address"))?;
        let stream = socket
            .connect(target.addr)
            .await
            .map_err(io("connecting"))?;
        let _ = stream.set_nodelay(true);
        Ok(Self {
            stream,
            buf: BytesMut::with_capacity(1024),
            host: target.host.clone(),
        })
    }

    /// Sends a request and reads the answer's head. `form` is an
    /// `application/x-www-form-urlencoded` body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
    ) -> Result<Head, Failure> {
        self.send_with(method, path, cookie, form, &[]).await
    }

    /// `send`, with more header lines (`("Last-Event-ID", "3-14")`).
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Result<Head, Failure> {
        let mut req = String::with_capacity(256 + form.map_or(0, str::len));
        req.push_str(method);
        req.push(' ');
        req.push_str(path);
        req.push_str(" HTTP/1.1\r\nHost: ");
        req.push_str(&self.host);
        // What a browser sends with a form of the same site; livechat refuses
        // state changes without it.
        req.push_str("\r\nSec-Fetch-Site: same-origin\r\n");
        for (name, value) in extra {
            req.push_str(name);
            req.push_str(": ");
            req.push_str(value);
            req.push_str("\r\n");
        }
        if let Some(cookie) = cookie {
            req.push_str("Cookie: ");
            req.push_str(cookie);
            req.push_str("\r\n");
        }
        if let Some(form) = form {
            req.push_str("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ");
            req.push_str(&form.len().to_string());
            req.push_str("\r\n\r\n");
            req.push_str(form);
        } else {
            req.push_str("\r\n");
        }
        self.stream
            .write_all(req.as_bytes())
            .await
            .map_err(io("sending a request"))?;
        self.head().await
    }

    /// Reads more into the buffer; `false` at the end of the stream.
    pub async fn fill(&mut self) -> Result<bool, Failure> {
        if self.buf.capacity() - self.buf.len() < 512 {
            self.buf.reserve(2048);
        }
        let n = self
            .stream
            .read_buf(&mut self.buf)
            .await
            .map_err(io("reading"))?;
        Ok(n > 0)
    }

    async fn head(&mut self) -> Result<Head, Failure> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut res = httparse::Response::new(&mut headers);
            match res.parse(&self.buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let mut head = Head {
                        status: res.code.unwrap_or(0),
                        ..Head::default()
                    };
                    for h in res.headers.iter() {
                        let value = String::from_utf8_lossy(h.value);
                        if h.name.eq_ignore_ascii_case("location") {
                            head.location = Some(value.into_owned());
                        } else if h.name.eq_ignore_ascii_case("set-cookie") {
                            if head.cookie.is_none() {
                                let pair = value.split(';').next().unwrap_or_default();
                                head.cookie = Some(pair.trim().to_owned());
                            }
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            head.chunked = value.to_ascii_lowercase().contains("chunked");
                        } else if h.name.eq_ignore_ascii_case("content-length") {
                            head.length = value.trim().parse().unwrap_or(0);
                        } else if h.name.eq_ignore_ascii_case("connection") {
                            head.close = value.eq_ignore_ascii_case("close");
                        }
                    }
                    self.buf.advance(len);
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => {}
                Err(why) => return Err(Failure::Http(format!("bad response head: {why}"))),
            }
            if !self.fill().await? {
                return Err(Failure::Http(
                    "the server closed the connection before answering".to_owned(),
                ));
            }
        }
    }

    /// Reads a whole (non-streaming) body, so the connection can carry the
    /// next request.
    pub async fn body(&mut self, head: &Head) -> Result<BytesMut, Failure> {
        if head.chunked {
            let mut chunks = Dechunk::default();
            let mut body = BytesMut::new();
            loop {
                if chunks.feed(&mut self.buf, &mut body)? {
                    return Ok(body);
                }
                if !self.fill().await? {
                    return Err(Failure::Http("body cut short".to_owned()));
                }
            }
        }
        while self.buf.len() < head.length {
            if !self.fill().await? {
                return Err(Failure::Http("body cut short".to_owned()));
            }
        }
        Ok(self.buf.split_to(head.length))
    }

    /// Reads and throws away a whole body.
    pub async fn skip_body(&mut self, head: &Head) -> Result<(), Failure> {
        self.body(head).await.map(drop)
    }

    /// A form post answered `303`: where it leads and the cookie it set.
    pub async fn post_form(
        &mut self,
        path: &str,
        cookie: Option<&str>,
        form: &str,
    ) -> Result<Head, Failure> {
        let head = self.send("POST", path, cookie, Some(form)).await?;
        self.skip_body(&head).await?;
        if head.status != 303 {
            return Err(Failure::Http(format!(
                "POST {path} answered {} instead of 303",
                head.status
            )));
        }
        Ok(head)
    }
}

/// `name` as a form value (names here are ASCII letters and digits).
pub fn form_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The room code from a `Location: /r/{code}`.
pub fn room_from_location(head: &Head) -> Result<String, Failure> {
    head.location
        .as_deref()
        .and_then(|l| l.strip_prefix("/r/"))
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::Http(format!(
                "no room in the answer's Location: {:?}",
                head.location
            ))
        })
}
