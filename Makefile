# The two set-up commands (see README.md):
#   make run   installs what is missing, builds, and serves on SQLite with zero configuration
#   make test  installs test prerequisites (PostgreSQL) and runs every check CI runs

export CARGO_TARGET_DIR ?= /var/tmp/golinks-target

.PHONY: run test build check-format lint unit bench

run:
	./scripts/install-deps.sh
	cargo build --release --locked
	$(CARGO_TARGET_DIR)/release/golinks serve

build:
	cargo build --release --locked

test:
	./scripts/install-deps.sh
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	pg_url="$$(./scripts/test-postgres.sh)" && \
		GOLINKS_TEST_POSTGRES_URL="$$pg_url" ./scripts/scim-conformance.sh && \
		GOLINKS_TEST_POSTGRES_URL="$$pg_url" GOLINKS_REQUIRE_POSTGRES=1 ./scripts/run-tests.sh
	./scripts/browser-tests.sh

bench:
	./bench/redirect.sh
