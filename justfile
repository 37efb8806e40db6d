# livechat's everyday commands. `just` alone lists them.
default:
    @just --list

# Serve on 127.0.0.1:3000 with the in-memory store.
run *FLAGS:
    cargo run --release -- {{FLAGS}}

# Every test: unit, in-process HTTP, loopback streams, browser (needs chromium + chromedriver),
# cluster (needs redis-server; its load-balancer test needs nginx).
test:
    cargo test
    LIVECHAT_TEST_REDIS=cluster cargo test --test cluster
    LIVECHAT_TEST_REDIS=cluster cargo test --lib chat::

# What must pass before every commit.
check:
    cargo fmt --all -- --check
    cargo clippy --all-targets --features bench -- -D warnings
    cargo test
    LIVECHAT_TEST_REDIS=cluster cargo test --test cluster
    LIVECHAT_TEST_REDIS=cluster cargo test --lib chat::
    cargo test --features bench --bins

# What CI runs (installs chromium, chromedriver, redis-server and nginx when missing).
ci:
    bash .ci/run

# Browser tests, saving the README's screenshots into tests/screenshots/.
screenshots:
    LIVECHAT_SCREENSHOTS=1 cargo test --test browser

# Benchmark livechat against the bare SSE baseline (3 runs of every scenario,
# about 20 minutes on 2 cores, the reconnect storm and ten tabs included) and write
# BENCHMARKS.md. FLAGS go to `loadgen bench` (`--only storm`: the storm alone).
bench *FLAGS:
    cargo build --release --features bench --bins
    target/release/loadgen bench {{FLAGS}}

# The same, smaller and once (about 3 minutes), written to target/BENCHMARKS-quick.md.
bench-quick:
    cargo build --release --features bench --bins
    target/release/loadgen bench --quick --runs 1 --out target/BENCHMARKS-quick.md

# Two livechat servers sharing a local redis-server against one server in
# memory, fan-out, churn and the reconnect storm (one of the two killed), 3 runs
# (about 15 minutes): writes BENCHMARKS-redis.md.
# Needs Debian's redis-server and a livechat built with the Redis store.
bench-redis *FLAGS:
    cargo build --release --features bench --bins
    target/release/loadgen cluster-bench {{FLAGS}}
