#!/usr/bin/env bash
# Runs scripts/build.sh for commands whose own output is the point (demo,
# bench): the whole output goes to target/build.log, the stage lines
# ([setup], [sbf …], [build] …, each with its time) to the terminal as they
# start. Shows the log's tail if it fails.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/sbf/common.sh
mkdir -p target
if ! platform_tools && ! toolchain_cached; then
  echo "[build] first run on this machine: building the SBF toolchain (a Debian sid root with LLVM 23," \
    "sbpf-linker, then std for SBPF) into $CACHE — about 11 minutes on 2 cores; later runs reuse it" >&2
fi
bash scripts/build.sh 2>&1 | tee target/build.log | grep --line-buffered -E '^\[(setup|sbf|build)' >&2
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  tail -40 target/build.log >&2
  echo "[build] failed (log: target/build.log)" >&2
  exit 1
fi
