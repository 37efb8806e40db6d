//! The transport: slow and idle clients are dropped, one address holds only
//! so many connections, HTTPS speaks HTTP/2 and carries many streams of one
//! person at once, a stop tells every kind of stream and ends the server at
//! once, and bad TLS flags stop the binary at start.

#[path = "../common/mod.rs"]
mod common;

mod backlog;
mod binary;
mod cap;
mod heads;
mod http2;
mod kit;
mod stop;
mod streams;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::people::{Person, Site};
use common::{client, spawn_app};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use kit::*;
