//! The session: a signed cookie holding who a person is (member id, avatar
//! seed, name). Nothing about sessions is kept on the server.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use uuid::Uuid;

use crate::AppState;
use crate::chat::{Member, MemberId, Name, Seed};

/// The session cookie's name over plain HTTP.
const COOKIE: &str = "livechat";
/// Its name under HTTPS: browsers take a `__Host-` cookie only if it is
/// `Secure`, has `Path=/` and no `Domain`, so no other host (a sibling
/// subdomain, a plain-HTTP page on the network) can plant or shadow it.
const HOST_COOKIE: &str = "__Host-livechat";
/// Sessions last a month without a visit.
const MAX_AGE: time::Duration = time::Duration::days(30);

/// The person making the request, if they have picked a name before.
pub struct Session {
    pub jar: SignedCookieJar,
    pub member: Option<Member>,
    secure: bool,
}

impl<S> FromRequestParts<S> for Session
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let jar = SignedCookieJar::from_headers(&parts.headers, app.key.clone());
        let member = jar
            .get(cookie_name(app.config.secure_cookies))
            .and_then(|c| decode(c.value(), app.config.max_name));
        Ok(Self {
            jar,
            member,
            secure: app.config.secure_cookies,
        })
    }
}

impl Session {
    /// The member this person becomes under `name`: the same identity and
    /// avatar as before if they had one, a new one otherwise.
    pub fn member_named(&self, name: Name) -> Member {
        match &self.member {
            Some(member) => Member {
                name,
                ..member.clone()
            },
            None => Member {
                id: MemberId::random(),
                name,
                seed: Seed::random(),
            },
        }
    }

    /// The cookie jar that remembers `member` from now on.
    pub fn remember(self, member: &Member) -> SignedCookieJar {
        // No `Domain`: the cookie stays with this host (as `__Host-` requires).
        let cookie = Cookie::build((cookie_name(self.secure), encode(member)))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(MAX_AGE)
            .build();
        self.jar.add(cookie)
    }
}

/// The session cookie's name: `__Host-` prefixed when served over HTTPS.
fn cookie_name(secure: bool) -> &'static str {
    if secure { HOST_COOKIE } else { COOKIE }
}

fn encode(member: &Member) -> String {
    let name = utf8_percent_encode(member.name.as_str(), NON_ALPHANUMERIC);
    format!("{}.{}.{name}", member.id.0.simple(), member.seed.as_str())
}

fn decode(value: &str, max_name: usize) -> Option<Member> {
    let mut parts = value.splitn(3, '.');
    let id = Uuid::try_parse(parts.next()?).ok()?;
    let seed = Seed::parse(parts.next()?)?;
    let name = percent_decode_str(parts.next()?).decode_utf8().ok()?;
    // A name that was valid under other limits is cut to fit, not refused;
    // one from before direction controls were refused keeps the rest.
    let name: String = name
        .chars()
        .filter(|c| !crate::chat::name::is_bidi_control(*c))
        .collect();
    let name = Name::parse(&name, max_name)
        .or_else(|_| Name::parse(&name.chars().take(max_name).collect::<String>(), max_name))
        .ok()?;
    Some(Member {
        id: MemberId(id),
        name,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip_through_the_cookie_value() {
        let member = Member {
            id: MemberId::random(),
            name: Name::parse("Ann; \"x\" = 1. Über", 32).expect("valid"),
            seed: Seed::random(),
        };
        let value = encode(&member);
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b';' && b != b'"')
        );
        assert_eq!(decode(&value, 32), Some(member));
    }

    /// A session from before direction controls were refused goes on, under
    /// its name without them.
    #[test]
    fn a_remembered_name_loses_its_direction_controls() {
        let member = Member {
            id: MemberId::random(),
            name: Name::parse("Ann", 32).expect("valid"),
            seed: Seed::random(),
        };
        let value = encode(&member).replace(".Ann", ".An%E2%80%AEn");
        assert_eq!(decode(&value, 32), Some(member));
    }

    #[test]
    fn damaged_values_are_no_session() {
        assert_eq!(decode("nonsense", 32), None);
        assert_eq!(decode("", 32), None);
    }
}
