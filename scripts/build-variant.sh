#!/usr/bin/env bash
# build-variant.sh NAME CARGO_FLAG…: builds session_keys.so with extra cargo
# flags into target/NAME, the test-only Ika stand-in and CPI caller beside it, for builds that
# are measured or tested but never deployed:
#   probes        --features cu-probes      (npm run bench:probes)
#   anchor-entry  --no-default-features     (npm test: Anchor's own entrypoint)
# Run after scripts/build.sh, which builds the stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: build-variant.sh NAME CARGO_FLAG…" >&2; exit 2; }
name=$1; shift
out=$PWD/target/$name
mkdir -p "$out"
. scripts/sbf/common.sh
if platform_tools; then
  cargo build-sbf --manifest-path programs/session-keys/Cargo.toml --sbf-out-dir "$out" "$@"
else
  SBF_CARGO_FLAGS="$*" SBF_DEPLOY_DIR=$out bash scripts/sbf/build-programs.sh session-keys
fi
cp target/deploy/ika_dwallet_stand_in.so target/deploy/cpi_caller_fixture.so "$out/"
