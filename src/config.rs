//! Every setting of the server: a flag with a `LIVECHAT_*` environment twin.
//! This is the only code that reads flags or the environment; the rest of the
//! program is handed a `Config`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use ipnet::IpNet;

/// An anonymous real-time chat server.
#[derive(Parser, Debug, Clone)]
#[command(name = "livechat", version, about)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "LIVECHAT_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Key that signs session cookies (at least 32 bytes). Random at start when
    /// absent, so sessions end at every restart: set it in production.
    #[arg(long, env = "LIVECHAT_SECRET", hide_env_values = true)]
    pub secret: Option<String>,

    /// Mark the session cookie `Secure` and name it `__Host-livechat` (set this
    /// when served over HTTPS).
    #[arg(long, env = "LIVECHAT_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Public rooms, comma-separated slugs, listed on the home page in this order.
    #[arg(
        long,
        env = "LIVECHAT_PUBLIC_ROOMS",
        value_delimiter = ',',
        default_value = "general,hobby,games,tech,music"
    )]
    pub public_rooms: Vec<String>,

    /// Messages and notices each room keeps for page loads and resumes.
    #[arg(long, env = "LIVECHAT_HISTORY", default_value_t = 200)]
    pub history: usize,

    /// Seconds a member stays present after their last stream closes.
    #[arg(long, env = "LIVECHAT_GRACE", default_value_t = 15)]
    pub grace: u64,

    /// Longest name, in characters, after trimming.
    #[arg(long, env = "LIVECHAT_MAX_NAME", default_value_t = 32)]
    pub max_name: usize,

    /// Longest message, in characters.
    #[arg(long, env = "LIVECHAT_MAX_MESSAGE", default_value_t = 2000)]
    pub max_message: usize,

    /// Messages a member may post per rate window.
    #[arg(long, env = "LIVECHAT_RATE_MESSAGES", default_value_t = 10)]
    pub rate_messages: u32,

    /// Length of the rate window, in seconds.
    #[arg(long, env = "LIVECHAT_RATE_WINDOW", default_value_t = 10)]
    pub rate_window: u64,

    /// Name changes a member may make per rename window.
    #[arg(long, env = "LIVECHAT_RATE_RENAMES", default_value_t = 3)]
    pub rate_renames: usize,

    /// Length of the rename window, in seconds.
    #[arg(long, env = "LIVECHAT_RENAME_WINDOW", default_value_t = 60)]
    pub rename_window: u64,

    /// Member count above which join and leave notices are batched.
    #[arg(long, env = "LIVECHAT_BIG_ROOM", default_value_t = 50)]
    pub big_room: usize,

    /// Seconds between keep-alive comments on idle streams.
    #[arg(long, env = "LIVECHAT_KEEPALIVE", default_value_t = 15)]
    pub keepalive: u64,

    /// Largest request body, in bytes; larger ones get 413. The default holds
    /// a --max-message message in any script once form-encoded.
    #[arg(long, env = "LIVECHAT_MAX_BODY", default_value_t = 32 * 1024)]
    pub max_body: usize,

    /// Most people who may wait for a random stranger at once.
    #[arg(long, env = "LIVECHAT_MAX_QUEUE", default_value_t = 10_000)]
    pub max_queue: usize,

    /// Most private rooms made with "Create private room" at once
    /// (random-chat rooms have their own pool, --max-pair-rooms).
    #[arg(long, env = "LIVECHAT_MAX_ROOMS", default_value_t = 10_000)]
    pub max_rooms: usize,

    /// Most members one room may hold.
    #[arg(long, env = "LIVECHAT_MAX_MEMBERS", default_value_t = 20_000)]
    pub max_members: usize,

    /// Most streams (open room and waiting pages) one member may have, over all rooms.
    #[arg(long, env = "LIVECHAT_MAX_STREAMS", default_value_t = 20)]
    pub max_streams: usize,

    /// Most streams (open room and waiting pages) from one client address at once.
    #[arg(long, env = "LIVECHAT_MAX_ADDRESS_STREAMS", default_value_t = 500)]
    pub max_address_streams: usize,

    /// Reverse proxies (addresses or networks such as `10.0.0.0/8`,
    /// comma-separated) whose `X-Forwarded-For` names the real client: the
    /// per-address limits then count people, not the proxy. Trust only your
    /// own proxies: anyone else could claim any address.
    #[arg(
        long = "trusted-proxy",
        env = "LIVECHAT_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = parse_network
    )]
    pub trusted_proxies: Vec<IpNet>,

    /// Wrong room codes (ones that lead nowhere the person may go) one client
    /// address, and one member, may try per join window on any route (room
    /// page, stream, log, title, post, leave, join) before every code is
    /// refused with 429 until the window has slid past (slows down guessing).
    #[arg(long, env = "LIVECHAT_JOIN_FAILURES", default_value_t = 10)]
    pub join_failures: usize,

    /// Length of the join window (for wrong room codes on any route), in seconds.
    #[arg(long, env = "LIVECHAT_JOIN_WINDOW", default_value_t = 60)]
    pub join_window: u64,

    /// Seconds `GET /pair?hold` (kept for links made before) waits for a match
    /// (answered with the room at once when found) before it shows the waiting page.
    #[arg(long, env = "LIVECHAT_PAIR_HOLD", default_value_t = 20)]
    pub pair_hold: u64,

    /// Seconds a client has to send a request's headers (and, over TLS, to
    /// finish the handshake) before its connection is dropped; also how long
    /// it may take to send a request's body.
    #[arg(long, env = "LIVECHAT_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,

    /// Redis to share rooms, presence, history and the pairing queue with
    /// other servers (for example `redis://127.0.0.1:6379`), or a Redis
    /// Cluster named by several seed nodes, comma-separated
    /// (`redis://10.0.0.1:7000,redis://10.0.0.2:7000`). Without it,
    /// everything is kept in this server's memory. Servers sharing one Redis
    /// must share --secret too.
    #[arg(long, env = "LIVECHAT_REDIS", hide_env_values = true)]
    pub redis: Option<String>,

    /// Certificate chain (PEM) to serve HTTPS with HTTP/2; needs --tls-key.
    /// Implies --secure-cookies.
    #[arg(long, env = "LIVECHAT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// Private key (PEM) of the --tls-cert certificate; needs --tls-cert.
    #[arg(
        long,
        env = "LIVECHAT_TLS_KEY",
        requires = "tls_cert",
        hide_env_values = true
    )]
    pub tls_key: Option<PathBuf>,

    /// New sessions (people taking a name without one) one client address may
    /// start per minute, so fresh cookies cannot dodge the per-member limits.
    #[arg(long, env = "LIVECHAT_ADDRESS_SESSIONS", default_value_t = 30)]
    pub address_sessions: usize,

    /// Messages one client address may post per rate window, over all its
    /// sessions (beside --rate-messages per member).
    #[arg(long, env = "LIVECHAT_ADDRESS_MESSAGES", default_value_t = 30)]
    pub address_messages: usize,

    /// Private rooms one client address may create per minute.
    #[arg(long, env = "LIVECHAT_ADDRESS_ROOMS", default_value_t = 10)]
    pub address_rooms: usize,

    /// Private rooms one client address may hold open at once (a room counts
    /// against the address that created it until it closes).
    #[arg(long, env = "LIVECHAT_ADDRESS_ROOMS_HELD", default_value_t = 30)]
    pub address_rooms_held: usize,

    /// Most random-chat rooms at once (a pool of their own, apart from
    /// --max-rooms).
    #[arg(long, env = "LIVECHAT_MAX_PAIR_ROOMS", default_value_t = 10_000)]
    pub max_pair_rooms: usize,

    /// Most connections open at once from one client address (an IPv6 /64);
    /// more are refused at once. Peers that are a --trusted-proxy are not
    /// counted.
    #[arg(long, env = "LIVECHAT_MAX_ADDRESS_CONNECTIONS", default_value_t = 1000)]
    pub max_address_connections: usize,

    /// Length of new private and random-chat room codes (4 to 12): each
    /// character more makes codes 31 times harder to guess. Codes of every
    /// length from 4 to 12 are read, so rooms made before a change stay reachable.
    #[arg(
        long,
        env = "LIVECHAT_CODE_LENGTH",
        default_value_t = 4,
        value_parser = clap::builder::TypedValueParser::map(
            clap::value_parser!(u16).range(4..=12),
            usize::from
        )
    )]
    pub code_length: usize,

    /// Times one client address may queue for a random stranger per minute
    /// (each match opens a random-chat room, so this keeps one address from
    /// filling --max-pair-rooms).
    #[arg(long, env = "LIVECHAT_ADDRESS_PAIRS", default_value_t = 30)]
    pub address_pairs: usize,

    /// Reports one member may send per 10 minutes (reporting a message again
    /// does not count).
    #[arg(long, env = "LIVECHAT_MEMBER_REPORTS", default_value_t = 10)]
    pub member_reports: usize,

    /// Reports one client address may send per 10 minutes, over all its
    /// sessions (an IPv6 /48: 16 times as many).
    #[arg(long, env = "LIVECHAT_ADDRESS_REPORTS", default_value_t = 30)]
    pub address_reports: usize,

    /// Sign-ins at the moderator console one client address may try per 10
    /// minutes (an IPv6 /48: 16 times as many; a right token gives its try
    /// back).
    #[arg(long, env = "LIVECHAT_ADDRESS_SIGN_INS", default_value_t = 5)]
    pub address_sign_ins: usize,

    /// Token that signs a moderator in at /admin (at least 20 bytes). Without
    /// it there is no moderator console: /admin answers 404.
    #[arg(long, env = "LIVECHAT_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

