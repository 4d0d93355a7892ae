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

# suites NAME [DIR]: every TypeScript suite on LiteSVM and bankrun, on the
# .so files in DIR (default target/deploy); remembers the summary and the
# first failing status, and goes on.
status=0
summary=()
suites() {
  local name=$1 dir=${2:-} log rc
  log=$(mktemp)
  set +e
  ${dir:+env SBF_OUT_DIR=$dir} npm run --silent test:ts 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  # test:ts runs two mocha processes (scripts/test-ts.sh): add their counts up.
  local passed failed
  passed=$(awk '/^ +[0-9]+ passing/ { n += $1 } END { print n + 0 }' "$log")
  failed=$(awk '/^ +[0-9]+ failing/ { n += $1 } END { print n + 0 }' "$log")
  summary+=("mocha, $name: $passed passed, $failed failed")
  rm -f "$log"
  [ "$status" -ne 0 ] || status=$rc
}

stage "TypeScript: suites on LiteSVM and bankrun"
suites "deployed build"

# The deployed build serves approve_message from src/entrypoint.rs; built
# without it, Anchor's entrypoint and handler do. Every suite runs against
# that build too, so the two paths cannot drift apart (checks, order, errors).
stage "TypeScript: the same suites on the build with Anchor's own entrypoint (--no-default-features)"
bash scripts/build-variant.sh anchor-entry --no-default-features
suites "Anchor-entrypoint build" "$PWD/target/anchor-entry"

echo
echo "total time: $((SECONDS - t0)) s"
if [ -n "${IKA_PROGRAM_SO:-}" ]; then
  echo "Ika: the binary $IKA_PROGRAM_SO (sha256 $(sha256sum "$IKA_PROGRAM_SO" | cut -d' ' -f1))"
else
  echo "Ika: the stand-in (set IKA_PROGRAM_SO=<ika_dwallet_program.so> to run every suite on Ika's binary)"
fi
printf '%s\n' "${summary[@]}"
exit "$status"
