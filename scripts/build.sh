#!/usr/bin/env bash
# Builds the static site into dist/ (release, wasm-opt -Oz, relative asset URLs so that dist/ can be
# served from the root of a host or from any sub-path).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
trunk build --release --public-url ./ "$@"
