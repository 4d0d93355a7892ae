#!/usr/bin/env bash
# npm run bench:api: the HTTP API's throughput and latency on loopback against
# the embedded LiteSVM chain with the built .so (bench/api.ts), written to
# target/bench-api.md too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh
exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only bench/api.ts
