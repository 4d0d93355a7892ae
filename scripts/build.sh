#!/usr/bin/env bash
# npm run build: writes what `anchor build` writes —
#   target/deploy/session_keys.so (+ the test-only ika_dwallet_stand_in.so and cpi_caller_fixture.so),
#   target/idl/session_keys.json, target/types/session_keys.ts.
# With Solana platform-tools installed (anchor + cargo-build-sbf) it runs
# `anchor build`; otherwise the upstream-LLVM pipeline of docs/build.md.
# SESSION_KEYS_PIPELINE=upstream forces the pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
export SESSION_KEYS_BUILD_START=${SESSION_KEYS_BUILD_START:-$(date +%s)}
bash scripts/setup.sh
start=$SECONDS
mkdir -p target/deploy
# What the build produces; "up to date" only when none of it changed.
outputs() { sha256sum target/deploy/*.so target/idl/*.json target/types/*.ts 2>/dev/null || true; }
before=$(outputs)
cp keys/session_keys-keypair.json target/deploy/

. scripts/sbf/common.sh
if platform_tools; then
  echo "[build] platform-tools found: anchor build" >&2
  anchor build
  cargo build-sbf --manifest-path tests/fixtures/ika-stand-in/Cargo.toml --sbf-out-dir target/deploy
  cargo build-sbf --manifest-path tests/fixtures/cpi-caller/Cargo.toml --sbf-out-dir target/deploy
else
  echo "[build] no platform-tools: upstream LLVM 23 + sbpf-linker pipeline (docs/build.md)" >&2
  bash scripts/sbf/build-programs.sh session-keys ika-dwallet-stand-in cpi-caller-fixture
  bash scripts/idl/build-idl.sh
fi
changed=$({ diff <(echo "$before") <(outputs) || true; } | sed -n 's/^> [0-9a-f]*  //p' | tr '\n' ' ')
if [ -z "$changed" ]; then
  echo "[build] up to date in $((SECONDS - start)) s (nothing rebuilt)" >&2
else
  echo "[build] done in $((SECONDS - start)) s: ${changed% }" >&2
fi
