#!/usr/bin/env bash
# npm run size: where session_keys.so's bytes go (issue: a smaller program).
# Links the deployed build once more, keeping the module sbpf-link generates
# the .so from (SBPF_LINK_KEEP), and prints the bytes of code per crate, per
# part and per function beside the .so's section sizes
# (scripts/sbf/size-breakdown.py). Upstream pipeline only (docs/build.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/quiet-build.sh
. scripts/sbf/common.sh
if platform_tools; then
  echo "size: reads the upstream pipeline's linker module; run with SESSION_KEYS_PIPELINE=upstream" >&2
  exit 2
fi
out=target/size
rm -rf "$out" && mkdir -p "$out"
touch programs/session-keys/src/lib.rs # the link step runs again, and keeps its module this time
SBPF_LINK_KEEP=$PWD/$out/link SBF_DEPLOY_DIR=$PWD/$out/deploy bash scripts/sbf/build-programs.sh session-keys > target/build-size.log 2>&1 ||
  { tail -30 target/build-size.log >&2; exit 1; }
python3 scripts/sbf/size-breakdown.py "$out/link/functions.txt" "$out/deploy/session_keys.so" "${SIZE_TOP:-25}" | tee target/size.md
