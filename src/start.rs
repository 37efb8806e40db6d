//! Why the server could not start, from reading the flags to listening: one
//! typed error, each variant naming the flag or address at fault. `main`
//! prints it and exits with its code.

use std::net::SocketAddr;

/// The shortest `--secret` that makes a signing key.
pub const SECRET_MIN: usize = 32;

/// The shortest `--admin-token` that opens the moderator console.
pub const ADMIN_TOKEN_MIN: usize = 20;

#[derive(Debug)]
pub enum StartError {
    /// `--secret` is shorter than `SECRET_MIN` bytes.
    ShortSecret,
    /// `--admin-token` is empty or shorter than `ADMIN_TOKEN_MIN` bytes.
    ShortAdminToken,
    /// A `--public-rooms` entry (as given) is not a slug.
    PublicRoom(String),
    /// The TLS flags, certificate or key cannot be used (which, and why).
    Tls(String),
    /// The shared store's address cannot be used (which flag, and why).
    Store(String),
    /// Nothing can listen on this address.
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// Serving stopped on an error of the listening socket.
    Serve(std::io::Error),
}

impl StartError {
    /// The process's exit code: `2` for flags that must be changed, `1`
    /// for what went wrong around them (the address taken, the socket).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Listen { .. } | Self::Serve(_) => 1,
            _ => 2,
        }
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ShortSecret => write!(f, "--secret must be at least {SECRET_MIN} bytes long"),
            Self::ShortAdminToken => write!(
                f,
                "--admin-token must be at least {ADMIN_TOKEN_MIN} bytes long (or leave it out for no console)"
            ),
            Self::PublicRoom(slug) => {
                write!(f, "--public-rooms: {slug:?} is not a slug (a-z, 0-9, -)")
            }
            Self::Tls(why) | Self::Store(why) => f.write_str(why),
            Self::Listen { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Self::Serve(source) => write!(f, "serving stopped: {source}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Listen { source, .. } | Self::Serve(source) => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppState;
    use crate::config::Config;
    use clap::Parser;

    fn start(flags: &[&str]) -> Result<(), StartError> {
        let config = Config::parse_from(std::iter::once("livechat").chain(flags.iter().copied()));
        AppState::new(config).map(|_| ())
    }

    /// Each flag that cannot be used stops the start with its own error,
    /// naming the flag, and exit code 2.
    #[test]
    fn a_flag_that_cannot_be_used_is_named_in_a_typed_error() {
        let short = start(&["--secret", "too short"]).expect_err("a short secret");
        assert!(matches!(short, StartError::ShortSecret), "{short:?}");
        assert!(short.to_string().starts_with("--secret"), "{short}");
        let room = start(&["--public-rooms", "Not A Slug"]).expect_err("a bad slug");
        assert!(matches!(&room, StartError::PublicRoom(s) if s == "Not A Slug"));
        assert!(room.to_string().starts_with("--public-rooms"), "{room}");
        assert_eq!((short.exit_code(), room.exit_code()), (2, 2));
        assert!(start(&["--secret", &"s".repeat(SECRET_MIN)]).is_ok());
    }

    /// An empty or short moderator token would be guessed: the server does
    /// not start with one, and says which flag and how long it must be.
    #[test]
    fn an_empty_or_short_admin_token_stops_the_start() {
        for token in ["", "short", &"t".repeat(ADMIN_TOKEN_MIN - 1)] {
            let refused = start(&["--admin-token", token]).expect_err("a short token");
            assert!(
                matches!(refused, StartError::ShortAdminToken),
                "{refused:?}"
            );
            assert!(
                refused
                    .to_string()
                    .starts_with("--admin-token must be at least 20")
            );
            assert_eq!(refused.exit_code(), 2);
        }
        assert!(start(&["--admin-token", &"t".repeat(ADMIN_TOKEN_MIN)]).is_ok());
    }

    #[test]
    fn an_address_that_cannot_be_listened_on_says_which_and_why() {
        let taken = StartError::Listen {
            addr: "127.0.0.1:80".parse().expect("address"),
            source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
        };
        assert!(
            taken
                .to_string()
                .starts_with("cannot listen on 127.0.0.1:80: ")
        );
        assert!(std::error::Error::source(&taken).is_some());
        assert_eq!(taken.exit_code(), 1);
    }
}
