#!/usr/bin/env bash
# npm test: builds the programs, then runs every test — Rust rules on the host,
# the pipeline's libcalls check, and the TypeScript suites on the built .so in
# LiteSVM and in solana-bankrun, then again on the build that serves
# approve_message through Anchor's entrypoint. Prints the time of each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
stage() { echo; echo "== $1 ($((SECONDS - t0)) s so far)"; }

stage "build"
bash scripts/build.sh

stage "Rust: program rules and stand-in (cargo test)"
cargo test --quiet -p session-keys
cargo test --quiet -p ika-dwallet-stand-in

. scripts/sbf/common.sh
if [ -f "$SID/opt/sbf/bin/sbpf-link" ]; then   # the upstream pipeline built the programs
  stage "pipeline: libcalls.ll against the C compiler's 128-bit arithmetic"
  bash scripts/sbf/test-libcalls.sh
fi

stage "TypeScript: typecheck"
npm run --silent typecheck

stage "TypeScript: suites on LiteSVM and bankrun"
log=$(mktemp)
set +e
npm run --silent test:ts 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -oE '^ +[0-9]+ passing' "$log" | grep -oE '[0-9]+' || echo 0)
failed=$(grep -oE '^ +[0-9]+ failing' "$log" | grep -oE '[0-9]+' || echo 0)

# The deployed build serves approve_message from src/entrypoint.rs; built
# without it, Anchor's entrypoint and handler do. Every suite runs against
# that build too, so the two paths cannot drift apart (checks, order, errors).
stage "TypeScript: the same suites on the build with Anchor's own entrypoint (--no-default-features)"
bash scripts/build-variant.sh anchor-entry --no-default-features
set +e
SBF_OUT_DIR=$PWD/target/anchor-entry npm run --silent test:ts 2>&1 | tee "$log"
anchor_status=${PIPESTATUS[0]}
set -e
anchor_passed=$(grep -oE '^ +[0-9]+ passing' "$log" | grep -oE '[0-9]+' || echo 0)
anchor_failed=$(grep -oE '^ +[0-9]+ failing' "$log" | grep -oE '[0-9]+' || echo 0)
rm -f "$log"
echo
echo "total time: $((SECONDS - t0)) s"
echo "mocha, deployed build: ${passed} passed, ${failed} failed"
echo "mocha, Anchor-entrypoint build: ${anchor_passed} passed, ${anchor_failed} failed"
[ "$status" -eq 0 ] && exit "$anchor_status"
exit "$status"
