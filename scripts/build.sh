#!/usr/bin/env bash
# Builds the static site into dist/ (release, wasm-opt -Oz, relative asset URLs so that dist/ can be
# served from the root of a host or from any sub-path), then writes the Content-Security-Policy into
# dist/index.html (scripts/csp.mjs). Before that, prerender/ writes the page's text into dist/index.html
# as static HTML. `trunk serve` (authoring) has no policy: its live reload needs
# an inline script and a WebSocket.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
trunk build --release --public-url ./ "$@"
# Trunk minifies CSS and HTML (Trunk.toml: minify = "on_release"); the JavaScript is minified here.
node scripts/minify.mjs dist
# No preload of the wasm: it would compete with the page's text for the connection (scripts/preload.mjs).
node scripts/preload.mjs dist/index.html
# The page's text as static HTML (prerender/: content/ through the app's own compiler), so it paints
# before the wasm arrives and reads without JavaScript; the app removes it just before it mounts.
cargo run --quiet --package prerender -- dist/index.html
# The offline service worker: a registration script into index.html (allowed by the CSP's hash), then,
# once nothing else writes to dist/, dist/sw.js precaching every file of the build (scripts/sw.mjs).
node scripts/sw.mjs register dist/index.html
node scripts/csp.mjs dist/index.html
node scripts/sw.mjs write dist
