//! `Reports` on this store.

use super::RedisStore;
use crate::chat::Reports;

impl Reports for RedisStore {}
