# The two set-up commands (see README.md):
#   make run   installs what is missing, builds, and serves on SQLite with zero configuration
#   make test  installs test prerequisites (PostgreSQL) and runs every check CI runs
# And for a server (docs/deploy.md):
#   make install    the binary in /usr/local/bin, the systemd unit, the golinks user
#                   (DESTDIR=/some/dir stages the files there instead)
#   make extension  the browser extension's zip files in target/extension/

export CARGO_TARGET_DIR ?= /var/tmp/golinks-target

.PHONY: run test build install extension check-format lint unit bench

run:
	./scripts/install-deps.sh
	cargo build --release --locked
	$(CARGO_TARGET_DIR)/release/golinks serve

build:
	cargo build --release --locked

install: build
	./scripts/install.sh

extension:
	./scripts/build-extension.sh

test:
	./scripts/install-deps.sh
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	pg_url="$$(./scripts/test-postgres.sh)" && \
		GOLINKS_TEST_POSTGRES_URL="$$pg_url" ./scripts/scim-conformance.sh && \
		GOLINKS_TEST_POSTGRES_URL="$$pg_url" GOLINKS_REQUIRE_POSTGRES=1 ./scripts/run-tests.sh
	./scripts/browser-tests.sh
	./scripts/caddy-test.sh
	./scripts/replica-test.sh

bench:
	./bench/redirect.sh
