#!/usr/bin/env bash
# Checks scripts/sbf/libcalls.ll on the host: the same IR (renamed) against
# the C compiler's 128-bit arithmetic and libc's mem* (see test-libcalls.c).
# Runs inside the sid root, whose clang is the LLVM 23 the build uses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
sid_run "$here" 'tmp=$(mktemp -d)
sed -e "s/@__/@t__/g" -e "s/@mem/@t_mem/g" -e "s/@bcmp/@t_bcmp/g" libcalls.ll > "$tmp/t.ll"
clang-23 -O2 -w test-libcalls.c "$tmp/t.ll" -o "$tmp/test-libcalls" 2>&1 | grep -v "overriding the module target" || true
"$tmp/test-libcalls"; rm -rf "$tmp"'
