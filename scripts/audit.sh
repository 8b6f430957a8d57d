#!/usr/bin/env bash
# Audits a release build the way a reader's phone sees it (not part of scripts/test.sh):
#   1. builds the site (scripts/build.sh; skip with --no-build to audit the dist/ already there),
#   2. serves dist/ with gzip and proper MIME types on 127.0.0.1 (scripts/serve.mjs),
#   3. runs Lighthouse 12.2.3 (mobile emulation, headless /usr/bin/chromium) RUNS times (default 3)
#      and axe-core once,
#   4. prints the performance, accessibility, best-practices and SEO scores, LCP, TBT, CLS, and the
#      gzip bytes of the wasm + JS that Chromium fetches on a first load without scrolling, and of
#      what scrolling to the first widget adds (the page fetches its wasm then).
#
#   scripts/audit.sh [--no-build] [--runs N]
#
# Lighthouse is installed on first use into .tools/lighthouse (13.x needs Node 22, so it is pinned),
# not into tests/package.json. Reports land in tests/artifacts/audit/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
BUILD=1
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --runs) RUNS=$2; shift ;;
    *) echo "audit: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

LIGHTHOUSE_VERSION=12.2.3
LH="$TOOLS_DIR/lighthouse/node_modules/.bin/lighthouse"
if [ "$("$LH" --version 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]; then
  echo "[audit] installing lighthouse $LIGHTHOUSE_VERSION into .tools/lighthouse"
  mkdir -p "$TOOLS_DIR/lighthouse"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS_DIR/lighthouse" "lighthouse@$LIGHTHOUSE_VERSION"
fi
# playwright-core and axe-core from the e2e test packages.
if ! cmp -s tests/package-lock.json tests/node_modules/.package-lock.json 2>/dev/null; then
  (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
fi

[ "$BUILD" = 1 ] && scripts/build.sh

LOG=$(mktemp)
node scripts/serve.mjs --dir dist --port 0 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 50); do grep -q '^serving' "$LOG" && break; sleep 0.1; done
URL=$(sed -n 's/^serving .* at \(http[^ ]*\)$/\1/p' "$LOG")
[ -n "$URL" ] || { echo "audit: the server did not start: $(cat "$LOG")" >&2; exit 1; }

CHROME_PATH=/usr/bin/chromium node tests/tools/audit.mjs --url "$URL" --lighthouse "$LH" --runs "$RUNS" --dist dist --out tests/artifacts/audit
