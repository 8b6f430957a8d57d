#!/usr/bin/env bash
# Runs every test of Cascade Lab, installing what is missing first (idempotent):
#   formatting and lints, native unit and integration tests (sim-core and the app's pure parts),
#   a release build of the site with Trunk, and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
. scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p app -p cascade-worker --target wasm32-unknown-unknown --quiet -- -D warnings

step "native tests"
cargo test --workspace --release

step "build the site"
scripts/build.sh

step "end-to-end tests (headless Chromium)"
(cd tests && npm test)
