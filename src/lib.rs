//! livechat: an anonymous real-time chat website. `app` builds the whole
//! site as one `Router`, the same for the binary and for the tests.

pub mod address;
pub mod assets;
pub mod chat;
pub mod config;
pub mod error;
pub mod http;
pub mod i18n;
pub mod logs;
pub mod look;
pub mod paths;
pub mod serve;
pub mod shutdown;
pub mod start;
pub mod views;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::middleware;
use axum_extra::extract::cookie::Key;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use chat::memory::{MemoryStore, Settings};
use chat::rate::{Allowance, MemoryLimits};
use chat::redis::RedisStore;
use chat::room::RoomSettings;
use chat::{Chat, Limits, RoomCode};
use config::Config;
use error::AppError;
use shutdown::{Shutdown, Trigger};
use start::StartError;

/// Counters kept outside the store: what the streams did.
#[derive(Debug, Default)]
pub struct Counters {
    pub delivered: AtomicU64,
}

/// Client addresses whose wrong codes are remembered at once.
const FAILED_JOIN_ADDRESSES: usize = 100_000;

/// Members whose recent name changes (and reports) are remembered at once.
const RENAMERS: usize = 100_000;

/// Client addresses whose recent sessions, messages and rooms are remembered at once.
const ADDRESSES: usize = 100_000;

/// The window of the per-minute limits per address.
const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// What every handler can reach; cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub chat: Chat,
    pub config: Arc<Config>,
    pub key: Key,
    pub stop: Shutdown,
    pub counters: Arc<Counters>,
    /// Name changes per member, to keep rename notices from flooding rooms.
    #[from_ref(skip)]
    pub renames: Arc<dyn chat::rate::Limiter>,
    /// Open streams per client address.
    #[from_ref(skip)]
    pub address_streams: Arc<dyn chat::rate::Places>,
    /// New sessions per client address, so fresh cookies are not fresh limits.
    #[from_ref(skip)]
    pub address_sessions: Arc<dyn chat::rate::Limiter>,
    /// Messages per client address, over all its sessions.
    #[from_ref(skip)]
    pub address_messages: Arc<dyn chat::rate::Limiter>,
    /// Private rooms created per client address.
    #[from_ref(skip)]
    pub address_rooms: Arc<dyn chat::rate::Limiter>,
    /// Queuings for a random stranger per client address.
    #[from_ref(skip)]
    pub address_pairs: Arc<dyn chat::rate::Limiter>,
    /// Reports per member, and per client address over all its sessions.
    #[from_ref(skip)]
    pub member_reports: Arc<dyn chat::rate::Limiter>,
    #[from_ref(skip)]
    pub address_reports: Arc<dyn chat::rate::Limiter>,
    /// Reports per IPv6 /48, `http::door::NETWORK_SCALE` times an address's.
    #[from_ref(skip)]
    pub network_reports: Arc<dyn chat::rate::Limiter>,
    /// Sign-ins at the moderator console per client address.
    #[from_ref(skip)]
    pub address_sign_ins: Arc<dyn chat::rate::Limiter>,
    /// Sign-ins per IPv6 /48, `http::door::NETWORK_SCALE` times an address's.
    #[from_ref(skip)]
    pub network_sign_ins: Arc<dyn chat::rate::Limiter>,
    /// Typing signals per member, and per client address over all its sessions.
    #[from_ref(skip)]
    pub member_typing: Arc<dyn chat::rate::Limiter>,
    #[from_ref(skip)]
    pub address_typing: Arc<dyn chat::rate::Limiter>,
    /// The moderator console's token, when there is a console.
    #[from_ref(skip)]
    pub admin: Option<http::admin::Token>,
}

impl AppState {
    /// State for `config` on the in-memory store, and the trigger that stops it.
    /// Serving over TLS makes the session cookie `Secure`.
    pub fn new(config: Config) -> Result<(Self, Trigger), StartError> {
        let settings = store_settings(&config)?;
        let chat: Chat = Arc::new(MemoryStore::new(
            settings,
            Arc::new(views::stream::Renderer),
        ));
        Self::with_chat(config, chat, &MemoryLimits)
    }

    /// State for `config` on the store it names: Redis with `--redis`, else
    /// in memory.
    pub async fn connect(config: Config) -> Result<(Self, Trigger), StartError> {
        let Some(url) = config.redis.clone() else {
            return Self::new(config);
        };
        let settings = store_settings(&config)?;
        let store = RedisStore::connect(&url, settings, Arc::new(views::stream::Renderer))
            .await
            .map_err(StartError::Store)?;
        let limits = store.limits();
        Self::with_chat(config, Arc::new(store), &limits)
    }

    /// State for `config` around a store made already, its limits counted
    /// by `limits` (in memory, or where the store keeps its state).
    pub fn with_chat(
        mut config: Config,
        chat: Chat,
        limits: &dyn Limits,
    ) -> Result<(Self, Trigger), StartError> {
        if config.tls_cert.is_some() {
            config.secure_cookies = true;
        }
        logs::init(config.secret.as_deref());
        let key = match &config.secret {
            Some(secret) if secret.len() >= start::SECRET_MIN => {
                Key::derive_from(secret.as_bytes())
            }
            Some(_) => return Err(StartError::ShortSecret),
            None => Key::generate(),
        };
        let admin = match config.admin_token.as_deref() {
            Some(token) if token.len() >= start::ADMIN_TOKEN_MIN => {
                Some(http::admin::Token::new(token, &key))
            }
            Some(_) => return Err(StartError::ShortAdminToken),
            None => None,
        };
        let (trigger, stop) = Shutdown::new();
        let state = Self {
            admin,
            ..Self::limited(chat, limits, config, key, stop)
        };
        Ok((state, trigger))
    }

