//! Everything people see, rendered on the server with Maud: pages, fragments
//! and stream frames. Plain functions of what to show; no I/O, no state.

pub mod admin;
pub mod avatar;
pub mod components;
pub mod errors;
pub mod home;
pub mod layout;
pub mod links;
pub mod log;
pub mod message;
pub mod pair;
pub mod person;
pub mod room;
pub mod settings;
pub mod stream;
