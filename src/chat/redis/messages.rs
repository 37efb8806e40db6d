//! `Messages` on this store.

use super::RedisStore;
use crate::chat::Messages;

impl Messages for RedisStore {}
