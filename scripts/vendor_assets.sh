#!/usr/bin/env bash
# Copies the browser libraries the pages use (htmx, Chart.js) into web/static/web/vendor/ and the
# accessibility checker the browser tests inject (axe-core) into tests/browser/vendor/, from the
# npm registry at the versions pinned in web/assets/package-lock.json. The copies are committed,
# so the demo, CI and a deployment serve them without npm; run this only to change a version
# (edit web/assets/package.json, `npm install` there, then this script, then commit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

(cd web/assets && npm ci --no-audit --no-fund --silent)
modules=web/assets/node_modules
install -d web/static/web/vendor tests/browser/vendor
cp "$modules/htmx.org/dist/htmx.min.js" web/static/web/vendor/htmx.min.js
cp "$modules/chart.js/dist/chart.umd.min.js" web/static/web/vendor/chart.umd.min.js
cp "$modules/axe-core/axe.min.js" tests/browser/vendor/axe.min.js
for package in htmx.org chart.js axe-core; do
    printf '%s %s\n' "$package" "$(node -p "require('./$modules/$package/package.json').version")"
done
