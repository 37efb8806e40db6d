//! `Reports` on this store.

use super::MemoryStore;
use crate::chat::Reports;

impl Reports for MemoryStore {}