    /// The state with every limit `config` sets, each counted by `limits`
    /// (shared between servers on Redis).
    fn limited(chat: Chat, limits: &dyn Limits, config: Config, key: Key, stop: Shutdown) -> Self {
        let secs = std::time::Duration::from_secs;
        let per_address = |name, limit, window| limits.limiter(name, limit, window, ADDRESSES);
        Self {
            renames: limits.limiter(
                "rename",
                config.rate_renames,
                secs(config.rename_window),
                RENAMERS,
            ),
            address_streams: limits.places("address-streams", config.max_address_streams),
            address_sessions: per_address("address-sessions", config.address_sessions, MINUTE),
            address_messages: per_address(
                "address-messages",
                config.address_messages,
                secs(config.rate_window),
            ),
            address_rooms: per_address("address-rooms", config.address_rooms, MINUTE),
            address_pairs: per_address("address-pairs", config.address_pairs, MINUTE),
            member_reports: limits.limiter(
                "member-reports",
                config.member_reports,
                chat::rules::REPORT_WINDOW,
                RENAMERS,
            ),
            address_reports: per_address(
                "address-reports",
                config.address_reports,
                chat::rules::REPORT_WINDOW,
            ),
            network_reports: per_address(
                "network-reports",
                config
                    .address_reports
                    .saturating_mul(http::door::NETWORK_SCALE),
                chat::rules::REPORT_WINDOW,
            ),
            address_sign_ins: per_address(
                "address-sign-ins",
                config.address_sign_ins,
                chat::rules::SIGN_IN_WINDOW,
            ),
            network_sign_ins: per_address(
                "network-sign-ins",
                config
                    .address_sign_ins
                    .saturating_mul(http::door::NETWORK_SCALE),
                chat::rules::SIGN_IN_WINDOW,
            ),
            member_typing: limits.limiter(
                "member-typing",
                chat::rules::TYPING_PER_MINUTE,
                MINUTE,
                RENAMERS,
            ),
            address_typing: per_address("address-typing", chat::rules::TYPING_PER_ADDRESS, MINUTE),
            admin: None,
            config: Arc::new(config),
            key,
            stop,
            counters: Arc::default(),
            chat,
        }
    }
}

/// What either store needs to know from the configuration.
pub fn store_settings(config: &Config) -> Result<Settings, StartError> {
    let public_rooms = config
        .public_rooms
        .iter()
        .map(|slug| RoomCode::parse_slug(slug).ok_or_else(|| StartError::PublicRoom(slug.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Settings {
        public_rooms,
        room: RoomSettings {
            history_len: config.history.max(1),
            big_room: config.big_room,
            notice_names: chat::rules::NOTICE_NAMES,
        },
        grace: config.grace(),
        rate_messages: config.rate_messages,
        rate_window: std::time::Duration::from_secs(config.rate_window),
        max_queue: config.max_queue,
        max_rooms: config.max_rooms,
        max_pair_rooms: config.max_pair_rooms,
        address_rooms_held: config.address_rooms_held,
        max_members: config.max_members,
        max_streams: config.max_streams,
        code_length: config.code_length,
        guesses: Allowance {
            limit: config.join_failures,
            window: std::time::Duration::from_secs(config.join_window),
            max_keys: FAILED_JOIN_ADDRESSES,
        },
    })
}

/// The whole site.
pub fn app(state: AppState) -> Router {
    site(http::routes(), state)
}

/// `routes` with everything the site puts around them: error pages, guards,
/// headers, limits, panic catching and tracing. Tests may add routes of
/// their own to see how the site treats them.
pub fn site(routes: Router<AppState>, state: AppState) -> Router {
    let max_body = state.config.max_body;
    let body_timeout = state.config.header_timeout();
    routes
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(max_body))
        // A body trickled in to hold the connection is cut off like slow headers.
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(middleware::from_fn(http::guard::same_origin))
        // Inside `render_errors`, so that a panic becomes a real 500 page.
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(middleware::from_fn(http::errors::render_errors))
        // Outside `render_errors`, so error pages read as their reader wants too.
        .layer(middleware::from_fn(look::choose))
        .layer(middleware::from_fn(http::guard::headers))
        // Spans name the route pattern, never the path: paths hold room codes.
        .layer(
            TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| logs::request_span(req),
            ),
        )
        .with_state(state)
}

/// gzip or brotli for text answers, as the browser asks (`http::routes`
/// puts it around every route but the streams). Never for the never-ending
/// streams (marked `X-Accel-Buffering: no`, see `http::stream::streaming`),
/// even if one were routed inside it: a compressor holds bytes back until it
/// has a block's worth, so new messages would sit in it instead of showing.
pub(crate) fn compression() -> CompressionLayer<impl Predicate> {
    let not_streaming =
        |_: axum::http::StatusCode,
         _: axum::http::Version,
         headers: &axum::http::HeaderMap,
         _: &axum::http::Extensions| { !headers.contains_key(http::stream::UNBUFFERED) };
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .compress_when(DefaultPredicate::new().and(not_streaming))
}
