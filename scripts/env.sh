# Sourced by the other scripts: puts the project's own tools (.tools/bin) and cargo's first on PATH.
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
export TOOLS_DIR
export PATH="$TOOLS_DIR/bin:$HOME/.cargo/bin:$PATH"
