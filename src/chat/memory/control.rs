//! `Control` on this store.

use super::MemoryStore;
use crate::chat::Control;

impl Control for MemoryStore {}
