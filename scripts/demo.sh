#!/usr/bin/env bash
# npm run demo: the whole lifecycle on an embedded LiteSVM (no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh
# The flag was needed with LiteSVM 0.8 and is kept for now (docs/build.md, "Resolved").
exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only app/src/demo.ts
