#!/usr/bin/env bash
# Builds (once) sbpf-linker inside the sid root, linked against Debian's LLVM 23
# instead of loading rustc's own libLLVM at run time (Debian's rustc is on LLVM 22).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
SBPF_LINKER_VERSION=0.2.6
[ -x "$SID/opt/sbf/bin/sbpf-linker" ] && [ "$(cat "$SID/opt/sbf/.sbpf-linker" 2>/dev/null)" = "$SBPF_LINKER_VERSION" ] && exit 0
log "building sbpf-linker $SBPF_LINKER_VERSION against LLVM 23 (one time, a few minutes)"
mkdir -p "$SID/opt/sbf"
sid_run /tmp "cargo install --locked --quiet sbpf-linker --version $SBPF_LINKER_VERSION \
  --no-default-features --features bpf-linker/llvm-23 --root /opt/sbf" >"$CACHE/sbpf-linker.log" 2>&1 \
  || { tail -30 "$CACHE/sbpf-linker.log" >&2; die "building sbpf-linker failed (log: $CACHE/sbpf-linker.log)"; }
echo "$SBPF_LINKER_VERSION" > "$SID/opt/sbf/.sbpf-linker"
log "sbpf-linker ready"
