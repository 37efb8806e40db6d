//! `Messages` on this store.

use super::MemoryStore;
use crate::chat::Messages;

impl Messages for MemoryStore {}
