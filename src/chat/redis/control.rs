//! `Control` on this store.

use super::RedisStore;
use crate::chat::Control;

impl Control for RedisStore {}
