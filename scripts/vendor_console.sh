#!/bin/sh
# Refresh the console's vendored scripts from the npm registry (`make vendor`).
# Pinned versions: htmx stays on the 2.x line (4.x changed its attributes).
set -eu
HTMX=2.0.11
ECHARTS=6.1.0
AXE=4.14.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR="$ROOT/server/console/static/vendor"
AXE_DIR="$ROOT/tests/vendor/axe-core"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
for spec in "htmx.org@$HTMX" "echarts@$ECHARTS" "axe-core@$AXE"; do
    npm pack --silent "$spec" >/dev/null
done
mkdir htmx echarts axe
tar -xzf htmx.org-$HTMX.tgz -C htmx
tar -xzf echarts-$ECHARTS.tgz -C echarts
tar -xzf axe-core-$AXE.tgz -C axe
mkdir -p "$VENDOR/htmx" "$VENDOR/echarts" "$AXE_DIR"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$VENDOR/htmx/"
cp echarts/package/dist/echarts.min.js echarts/package/LICENSE echarts/package/NOTICE "$VENDOR/echarts/"
cp axe/package/axe.min.js axe/package/LICENSE "$AXE_DIR/"
cat > "$VENDOR/VERSIONS" <<VERSIONS
# Vendored from the npm registry by scripts/vendor_console.sh (make vendor); no CDN.
htmx.org $HTMX  (0BSD; htmx/LICENSE)
echarts $ECHARTS  (Apache-2.0; echarts/LICENSE, echarts/NOTICE)
VERSIONS
cat > "$AXE_DIR/VERSION" <<VERSIONS
axe-core $AXE  (MPL-2.0; LICENSE), from the npm registry by scripts/vendor_console.sh
VERSIONS
echo "vendored htmx.org $HTMX, echarts $ECHARTS, axe-core $AXE"