impl Config {
    /// The grace period as a duration.
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.grace)
    }

    /// The keep-alive interval as a duration (at least one second).
    pub fn keepalive(&self) -> Duration {
        Duration::from_secs(self.keepalive.max(1))
    }

    /// The header timeout as a duration (at least one second).
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout.max(1))
    }
}

/// An address (`10.0.0.5`) or a network (`10.0.0.0/8`, `fd00::/8`).
fn parse_network(typed: &str) -> Result<IpNet, String> {
    let typed = typed.trim();
    typed
        .parse::<IpNet>()
        .or_else(|_| typed.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{typed:?} is neither an address nor a network like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let config =
            Config::try_parse_from(["livechat", "--trusted-proxy", "10.0.0.0/8, 127.0.0.1,::1"])
                .expect("valid proxies");
        let shown: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);

        let error = Config::try_parse_from(["livechat", "--trusted-proxy", "10.0.0.0/99"])
            .expect_err("a prefix longer than the address");
        assert!(
            error
                .to_string()
                .contains("neither an address nor a network"),
            "{error}"
        );
    }

    #[test]
    fn code_length_is_4_to_12() {
        let config = Config::try_parse_from(["livechat"]).expect("defaults");
        assert_eq!(config.code_length, 4);
        let config =
            Config::try_parse_from(["livechat", "--code-length", "8"]).expect("a longer code");
        assert_eq!(config.code_length, 8);
        for wrong in ["3", "13", "0", "six"] {
            let error = Config::try_parse_from(["livechat", "--code-length", wrong])
                .expect_err("outside 4 to 12");
            assert!(error.to_string().contains("--code-length"), "{error}");
        }
        let error = Config::try_parse_from(["livechat", "--code-length", "13"]).expect_err("13");
        assert!(error.to_string().contains("4..=12"), "{error}");
    }
}
