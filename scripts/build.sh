#!/usr/bin/env bash
# Builds the static site into dist/ (release, wasm-opt -Oz, relative asset URLs so that dist/ can be
# served from the root of a host or from any sub-path), then writes the Content-Security-Policy into
# dist/index.html (scripts/csp.mjs). `trunk serve` (authoring) has no policy: its live reload needs
# an inline script and a WebSocket.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
trunk build --release --public-url ./ "$@"
node scripts/csp.mjs dist/index.html
