#!/usr/bin/env bash
# npm run demo: the whole lifecycle on an embedded LiteSVM (no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh
# LiteSVM 0.8's addon trips V8's allocation-site pretenuring (docs/build.md).
exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only app/src/demo.ts
