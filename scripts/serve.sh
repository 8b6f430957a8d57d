#!/usr/bin/env bash
# Sets up what is missing, then serves the site for authoring with live reload on http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh
exec trunk serve "$@"
