#!/usr/bin/env bash
# Installs what Cascade Lab needs to build, serve and test, and skips whatever is already present.
# Safe to run again and again.
#
#   scripts/setup.sh            toolchain for building and serving the site
#   scripts/setup.sh --tests    the same, plus Chromium, ChromeDriver, Firefox ESR and the e2e test packages
#
# Tools that are not system packages go to .tools/ in the checkout (ignored by git); source
# scripts/env.sh to put them first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WITH_TESTS=0
[ "${1:-}" = "--tests" ] && WITH_TESTS=1
# shellcheck source=env.sh
. scripts/env.sh

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk 0.21.14 (0.22 needs a newer rustc than these machines have).
TRUNK_VERSION=0.21.14
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# 3. wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (Trunk cannot download it here).
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WB_VERSION" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (several minutes)"
  # Without --locked: its lockfile wants a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# 4. wasm-opt from npm's binaryen 132, into .tools/ (Debian's binaryen 108 corrupts the output).
BINARYEN_VERSION=132.0.0
if [ "$("$TOOLS_DIR/binaryen/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  say "installing wasm-opt (npm binaryen $BINARYEN_VERSION) into .tools/"
  mkdir -p "$TOOLS_DIR/binaryen"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/binaryen" "binaryen@$BINARYEN_VERSION"
fi
mkdir -p "$TOOLS_DIR/bin"
ln -sf "$TOOLS_DIR/binaryen/node_modules/.bin/wasm-opt" "$TOOLS_DIR/bin/wasm-opt"
case "$(command -v wasm-opt)" in
  "$TOOLS_DIR"/*) ;;
  *) echo "setup: wasm-opt resolves to $(command -v wasm-opt), not .tools/bin" >&2; exit 1 ;;
esac

# 4b. terser from npm into .tools/, to minify the JavaScript of release builds (scripts/minify.mjs):
#     Trunk's own `minify` setting minifies CSS and HTML but fails on wasm-bindgen's JS output.
TERSER_VERSION=5.51.4
if [ "$(node -p "require('$TOOLS_DIR/terser/node_modules/terser/package.json').version" 2>/dev/null)" != "$TERSER_VERSION" ]; then
  say "installing terser $TERSER_VERSION into .tools/"
  mkdir -p "$TOOLS_DIR/terser"
  npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS_DIR/terser" "terser@$TERSER_VERSION"
fi

if [ "$WITH_TESTS" = 1 ]; then
  # 5. Chromium and ChromeDriver from Debian (never a test tool's own browser download).
  if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
    say "installing chromium and chromium-driver"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  # 6. Firefox ESR from Debian, for the smoke test in a second engine (tests/e2e/firefox.test.js,
  #    puppeteer-core over WebDriver BiDi: no driver binary and no browser download).
  if ! [ -x /usr/bin/firefox-esr ]; then
    say "installing firefox-esr"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr
  fi
  # 7. The e2e test packages: playwright-core (drives /usr/bin/chromium), puppeteer-core (drives
  #    /usr/bin/firefox-esr) and axe-core; none of them may download a browser.
  if ! cmp -s tests/package-lock.json tests/node_modules/.package-lock.json 2>/dev/null; then
    say "installing the e2e test packages"
    (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  fi
fi
say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}')"
