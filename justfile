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

# What must pass before every commit.
check:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings
    cargo test

# What CI runs (installs chromium, chromedriver, redis-server and nginx when missing).
ci:
    bash .ci/run

# Browser tests, saving the README's screenshots into tests/screenshots/.
screenshots:
    LIVECHAT_SCREENSHOTS=1 cargo test --test browser
