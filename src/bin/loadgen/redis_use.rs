//! What Redis itself did during one run of two servers sharing it: the
//! commands it ran (`INFO commandstats`, reset when the load starts; those
//! run inside scripts counted too) and the CPU time of `redis-server`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::stats::cpu_seconds;

/// Commands by name (calls, microseconds inside Redis), and CPU seconds.
#[derive(Clone, Debug, Default)]
pub struct RedisUse {
    pub commands: Vec<(String, u64, u64)>,
    pub cpu_s: f64,
}

impl RedisUse {
    /// Every command, those run inside scripts included.
    pub fn calls(&self) -> u64 {
        self.commands.iter().map(|(_, calls, _)| calls).sum()
    }

    /// Calls of one command (`evalsha`: scripts run).
    pub fn calls_of(&self, name: &str) -> u64 {
        self.commands
            .iter()
            .filter(|(n, ..)| n == name)
            .map(|(_, calls, _)| calls)
            .sum()
    }

    /// The commands Redis spent the most time in, for a run's line.
    pub fn line(&self) -> String {
        let mut top = self.commands.clone();
        top.sort_by_key(|c| std::cmp::Reverse(c.2));
        let named: Vec<String> = top
            .iter()
            .take(12)
            .map(|(name, calls, usec)| format!("{name} {calls} ({usec} µs)"))
            .collect();
        format!(
            "redis-server CPU {:.2} s, {} commands counted: {}",
            self.cpu_s,
            self.calls(),
            named.join(", ")
        )
    }
}

/// Starts counting: Redis's command statistics from zero, and its CPU so far.
pub async fn start(port: u16, pid: u32) -> f64 {
    let _ = ask(port, "CONFIG RESETSTAT").await;
    cpu_seconds(&[pid])
}

/// What Redis did since `start` (which returned `cpu_before`).
pub async fn since(port: u16, pid: u32, cpu_before: f64) -> Option<RedisUse> {
    let cpu_s = cpu_seconds(&[pid]) - cpu_before;
    let info = ask(port, "INFO commandstats").await?;
    Some(RedisUse {
        commands: parse(&info),
        cpu_s,
    })
}

/// `cmdstat_NAME:calls=N,usec=U,...` lines, without the bench's own.
fn parse(info: &str) -> Vec<(String, u64, u64)> {
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let field = |key: &str| -> Option<u64> {
                rest.split(',')
                    .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))?
                    .parse()
                    .ok()
            };
            Some((name.to_owned(), field("calls")?, field("usec")?))
        })
        .filter(|(name, ..)| !matches!(name.as_str(), "config|resetstat" | "info" | "ping"))
        .collect()
}

/// One inline command; its answer (a status line or a bulk string) as text.
async fn ask(port: u16, command: &str) -> Option<String> {
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    conn.write_all(format!("{command}\r\n").as_bytes())
        .await
        .ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), conn.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if answered(&got) {
            break;
        }
    }
    String::from_utf8(got).ok()
}

/// Whether `got` holds a whole answer: `+OK\r\n`, or `$LEN\r\n` and LEN bytes.
fn answered(got: &[u8]) -> bool {
    let Some(end) = got.windows(2).position(|w| w == b"\r\n") else {
        return false;
    };
    match got.first() {
        Some(b'$') => std::str::from_utf8(&got[1..end])
            .ok()
            .and_then(|len| len.parse::<usize>().ok())
            .is_some_and(|len| got.len() >= end + 2 + len + 2),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_statistics_are_read_without_the_bench_own() {
        let info = "# Commandstats\r\ncmdstat_evalsha:calls=12,usec=340,usec_per_call=28.33,rejected_calls=0,failed_calls=0\r\ncmdstat_xrange:calls=5,usec=20,usec_per_call=4.00\r\ncmdstat_config|resetstat:calls=1,usec=3\r\n";
        let read = parse(info);
        assert_eq!(
            read,
            [
                ("evalsha".to_owned(), 12, 340),
                ("xrange".to_owned(), 5, 20)
            ]
        );
        let used = RedisUse {
            commands: read,
            cpu_s: 1.0,
        };
        assert_eq!((used.calls(), used.calls_of("evalsha")), (17, 12));
        assert!(answered(b"$5\r\nhello\r\n"));
        assert!(!answered(b"$5\r\nhel"));
        assert!(answered(b"+OK\r\n"));
    }
}
