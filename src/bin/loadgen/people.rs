//! What one simulated person does, as a browser would: create or join a room
//! with the home page's form, open the room's stream, post, leave.

use crate::client::{Conn, Failure, Head, Sources, Target, form_value, room_from_location};
use crate::sse::Events;

/// A member: their session cookie.
#[derive(Clone, Debug)]
pub struct Member {
    pub cookie: String,
}

fn member(head: &Head, doing: &str) -> Result<Member, Failure> {
    let cookie = head
        .cookie
        .clone()
        .ok_or_else(|| Failure::Http(format!("{doing}: no session cookie in the answer")))?;
    Ok(Member { cookie })
}

/// `POST /rooms`: a new private room and its first member.
pub async fn create(conn: &mut Conn, name: &str) -> Result<(String, Member), Failure> {
    let head = conn
        .post_form("/rooms", None, &format!("name={}", form_value(name)))
        .await?;
    Ok((room_from_location(&head)?, member(&head, "POST /rooms")?))
}

/// `POST /join` as a new person.
pub async fn join(conn: &mut Conn, code: &str, name: &str) -> Result<Member, Failure> {
    let form = format!("name={}&code={}", form_value(name), form_value(code));
    let head = conn.post_form("/join", None, &form).await?;
    member(&head, "POST /join")
}

/// `POST /r/{code}/leave`.
pub async fn leave(conn: &mut Conn, code: &str, who: &Member) -> Result<(), Failure> {
    conn.post_form(&format!("/r/{code}/leave"), Some(&who.cookie), "")
        .await
        .map(drop)
}

/// `POST /r/{code}/messages`.
pub async fn post(conn: &mut Conn, code: &str, who: &Member, text: &str) -> Result<(), Failure> {
    let form = format!("text={}", form_value(text));
    conn.post_form(&format!("/r/{code}/messages"), Some(&who.cookie), &form)
        .await
        .map(drop)
}

/// What a browser does once in a room: loads the page (`GET /r/{code}`,
/// which also enters the room), then opens the stream the page names
/// (`GET /r/{code}/events?after=...`) on this connection, which then carries
/// only the stream.
pub async fn stream(mut conn: Conn, code: &str, who: &Member) -> Result<Events, Failure> {
    let events = page(&mut conn, code, who).await?;
    let head = conn.send("GET", &events, Some(&who.cookie), None).await?;
    if head.status != 200 {
        return Err(Failure::Http(format!(
            "GET {events} answered {}",
            head.status
        )));
    }
    Ok(Events::new(conn, head.chunked))
}

/// `GET /r/{code}`: the room page, which enters the room (the 303 of a
/// join leads there). Returns the stream URL the page names.
pub async fn page(conn: &mut Conn, code: &str, who: &Member) -> Result<String, Failure> {
    page_and_body(conn, code, who).await.map(|(path, _)| path)
}

/// `page`, with the page itself (what a person sees on loading it).
pub async fn page_and_body(
    conn: &mut Conn,
    code: &str,
    who: &Member,
) -> Result<(String, bytes::BytesMut), Failure> {
    let page = format!("/r/{code}");
    let head = conn.send("GET", &page, Some(&who.cookie), None).await?;
    let body = conn.body(&head).await?;
    if head.status != 200 {
        return Err(Failure::Http(format!(
            "GET {page} answered {}",
            head.status
        )));
    }
    let path = events_path(&body, code)
        .ok_or_else(|| Failure::Http(format!("GET {page}: no stream URL in the page")))?;
    Ok((path, body))
}

/// The stream URL in a room page: `/r/{code}/events` and its `?after=`.
pub(crate) fn events_path(page: &[u8], code: &str) -> Option<String> {
    let start = format!("/r/{code}/events");
    let at = memchr::memmem::find(page, start.as_bytes())?;
    let rest = &page[at..];
    let end = memchr::memchr2(b'"', b'\'', rest)?;
    let path = std::str::from_utf8(&rest[..end]).ok()?;
    Some(path.replace("&amp;", "&"))
}

/// A counter from `/metrics` (livechat's), if the server has it.
pub async fn metric(conn: &mut Conn, name: &str) -> Option<u64> {
    let head = conn.send("GET", "/metrics", None, None).await.ok()?;
    if head.status != 200 {
        conn.skip_body(&head).await.ok()?;
        return None;
    }
    while conn.buf.len() < head.length {
        if !conn.fill().await.ok()? {
            return None;
        }
    }
    let body = String::from_utf8_lossy(&conn.buf[..head.length]).into_owned();
    bytes::Buf::advance(&mut conn.buf, head.length);
    body.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// The rooms, each made by its publisher (`p0`, `p1`, ...), on `first`.
pub async fn create_rooms(
    first: &Target,
    sources: &Sources,
    count: usize,
) -> Result<Vec<(String, Member)>, String> {
    let mut rooms: Vec<(String, Member)> = Vec::with_capacity(count);
    let mut conn = Conn::open(first, sources.pick())
        .await
        .map_err(|e| e.to_string())?;
    for r in 0..count {
        let made = create(&mut conn, &format!("p{r}")).await;
        let made = match made {
            Ok(made) => made,
            Err(_) => {
                conn = Conn::open(first, sources.pick())
                    .await
                    .map_err(|e| e.to_string())?;
                create(&mut conn, &format!("p{r}"))
                    .await
                    .map_err(|e| format!("creating room {r}: {e}"))?
            }
        };
        rooms.push(made);
    }
    Ok(rooms)
}
