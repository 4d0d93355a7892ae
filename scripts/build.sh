#!/usr/bin/env bash
# npm run build: writes what `anchor build` writes —
#   target/deploy/session_keys.so (+ the test-only ika_dwallet_stand_in.so),
#   target/idl/session_keys.json, target/types/session_keys.ts.
# With Solana platform-tools installed (anchor + cargo-build-sbf) it runs
# `anchor build`; otherwise the upstream-LLVM pipeline of docs/build.md.
# SESSION_KEYS_PIPELINE=upstream forces the pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$SECONDS
mkdir -p target/deploy
cp keys/session_keys-keypair.json target/deploy/

. scripts/sbf/common.sh
if platform_tools; then
  echo "[build] platform-tools found: anchor build" >&2
  anchor build
  cargo build-sbf --manifest-path tests/fixtures/ika-stand-in/Cargo.toml --sbf-out-dir target/deploy
else
  echo "[build] no platform-tools: upstream LLVM 23 + sbpf-linker pipeline (docs/build.md)" >&2
  bash scripts/sbf/build-programs.sh session-keys ika-dwallet-stand-in
  bash scripts/idl/build-idl.sh
fi
echo "[build] done in $((SECONDS - start)) s" >&2
