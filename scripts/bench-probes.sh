#!/usr/bin/env bash
# npm run bench:probes: where approve_message's compute units go, part by part.
# Builds a separate session_keys.so with the `cu-probes` feature into
# target/probes (a measuring build, never deployed), runs uses of it in
# LiteSVM and prints the units of each part (bench/probes.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh # the stand-in, the IDL and the client types
out=$PWD/target/probes
mkdir -p "$out"
start=$SECONDS
if [ "${SESSION_KEYS_PIPELINE:-}" != upstream ] && command -v cargo-build-sbf >/dev/null; then
  cargo build-sbf --manifest-path programs/session-keys/Cargo.toml --features cu-probes --sbf-out-dir "$out"
else
  SBF_FEATURES=session-keys/cu-probes SBF_DEPLOY_DIR=$out bash scripts/sbf/build-programs.sh session-keys
fi > target/build-probes.log 2>&1 || { tail -40 target/build-probes.log >&2; exit 1; }
echo "[build] probe build in $((SECONDS - start)) s (log: target/build-probes.log)" >&2
cp target/deploy/ika_dwallet_stand_in.so "$out/"
SBF_OUT_DIR=$out exec node --no-allocation-site-pretenuring node_modules/.bin/ts-node --transpile-only bench/probes.ts
