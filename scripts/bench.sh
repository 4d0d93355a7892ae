#!/usr/bin/env bash
# npm run bench: compute units per instruction, account sizes and rent, and the
# session overhead on approve_message, measured in LiteSVM on the built .so.
# The HTTP API's throughput and latency are a separate run: npm run bench:api
# (scripts/bench-api.sh, about a minute; target/bench-api.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh
exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only bench/run.ts
