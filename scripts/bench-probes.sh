#!/usr/bin/env bash
# npm run bench:probes: where approve_message's compute units go, part by part.
# Builds a separate session_keys.so with the `cu-probes` feature into
# target/probes (a measuring build, never deployed), runs uses of it in
# LiteSVM and prints the units of each part (bench/probes.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh # the stand-in, the IDL and the client types
start=$SECONDS
bash scripts/build-variant.sh probes --features cu-probes > target/build-probes.log 2>&1 ||
  { tail -40 target/build-probes.log >&2; exit 1; }
echo "[build] probe build in $((SECONDS - start)) s (log: target/build-probes.log)" >&2
SBF_OUT_DIR=$PWD/target/probes exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only bench/probes.ts
