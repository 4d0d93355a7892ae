# Shared settings for the SBF build pipeline. Sourced, never run.
# Everything heavy lives in $CACHE (outside the repository) so a second build
# on the same machine reinstalls nothing. Clear it with: rm -rf "$CACHE".
CACHE=${SESSION_KEYS_CACHE:-$HOME/.cache/session-keys}
SID=$CACHE/sid                    # Debian sid root: LLVM 23, rustc 1.97, rust-src
LLVM_PKG=llvm-23
log() { printf '[sbf %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
