//! The connection the store talks through: one Redis (`ConnectionManager`,
//! reconnecting) or a Redis Cluster (`ClusterConnection`, which follows the
//! slots, `MOVED` and failovers). `--redis` names a cluster by several seed
//! nodes, comma-separated (`redis://a:7000,redis://b:7001`); one URL is one
//! Redis. Both take the same commands: every script names its keys, all in
//! one slot (`keys`), so the cluster sends it where that slot lives.
//!
//! Pub/sub stays plain `PUBLISH`/`SUBSCRIBE`: a cluster carries a publish to
//! every node's subscribers, so the listener subscribes on any one seed node
//! (the next when that one fails). Sharded pub/sub would spread that traffic
//! per slot, but each server would then hold a subscription per shard for
//! the same few channels: not worth it while the messages are room codes.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use tokio::sync::OnceCell;

/// Where Redis is: what `--redis` says, parsed once.
#[derive(Clone)]
pub enum Target {
    Single(redis::Client),
    Cluster {
        client: Box<ClusterClient>,
        /// Each seed node, for the pub/sub listener.
        seeds: Vec<redis::Client>,
    },
}

impl Target {
    /// One URL is one Redis; several, comma-separated, are seed nodes of a
    /// cluster. Only a malformed URL is an error (its words never show the
    /// URL, which may hold a password).
    pub fn parse(url: &str, timeout: Duration) -> Result<Self, String> {
        let mut urls: Vec<&str> = Vec::new();
        // Empty items are skipped, and a URL named twice is one node.
        for u in url.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            if !urls.contains(&u) {
                urls.push(u);
            }
        }
        let bad = |e: redis::RedisError| format!("--redis: {e}");
        match urls.as_slice() {
            [] => Err("--redis: no URL given".to_owned()),
            [one] => Ok(Self::Single(redis::Client::open(*one).map_err(bad)?)),
            many => {
                let seeds = many
                    .iter()
                    .map(|u| redis::Client::open(*u))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(bad)?;
                let client = ClusterClientBuilder::new(many.to_vec())
                    .connection_timeout(timeout)
                    .response_timeout(timeout)
                    .retries(3)
                    .max_retry_wait(1_000)
                    .build()
                    .map_err(bad)?;
                Ok(Self::Cluster {
                    client: Box::new(client),
                    seeds,
                })
            }
        }
    }

    /// The nodes a pub/sub connection may be opened on, to try in turn.
    pub fn pubsub_nodes(&self) -> Vec<redis::Client> {
        match self {
            Self::Single(client) => vec![client.clone()],
            Self::Cluster { seeds, .. } => seeds.clone(),
        }
    }

    /// A connection that connects when first used, and again when lost.
    pub fn connect(&self, timeout: Duration) -> Result<Conn, String> {
        match self {
            Self::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_secs(1));
                let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
                    .map_err(|e| format!("--redis: {e}"))?;
                Ok(Conn::Single(conn))
            }
            Self::Cluster { client, .. } => Ok(Conn::Cluster(Lazy(Arc::new((
                (**client).clone(),
                OnceCell::new(),
            ))))),
        }
    }
}

/// A cluster connection made on first use (a server may start before its
/// cluster answers); the connection itself reconnects to nodes as needed.
#[derive(Clone)]
pub struct Lazy(Arc<(ClusterClient, OnceCell<ClusterConnection>)>);

impl Lazy {
    async fn get(&self) -> redis::RedisResult<ClusterConnection> {
        let (client, conn) = &*self.0;
        conn.get_or_try_init(|| client.get_async_connection())
            .await
            .cloned()
    }
}

/// The store's connection, cheap to clone.
#[derive(Clone)]
pub enum Conn {
    Single(ConnectionManager),
    Cluster(Lazy),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(conn) => conn.req_packed_command(cmd),
            Self::Cluster(lazy) => Box::pin(async move {
                let mut conn = lazy.get().await?;
                conn.req_packed_command(cmd).await
            }),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Self::Cluster(lazy) => Box::pin(async move {
                let conn = lazy.get().await?;
                if pipeline.is_transaction() {
                    // A transaction is on one key's slot by construction.
                    let mut conn = conn;
                    return conn.req_packed_commands(pipeline, offset, count).await;
                }
                // A plain pipeline only batches: its commands may be on any
                // slots, so each goes where its key lives, all at once.
                let sent = pipeline.cmd_iter().map(|cmd| {
                    let mut conn = conn.clone();
                    async move { conn.req_packed_command(cmd).await }
                });
                let answers = futures_util::future::join_all(sent).await;
                let answers = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
                Ok(answers.into_iter().skip(offset).take(count).collect())
            }),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(conn) => conn.get_db(),
            Self::Cluster(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Duration = Duration::from_secs(1);

    #[test]
    fn one_url_is_one_redis_and_several_are_a_clusters_seeds() {
        assert!(matches!(
            Target::parse("redis://127.0.0.1:6379", WAIT),
            Ok(Target::Single(_))
        ));
        let Ok(Target::Cluster { seeds, .. }) =
            Target::parse("redis://127.0.0.1:7000, redis://127.0.0.1:7001,", WAIT)
        else {
            panic!("two seed nodes are a cluster");
        };
        assert_eq!(seeds.len(), 2);
        assert!(
            matches!(
                Target::parse("redis://127.0.0.1:6379, redis://127.0.0.1:6379,", WAIT),
                Ok(Target::Single(_))
            ),
            "one URL named twice is still one Redis"
        );
    }

    #[test]
    fn a_malformed_url_is_refused_without_showing_its_password() {
        for url in [
            "",
            " , ",
            "nonsense",
            "redis://:hunter2@127.0.0.1:7000,nonsense",
            "redis://:hunter2@127.0.0.1:7000,http://127.0.0.1:7001",
        ] {
            let Err(why) = Target::parse(url, WAIT) else {
                panic!("{url:?} is refused");
            };
            assert!(why.starts_with("--redis"), "{why}");
            assert!(!why.contains("hunter2"), "{why}");
        }
    }
}
