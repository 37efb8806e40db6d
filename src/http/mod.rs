//! The HTTP face of the chat: a file per area with its handlers, plus the
//! session, request shape, guards and asset serving they share.

pub mod admin;
pub mod assets;
pub mod client;
pub mod control;
pub mod door;
pub mod errors;
pub mod guard;
pub mod home;
mod live;
pub mod message;
pub mod name;
pub mod ops;
pub mod pair;
pub mod person;
pub mod report;
pub mod room;
pub mod session;
pub mod settings;
pub mod shape;
pub mod stream;
pub mod typing;
pub mod waiting;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::paths;

/// Every route of the contract. Text answers are compressed; the
/// never-ending streams are routed apart, outside the compression layer, so
/// they neither wait in a compressor nor carry its (large, unused) state for
/// as long as they are open.
pub fn routes() -> Router<AppState> {
    let answers = Router::new()
        .route(paths::HOME, get(home::get_home))
        .route(paths::ROOMS, post(home::post_rooms))
        .route(paths::JOIN, post(home::post_join))
        .route(paths::NAME, post(name::post_name))
        .route(paths::PAIR, get(pair::get_pair).post(pair::post_pair))
        .route(paths::PAIR_CANCEL, post(pair::post_cancel))
        .route("/r/{code}", get(room::get_room))
        .route("/r/{code}/messages", post(room::post_message))
        .route("/r/{code}/leave", post(room::post_leave))
        .route("/r/{code}/typing", post(typing::post_typing))
        .route("/r/{code}/lock", post(control::post_lock))
        .route("/r/{code}/p/{seed}/remove", post(control::post_remove))
        .route("/r/{code}/title", get(room::get_title))
        .route("/r/{code}/m/{id}/report", post(report::post_report))
        .route(paths::ADMIN, get(admin::get_admin))
        .route(paths::ADMIN_SIGN_IN, post(admin::post_sign_in))
        .route(paths::ADMIN_SIGN_OUT, post(admin::post_sign_out))
        .route(paths::ADMIN_DELETE, post(admin::post_delete))
        .route(paths::ADMIN_MUTE, post(admin::post_mute))
        .route(paths::ADMIN_BAN, post(admin::post_ban))
        .route(paths::ADMIN_CLOSE, post(admin::post_close))
        .route(paths::ADMIN_SLOW_MODE, post(admin::post_slow_mode))
        .route(paths::ADMIN_READ_ONLY, post(admin::post_read_only))
        .route("/r/{code}/p/{seed}", get(person::get_person))
        .route("/r/{code}/p/{seed}/ignore", post(person::post_ignore))
        .route("/r/{code}/m/{id}", get(message::get_message))
        .route("/r/{code}/m/{id}/delete", post(message::post_delete))
        .route("/avatars/{file}", get(assets::get_avatar))
        .route("/me/{file}", get(assets::get_own_css))
        .route("/assets/{file}", get(assets::get_asset))
        .route(
            paths::SETTINGS,
            get(settings::get_settings).post(settings::post_settings),
        )
        .route(paths::HEALTHZ, get(ops::get_healthz))
        .route("/metrics", get(ops::get_metrics))
        .layer(crate::compression());
    let streams = Router::new()
        .route(paths::PAIR_EVENTS, get(waiting::get_pair_events))
        .route(paths::PAIR_WAIT, get(waiting::get_wait_document))
        .route("/r/{code}/events", get(stream::get_events))
        .route("/r/{code}/log", get(stream::get_log_document))
        .route("/r/{code}/online", get(stream::get_online_document));
    answers.merge(streams)
}
