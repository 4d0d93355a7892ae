#!/usr/bin/env bash
# Runs scripts/build.sh with its output in target/build.log, for commands whose
# own output is the point (demo, bench). Shows the log's tail if it fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
start=$SECONDS
if bash scripts/build.sh > target/build.log 2>&1; then
  echo "[build] up to date in $((SECONDS - start)) s (log: target/build.log)" >&2
else
  tail -40 target/build.log >&2
  echo "[build] failed (log: target/build.log)" >&2
  exit 1
fi
